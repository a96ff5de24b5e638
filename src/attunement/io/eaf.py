"""ELAN ``.eaf`` reader (pympi-ling), with the ACLEW DAS tier names as the default role map.

The bytes are first checked with the hardened ``parse_xml`` (a file declaring entities
is refused), then read by ``pympi.Elan.Eaf``; anything pympi raises becomes a ``ReadError``.

* **Speaker tiers.** Every annotation on an independent (time-aligned, no ``PARENT_REF``) tier is
  one segment; ``speaker_id`` is the tier name, ``text`` the annotation value, ``kind`` ``vocal``.
  ``source_line`` is the line of the annotation's ``ANNOTATION_ID`` in the file. An annotation
  whose time slot has no time value is kept untimed and counted in a warning.
* **ACLEW DAS names** (Casillas, Bergelson, Warlaumont, Cristia, Soderstrom, VanDam & Sloetjes
  2017, *ACLEW Annotation Scheme*, https://osf.io/b2jep/): ``CHI`` the key child; ``FA1``-``FA8``
  female adults; ``MA1``-``MA5`` male adults; ``FC1``-``FC4``, ``MC1``-``MC4`` female and male
  children, ``UC1``-``UC6`` children of unknown sex, ``C1``, ``C2`` (older templates) other
  children; ``EE1`` electronic voices (TV, radio, toys). Other names (``Mother`` ...) are set with
  a user role map; without one they become ``UNK`` and are counted in a warning.
* **Dependent tiers** (``PARENT_REF``, or a name ``<name>@<parent>`` whose parent is a tier of the
  file) become a column ``<name>`` (the whole tier name when it has no ``@``; ``tier_<name>`` when
  it would clash with a core column) on the rows of their top-level parent tier: ``xds@FA1`` ->
  ``xds``, ``vcm@CHI`` -> ``vcm``, ``lex@CHI`` -> ``lex``, ``mwu@CHI`` (whose parent is
  ``lex@CHI``) -> ``mwu``. Reference annotations (symbolic association or subdivision) are matched
  through their ``ANNOTATION_REF`` chain; time-aligned ones (time subdivision, included in) by
  time: the parent annotation ``[onset, offset)`` holding the child's onset (an unaligned slot
  takes the time of the last aligned slot before it in ``TIME_ORDER``). Several values on one row
  (subdivisions) are joined with a space in file order. Unmatched ones are counted in a warning.
  ACLEW codes: ``xds`` addressee (T target child, C other child, B both, A adult, P pet, O other,
  U unsure), ``vcm`` vocal maturity (C canonical, N non-canonical, Y crying, L laughing,
  U unsure), ``lex`` (W has words, 0 none), ``mwu`` (M several words, 1 one word).
* **Kinds.** A row whose ``vcm`` is ``Y`` (crying) is kind ``cry``; ``L`` (laughing) is kind
  ``vegetative`` (a non-speech vocalisation, as VCM's ``OTH`` in the RTTM reader).
* **Non-speaker ACLEW tiers** ``code``, ``code_num``, ``on_off``, ``context``, ``notes``, when
  independent and not named in the role map, are kept as kind ``episode`` rows (``code`` = tier
  name, ``speaker_type`` ``UNK``, value in ``text``) and counted in a warning: ``code`` marks the
  stretches that were annotated.
* **Privacy** (``keep_text=False``): ``text`` is null, dependent tiers with free text (no
  controlled vocabulary and not one of xds/vcm/lex/mwu) are not kept (counted in a warning),
  participant names (the ``PARTICIPANT`` attribute) and the media URL are not kept; each
  controlled vocabulary goes to ``io.privacy`` (``extra["vocabularies"]``), which makes a value
  outside it (or outside ACLEW's codes) ``UNK``.

``duration_ms`` is the largest time slot value. ELAN stores no media duration in the file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl
from pympi.Elan import Eaf

from attunement import roles as role_maps
from attunement import segments as seg
from attunement.errors import ReadError
from attunement.io import privacy
from attunement.io._common import parse_xml, read_bytes
from attunement.io.budget import check_time
from attunement.limits import current
from attunement.recording import Participant, Recording

FORMAT = "eaf"
EXTENSIONS = (".eaf",)
ACLEW_ROLES: dict[str, str] = {
    "CHI": "CHI",
    **{f"FA{i}": "FEM" for i in range(1, 9)},
    **{f"MA{i}": "MAL" for i in range(1, 6)},
    **{f"{sex}C{i}": "OCH" for sex in "FM" for i in range(1, 5)},
    **{f"UC{i}": "OCH" for i in range(1, 7)},
    "C1": "OCH",
    "C2": "OCH",
    "EE1": "ELE",
}
DEFAULT_ROLES: dict[str, str] = dict(ACLEW_ROLES)
NON_SPEAKER_TIERS = frozenset({"code", "code_num", "on_off", "context", "notes"})
CODE_COLUMNS = frozenset({"xds", "vcm", "lex", "mwu"})  # ACLEW closed vocabularies
# privacy mode (io.privacy): ACLEW codes; non-speaker tier names; a tier's controlled vocabulary
KEEP_PRIVATE = {**privacy.ACLEW, "speaker_id": NON_SPEAKER_TIERS, "code": NON_SPEAKER_TIERS}
KIND_OF_VCM: dict[str, str] = {"Y": "cry", "L": "vegetative"}  # all others: vocal
_INTERNAL = frozenset(
    ["", "aid", "order", "tier", "top", "ts1", "ts2", "t1", "t2", "f1", "f2", "value", "line"]
)
_ID = r"""\bANNOTATION_ID\s*=\s*["']([^"']*)["']"""


def sniff(head: bytes) -> bool:
    return b"<ANNOTATION_DOCUMENT" in head


def read(path: Path, *, role_map: dict[str, str], keep_text: bool = True) -> list[Recording]:
    """One Recording: the file's speaker tiers as segments, dependent tiers as columns."""
    data = read_bytes(path)
    try:
        root = parse_xml(path, data)
    except (LookupError, ValueError):  # e.g. an unknown encoding="..." declaration
        raise ReadError(path, "cannot decode the XML; re-save it as UTF-8") from None
    if root.tag != "ANNOTATION_DOCUMENT":
        raise ReadError(path, "not an ELAN file: the root element is not <ANNOTATION_DOCUMENT>")
    units = root.find("HEADER").get("TIME_UNITS") if root.find("HEADER") is not None else None
    if units not in (None, "milliseconds"):
        raise ReadError(path, "TIME_UNITS is not milliseconds, the only unit ELAN defines")
    try:
        eaf = Eaf(str(path), suppress_version_warning=True)
    except Exception as exc:  # pympi raises KeyError, IndexError, ValueError ... on bad files
        raise ReadError(
            path,
            f"pympi-ling could not read this EAF ({type(exc).__name__}); "
            "open it in ELAN and save it again",
        ) from None
    return [_recording(path, data, eaf, role_map, keep_text)]


