"""Privacy mode (``keep_text=False``) as an allow-list, applied to every reader's recordings.

``io.read_file`` passes each reader's recordings through ``private`` when words are not kept, so
no reader can forget it. Only what is declared survives:

- timing and the closed vocabularies of the core columns (onset, offset, ``speaker_type``,
  ``kind``, ``words``, ``source_line``); ``text`` is null;
- ``speaker_id`` where it is a label of the role map, the code of a participant whose role is
  one (CHAT's ``MOT Mother``), or a label the reader declares (``KEEP_PRIVATE["speaker_id"]``:
  ACLEW non-speaker tiers, coded-stream episodes); any other label becomes ``UNK``;
- the columns a reader declares in ``KEEP_PRIVATE`` (column -> vocabulary): a set of codes
  (values outside it become ``UNK``: LENA's codes, ACLEW's ``xds``/``vcm``/``lex``/``mwu``),
  ``NUMBER`` (kept when the column is numeric), ``CODED`` (the format's own coding scheme, kept:
  coded-stream codes, BORIS behaviours from the ethogram) or ``SPEAKERS`` (comma-separated
  speaker ids, each kept as ``speaker_id`` is). A file may declare more in
  ``extra["vocabularies"]`` (an EAF tier's controlled vocabulary). Every other column is dropped;
- participants: their id as ``speaker_id``, their role when it is a label of the role map (or
  of ``KEEP_PRIVATE["role"]``), no name;
- ``extra``: numbers, dates, clock times and declared codes; any other string becomes ``UNK``;
- the recording id when it is the file's name, else ``<file stem>-<n>`` (RTTM file ids and BORIS
  observation ids are file content);
- warnings, with every label taken out replaced by ``UNK``, and one warning counting what was
  replaced and dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from attunement import segments
from attunement.recording import Participant, Recording

NUMBER = "number"  # keep the column when it is numeric
CODED = "coded"  # the format's own coding scheme: keep every value
SPEAKERS = "speakers"  # comma-separated speaker ids, each kept as speaker_id is
Vocabulary = frozenset[str] | str
UNK = "UNK"

# ACLEW DAS closed vocabularies (Casillas et al. 2017), as in EAF tiers and ChildProject tables.
ACLEW: dict[str, Vocabulary] = {
    "xds": frozenset("TCBAPOU"),
    "vcm": frozenset("CNYLU"),
    "lex": frozenset({"W", "0"}),
    "mwu": frozenset({"M", "1"}),
}
# LENA's conversation block types (the ``type`` of a <Conversation>; ChildProject's
# ``lena_block_type`` uses them for conversations).
LENA_CONVERSATIONS = frozenset(
    {
        *("CM", "CIC", "CIOCX", "CIOCAX", "XM", "XIC", "XIOCC", "XIOCA", "XIOCAC"),
        *("AMF", "AICF", "AIOCF", "AIOCCXF", "AMM", "AICM", "AIOCM", "AIOCCXM"),
    }
)
LENA: dict[str, Vocabulary] = {
    "lena_block_type": LENA_CONVERSATIONS | {"conversation", "pause"},
    "lena_block_number": NUMBER,
    "lena_conv_status": frozenset({"BC", "RC", "EC"}),
    "lena_conv_turn_type": frozenset({"TIFI", "TIFR", "TIMI", "TIMR", "TIFE", "TIME", "NT"}),
    "lena_conv_floor_type": frozenset({"FI", "FH"}),
    "utterances_count": NUMBER,
    "average_db": NUMBER,
    "peak_db": NUMBER,
}
# numbers, ISO dates, clock times, versions: no letters but an ISO 'T' and 'Z'
_SAFE = re.compile(r"[0-9:.+\- ]*(?:T[0-9:.+\-]*)?Z?")
_CORE_KEPT = ("segment_onset", "segment_offset", "speaker_type", "kind", "words", "source_line")


def private(
    recordings: Iterable[Recording], keep: Mapping[str, Vocabulary], roles: Iterable[str]
) -> list[Recording]:
    """Each recording as privacy mode keeps it (module docstring). ``keep`` is the reader's
    ``KEEP_PRIVATE``; ``roles``, the labels of its role map."""
    roles = frozenset(roles) | frozenset(keep.get("role", ()))
    out = []
    for n, rec in enumerate(recordings, start=1):
        rec = _redact(rec, keep, roles)
        stem = Path(rec.path).stem
        if rec.id != stem:
            rec = replace(rec, id=f"{stem}-{n}", warnings=_scrub(rec.warnings, {rec.id}))
        out.append(rec)
    return out


def _redact(rec: Recording, keep: Mapping[str, Vocabulary], roles: frozenset[str]) -> Recording:
    extra = dict(rec.extra)
    declared = {c: frozenset(v) for c, v in extra.pop("vocabularies", {}).items()}
    keep = {**declared, **keep}
    frame = rec.segments
    ids = set(frame["speaker_id"].drop_nulls().unique().to_list())
    speakers = ids & roles | {p.id for p in rec.participants if p.role in roles}
    speakers |= set(keep.get("speaker_id", ()))
    removed: set[str] = set()
    replaced: Counter = Counter()
    columns = [pl.col(c) for c in _CORE_KEPT]
    columns.append(pl.lit(None, pl.String).alias("text"))
    for name in ("speaker_id", "code"):
        vocab = speakers if name == "speaker_id" else keep.get("code", frozenset())
        columns.append(_values(frame[name], vocab, speakers, removed, replaced).alias(name))
    dropped = []
    for name in frame.columns:
        if name in segments.SCHEMA:
            continue
        vocab = keep.get(name)
        if vocab is None or (vocab == NUMBER and not frame.schema[name].is_numeric()):
            dropped.append(name)
            continue
        columns.append(_values(frame[name], vocab, speakers, removed, replaced).alias(name))
    removed.update(dropped)
    table = frame.select(columns).select(c for c in frame.columns if c not in dropped)

    participants = []
    for p in rec.participants:
        kept = Participant(
            id=p.id if p.id in speakers else UNK,
            role=p.role if p.role in roles else "",
            speaker_type=p.speaker_type,
        )
        removed |= {v for v in (p.id, p.role, p.name) if v and v not in (kept.id, kept.role)}
        if kept not in participants:
            participants.append(kept)
    strings = set(speakers).union(*(v for v in keep.values() if isinstance(v, frozenset)))
    extra = _extra(extra, strings, removed, replaced)

    warnings = _scrub(rec.warnings, removed)
    if replaced or dropped:
        listed = ", ".join(f"{name} ×{n}" for name, n in replaced.most_common())
        warnings.append(
            "privacy mode: text dropped"
            + (
                f"; {sum(replaced.values())} value(s) outside a declared vocabulary became UNK "
                f"({listed})"
                if replaced
                else ""
            )
            + (f"; {len(dropped)} column(s) with no declared vocabulary dropped" if dropped else "")
        )
    return replace(
        rec,
        segments=table,
        participants=participants,
        warnings=warnings,
        extra=extra,
        keep_text=False,
    )


def _values(
    series: pl.Series,
    vocab: Vocabulary | set[str],
    speakers: set[str],
    removed: set[str],
    replaced: Counter,
) -> pl.Series:
    """``series`` with every value outside ``vocab`` replaced by UNK (counted, remembered)."""
    if vocab in (NUMBER, CODED) or series.null_count() == len(series):
        return series
    values = series.cast(pl.String)
    if vocab == SPEAKERS:
        parts = values.str.split(",").list.eval(
            pl.when(pl.element().is_in(list(speakers))).then(pl.element()).otherwise(pl.lit(UNK))
        )
        bad = values.str.split(",").explode().drop_nulls()
        bad = bad.filter(~bad.is_in(list(speakers)))
        out = parts.list.join(",")
    else:
        bad = values.drop_nulls().filter(~values.drop_nulls().is_in(list(vocab)))
        out = values.set(values.is_not_null() & ~values.is_in(list(vocab)), UNK)
    if bad.is_empty():
        return series
    replaced[series.name] += len(bad)
    removed.update(bad.unique().to_list())
    return out


def _extra(value: Any, strings: set[str], removed: set[str], replaced: Counter) -> Any:
    """``extra`` with every string that is not a number, date or declared code made UNK."""
    if isinstance(value, dict):
        return {k: _extra(v, strings, removed, replaced) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_extra(v, strings, removed, replaced) for v in value]
    if isinstance(value, str) and value not in strings and not _SAFE.fullmatch(value):
        removed.add(value)
        replaced["extra"] += 1
        return UNK
    return value


def _scrub(warnings: list[str], removed: set[str]) -> list[str]:
    """The warnings with every removed label replaced by UNK: quoted wherever it stands, and as a
    whole word when it has three characters or more."""
    if not removed:
        return list(warnings)
    labels = sorted(removed, key=len, reverse=True)
    quoted = "|".join(f"{q}{re.escape(v)}{q}" for v in labels for q in ("'", '"'))
    words = "|".join(re.escape(v) for v in labels if len(v) >= 3)
    pattern = re.compile(quoted + (rf"|(?<!\w)(?:{words})(?!\w)" if words else ""))
    return [pattern.sub(UNK, w) for w in warnings]