def _lines(path: Path, data: bytes) -> pl.DataFrame:
    """annotation id -> the line its ``ANNOTATION_ID`` attribute is on (ids must be unique)."""
    lines = pl.Series("text", data.decode("utf-8", "replace").split("\n"))
    frame = (
        lines.to_frame()
        .with_row_index("line", offset=1)
        .select(pl.col("line").cast(pl.Int64), aid=pl.col("text").str.extract_all(_ID))
        .explode("aid")
        .drop_nulls("aid")
        .select("aid", "line")
        .with_columns(pl.col("aid").str.extract(_ID, 1))
    )
    twice = frame.filter(~pl.col("aid").is_first_distinct())
    if twice.height:
        line = twice["line"][0]
        raise ReadError(path, "an annotation id (ANNOTATION_ID) is used more than once", line)
    return frame


def _tier_roots(path: Path, eaf: Eaf) -> dict[str, str]:
    """tier -> its top-level tier, following PARENT_REF or a name ``<name>@<parent>``."""
    parents: dict[str, str | None] = {}
    for tier, (_, _, attrib, _) in eaf.tiers.items():
        parent = attrib.get("PARENT_REF") or None
        if parent is None and "@" in tier and tier.rsplit("@", 1)[1] in eaf.tiers:
            parent = tier.rsplit("@", 1)[1]
        if parent is not None and parent not in eaf.tiers:
            raise ReadError(
                path, f"tier {_number(eaf, tier)} names a parent tier that is not in the file"
            )
        parents[tier] = parent
    out = {}
    for tier in parents:
        top, seen = tier, {tier}
        while parents[top] is not None:
            top = parents[top]
            if top in seen:
                raise ReadError(
                    path, f"tier {_number(eaf, tier)} is its own ancestor (PARENT_REF loop)"
                )
            seen.add(top)
        out[tier] = top
    return out


def _number(eaf: Eaf, tier: str) -> str:
    """A tier named by its position (its name is file content)."""
    return f"number {list(eaf.tiers).index(tier) + 1} (in file order)"


def _annotations(eaf: Eaf, roots: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Alignable annotations (aid, tier, top, slots, value, order) and reference annotations."""
    aligned: dict[str, list] = {k: [] for k in ("aid", "tier", "top", "ts1", "ts2", "value")}
    refs: dict[str, list] = {k: [] for k in ("aid", "tier", "ref", "value")}
    for tier, (align, ref, _, _) in eaf.tiers.items():
        aligned["aid"] += align
        aligned["tier"] += [tier] * len(align)
        aligned["top"] += [roots[tier]] * len(align)
        aligned["ts1"] += [a[0] for a in align.values()]
        aligned["ts2"] += [a[1] for a in align.values()]
        aligned["value"] += [a[2] for a in align.values()]
        refs["aid"] += ref
        refs["tier"] += [tier] * len(ref)
        refs["ref"] += [r[0] for r in ref.values()]
        refs["value"] += [r[1] for r in ref.values()]
    text = {k: pl.String for k in aligned}
    return (
        pl.DataFrame(aligned, schema=text).with_row_index("order"),
        pl.DataFrame(refs, schema={k: pl.String for k in refs}).with_row_index("order"),
    )


def _timed(path: Path, eaf: Eaf, aligned: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Add onset/offset (ms; null when unaligned), filled times for matching, and lines."""
    slots = pl.DataFrame(
        {"ts": list(eaf.timeslots), "t": list(eaf.timeslots.values())},
        schema={"ts": pl.String, "t": pl.Int64},
    ).with_columns(filled=pl.col("t").forward_fill().fill_null(0))
    frame = aligned.join(lines, on="aid", how="left")
    for end in ("1", "2"):
        frame = frame.join(
            slots.rename({"ts": f"ts{end}", "t": f"t{end}", "filled": f"f{end}"}),
            on=f"ts{end}",
            how="left",
            maintain_order="left",
        )
    missing = frame.filter(pl.col("f1").is_null() | pl.col("f2").is_null())
    if missing.height:
        line = missing["line"][0]
        raise ReadError(path, "an annotation refers to a time slot not in TIME_ORDER", line)
    bad = frame.filter((pl.col("t1") < 0) | (pl.col("t2") < pl.col("t1")))
    if bad.height:
        t1, t2, line = bad.select("t1", "t2", "line").row(0)
        raise ReadError(path, f"annotation from {t1} ms to {t2} ms runs backwards", line)
    return frame


def _dependents(
    frame: pl.DataFrame, refs: pl.DataFrame, roots: dict
) -> tuple[pl.DataFrame, Counter]:
    """(row aid, column, value) for every dependent annotation; unmatched ones counted."""
    rows = frame.filter(pl.col("tier") == pl.col("top"))
    timed_children = frame.filter(pl.col("tier") != pl.col("top"))
    # time-aligned children: the top-level annotation on their top tier holding their onset
    parents = rows.select("top", on="f1", off="f2", row="aid").sort("on")
    placed = (
        timed_children.sort("f1")
        .join_asof(parents, left_on="f1", right_on="on", by="top", check_sortedness=False)
        .with_columns(
            row=pl.when((pl.col("f1") < pl.col("off")) | (pl.col("f1") == pl.col("on"))).then(
                pl.col("row")
            )
        )
        .select("aid", "row")
    )
    owner = pl.concat([rows.select("aid", row="aid"), placed])
    # reference annotations: follow ANNOTATION_REF to an alignable annotation
    chain = refs.select("aid", target="ref")
    step = refs.select(target="aid", next="ref")
    for _ in range(len(roots) + 1):  # a chain is at most as long as the tier hierarchy
        if not chain["target"].is_in(step["target"].implode()).any():
            break
        chain = (
            chain.join(step, on="target", how="left", maintain_order="left")
            .with_columns(target=pl.coalesce("next", "target"))
            .drop("next")
        )
    resolved = refs.join(chain, on="aid", how="left", maintain_order="left").join(
        owner.rename({"aid": "target"}), on="target", how="left", maintain_order="left"
    )
    values = pl.concat(
        [
            timed_children.join(placed, on="aid", how="left").select(
                "tier", "order", "row", "value", ref=pl.lit(False)
            ),
            resolved.select("tier", "order", "row", "value", ref=pl.lit(True)),
        ]
    ).sort("ref", "order")
    lost = values.filter(pl.col("row").is_null())
    unmatched = Counter(dict(lost.group_by("tier").len().iter_rows()))
    return values.filter(pl.col("row").is_not_null()), unmatched


def _column_name(tier: str) -> str:
    name = tier.rsplit("@", 1)[0] if "@" in tier else tier
    return f"tier_{name}" if name in seg.SCHEMA or name in _INTERNAL else name


def _check_times(path: Path, data: bytes, eaf: Eaf) -> None:
    """Every time slot within the span budget (so inside int64 ms), or a ``ReadError`` naming
    the slot's line."""
    span = current().max_span_ms
    for slot, t in eaf.timeslots.items():
        if t is not None and abs(t) > span:
            at = data.find(f'TIME_SLOT_ID="{slot}"'.encode())
            line = data.count(b"\n", 0, at) + 1 if at >= 0 else None
            check_time(path, abs(t), line, "a time slot")  # its id is file content


def _recording(path: Path, data: bytes, eaf: Eaf, role_map: dict, keep_text: bool) -> Recording:
    _check_times(path, data, eaf)
    roots = _tier_roots(path, eaf)
    aligned, refs = _annotations(eaf, roots)
    frame = _timed(path, eaf, aligned, _lines(path, data))
    values, unmatched = _dependents(frame, refs, roots)
    warnings: list[str] = []

    coded = {
        tier
        for tier, (_, _, attrib, _) in eaf.tiers.items()
        if eaf.linguistic_types.get(attrib.get("LINGUISTIC_TYPE_REF"), {}).get(
            "CONTROLLED_VOCABULARY_REF"
        )
        or _column_name(tier) in CODE_COLUMNS
    }
    values = values.with_columns(
        column=pl.col("tier").replace_strict(
            {t: _column_name(t) for t in eaf.tiers}, return_dtype=pl.String
        )
    )
    if not keep_text:
        free = values.filter(~pl.col("tier").is_in(list(coded)))
        if free.height:
            warnings.append(
                f"privacy mode: {free.height} value(s) on {free['tier'].n_unique()} free-text "
                "dependent tier(s) not kept"
            )
        values = values.filter(pl.col("tier").is_in(list(coded)))
    columns = sorted(values["column"].unique())
    if values.height:
        wide = (
            values.group_by("row", "column", maintain_order=True)
            .agg(pl.col("value").str.join(" "))
            .pivot(on="column", index="row", values="value")
            .rename({"row": "aid"})
        )
        frame = frame.join(wide, on="aid", how="left", maintain_order="left")

    rows = frame.filter(pl.col("tier") == pl.col("top")).with_columns(
        pl.col("tier").str.strip_chars().alias("speaker_id")
    )
    roles, speakers, notes = speaker_columns(rows, role_map, "ELAN")
    if "vcm" in columns:
        roles["kind"] = (
            pl.when(roles["kind"].eq("vocal") & pl.col("vcm").is_in(list(KIND_OF_VCM)))
            .then(pl.col("vcm").replace_strict(KIND_OF_VCM, default=None))
            .otherwise(roles["kind"])
        )
    timed = pl.col("t1").is_not_null() & pl.col("t2").is_not_null()
    table = seg.build(
        rows.select(
            *columns,
            segment_onset=pl.when(timed).then(pl.col("t1")),
            segment_offset=pl.when(timed).then(pl.col("t2")),
            speaker_id=pl.col("speaker_id"),
            text=pl.col("value"),
            source_line=pl.col("line"),
            **roles,
        ),
        keep_text=keep_text,
    )

    untimed = table.height - int(table["segment_onset"].is_not_null().sum())
    if untimed:
        warnings.append(f"{untimed} annotation(s) have a time slot without a time: kept untimed")
    if unmatched:
        listed = ", ".join(f"{t!r} ×{n}" for t, n in unmatched.most_common())
        warnings.append(
            f"{sum(unmatched.values())} dependent-tier annotation(s) match no annotation of their "
            f"parent tier and are not kept{f': {listed}' if keep_text else ''}"
        )
    original = {tier.strip(): tier for tier in eaf.tiers}
    participants = [
        Participant(
            id=name,
            role="",
            speaker_type=kind,
            name=(eaf.tiers[original[name]][2].get("PARTICIPANT") or None) if keep_text else None,
        )
        for name, kind in speakers
    ]
    times = [t for t in eaf.timeslots.values() if t is not None]
    extra: dict = {"eaf_version": eaf.adocument.get("VERSION")}
    if keep_text and eaf.media_descriptors:
        extra["media_url"] = eaf.media_descriptors[0].get("MEDIA_URL")
    if not keep_text:
        extra["vocabularies"] = _vocabularies(eaf)
    return Recording(
        id=path.stem,
        path=str(path),
        format=FORMAT,
        segments=table,
        duration_ms=max(times) if times else None,
        participants=participants,
        warnings=warnings + notes,
        extra=extra,
        keep_text=keep_text,
    )


def _vocabularies(eaf: Eaf) -> dict[str, list[str]]:
    """Column -> the values of its tier's controlled vocabulary, for ``io.privacy``."""
    out: dict[str, list[str]] = {}
    for tier, (_, _, attrib, _) in eaf.tiers.items():
        kind = eaf.linguistic_types.get(attrib.get("LINGUISTIC_TYPE_REF"), {})
        cv = eaf.controlled_vocabularies.get(kind.get("CONTROLLED_VOCABULARY_REF"))
        if cv is not None:
            entries = [value for values, _ in cv[1].values() for value, *_ in values]
            out.setdefault(_column_name(tier), []).extend(entries)
    return out


def speaker_columns(
    rows: pl.DataFrame, role_map: dict[str, str], reader: str
) -> tuple[dict[str, pl.Expr], list[tuple[str, str]], list[str]]:
    """``speaker_type``, ``kind`` and ``code`` for rows with a ``speaker_id`` (tier name), the
    speakers with their types, and the warnings: non-speaker tiers, labels no map knows.

    Shared with the TextGrid reader. ACLEW non-speaker tiers not named in the map are ``episode``
    rows with ``speaker_type`` UNK and the tier name in ``code``.
    """
    episode = pl.col("speaker_id").is_in(list(NON_SPEAKER_TIERS - set(role_map)))
    speakers = rows.filter(~episode)["speaker_id"].unique(maintain_order=True).to_list()
    types, unknown = role_maps.apply(speakers, role_map)
    counts = dict(rows.group_by("speaker_id").len().iter_rows())
    episodes = Counter({tier: counts[tier] for tier in counts if tier not in speakers})
    notes = []
    if episodes:
        listed = ", ".join(f"{t!r} ×{n}" for t, n in episodes.most_common())
        notes.append(
            f"{sum(episodes.values())} segment(s) on ACLEW non-speaker tier(s) kept as kind "
            f"'episode' rows with speaker_type UNK: {listed}"
        )
    notes += role_maps.unknown_warning(Counter({t: counts[t] for t in unknown}), reader)
    exprs = {
        "speaker_type": pl.when(episode)
        .then(pl.lit("UNK"))
        .otherwise(
            pl.col("speaker_id").replace_strict(
                dict(zip(speakers, types, strict=True)), default="UNK"
            )
        ),
        "kind": pl.when(episode).then(pl.lit("episode")).otherwise(pl.lit("vocal")),
        "code": pl.when(episode).then(pl.col("speaker_id")),
    }
    return exprs, list(zip(speakers, types, strict=True)), notes
