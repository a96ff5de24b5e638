"""``agree_counts``: counts per clip from two annotations of the same recordings, and how well
they agree across clips (``stats``).

Per clip ``[onset, offset)`` (a segment belongs to the clip its onset falls in):
``child_vocalisations`` (key-child segments of kind ``vocal``: LENA's CVC leaves out cries and
vegetative sounds), ``adult_words`` (the words of FEM, MAL and ADU segments; only when both
annotations carry word counts) and ``turns`` under the named rule, counted inside the clip.

Recordings are paired by id or file stem (a single file on each side pairs as it is). Clips are
a clip list's (``clips``), windows of ``clip_s`` over the part both annotations cover (a last
window shorter than ``clip_s`` is left out), or, by default, that whole part: the human
annotation's own clip.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from attunement.errors import DataError
from attunement.measures.agreement import stats
from attunement.measures.agreement.clips import Clip, for_recording
from attunement.measures.agreement.compare import clip_region, region
from attunement.measures.agreement.result import CountAgreement
from attunement.recording import Recording

COUNTS = ("child_vocalisations", "adult_words", "turns")
ADULTS = ("FEM", "MAL", "ADU")
SOURCE = (
    "McGraw & Wong (1996) Psychol Methods 1:30-46; Bland & Altman (1986) Lancet 327:307-310; "
    "Cristia et al. (2020) Behav Res Methods 53:467-486"
)


def pair(
    references: Sequence[Recording], hypotheses: Sequence[Recording]
) -> tuple[list[tuple[Recording, Recording]], list[str]]:
    """Reference and hypothesis recordings of the same audio, and what could not be paired."""
    if len(references) == 1 and len(hypotheses) == 1:
        return [(references[0], hypotheses[0])], []
    by_key = {_key(h): h for h in hypotheses}
    pairs = [(r, by_key[_key(r)]) for r in references if _key(r) in by_key]
    used = {_key(r) for r, _ in pairs}
    unpaired = [f"{_key(r)} (reference)" for r in references if _key(r) not in used]
    unpaired += [f"{k} (hypothesis)" for k in by_key if k not in used]
    if not pairs:
        raise DataError(
            "no recording is on both sides; recordings are paired by file name (without "
            f"extension): reference {sorted({_key(r) for r in references})}, hypothesis "
            f"{sorted(by_key)}"
        )
    return pairs, unpaired


def _key(rec: Recording) -> str:
    return Path(rec.path).name.rsplit(".", 1)[0] if rec.path else rec.id


def clip_table(
    pairs: list[tuple[Recording, Recording]],
    *,
    clip_s: float | None,
    clips: list[Clip] | None,
    clip_set: str | None,
    rule: str,
) -> tuple[pl.DataFrame, list[str]]:
    """One row per clip with both sides' counts (null adult words where a side has none)."""
    rows, notes = [], []
    for ref, hyp in pairs:
        if clips is not None:
            mine = for_recording(clips, ref, clip_set) or for_recording(clips, hyp, clip_set)
            if not mine:
                notes.append(f"{_key(ref)}: no clip in the clip list")
                continue
            spans = [(c.onset_s, c.offset_s) for c in mine]
            clip_region([ref, hyp], spans)  # each clip inside both recordings
        else:
            lo, hi = region([ref, hyp], None)[0] / 1000
            if clip_s is None:
                spans = [(lo, hi)]
            else:
                n = int((hi - lo) // clip_s)
                if not n:
                    raise DataError(
                        f"{_key(ref)}: the {hi - lo:g} s both annotations cover are shorter "
                        f"than one clip of {clip_s:g} s"
                    )
                spans = [(lo + i * clip_s, lo + (i + 1) * clip_s) for i in range(n)]
        for onset, offset in spans:
            row = {"recording": _key(ref), "onset_s": onset, "offset_s": offset}
            for side, rec in (("reference", ref), ("hypothesis", hyp)):
                for name, value in _counts(rec, onset, offset, rule).items():
                    row[f"{name}_{side}"] = value
            rows.append(row)
    if not rows:
        raise DataError("no clip to compare: " + "; ".join(notes))
    return pl.DataFrame(rows, infer_schema_length=None), notes


def _counts(rec: Recording, onset_s: float, offset_s: float, rule: str) -> dict[str, float]:
    from attunement.measures.turns import count_turns

    on = pl.col("segment_onset")
    inside = rec.segments.filter(on.is_not_null() & (on >= onset_s * 1000) & (on < offset_s * 1000))
    kind = pl.col("kind").cast(pl.String)
    who = pl.col("speaker_type").cast(pl.String)
    adults = inside.filter(who.is_in(ADULTS) & (kind == "vocal"))
    has_words = (
        "words" in inside.columns
        and rec.segments.filter(pl.col("speaker_type").cast(pl.String).is_in(ADULTS))["words"]
        .is_not_null()
        .any()
    )
    return {
        "child_vocalisations": inside.filter((who == "CHI") & (kind == "vocal")).height,
        "adult_words": float(adults["words"].fill_null(0).sum()) if has_words else None,
        "turns": count_turns(inside, rule) if inside.height else 0,
    }


def agree_counts(
    references: Sequence[Recording],
    hypotheses: Sequence[Recording],
    *,
    clip_s: float | None = None,
    rule: str = "lena",
    clips: list[Clip] | None = None,
    clip_set: str | None = None,
) -> list[CountAgreement]:
    """One ``CountAgreement`` per count (``COUNTS``) over every clip of every paired recording."""
    from attunement.measures.families.agree_counts import PARAMETERS
    from attunement.measures.params import validate

    config = validate(PARAMETERS, {"clip_s": clip_s, "rule": rule}, "agree_counts")
    pairs, unpaired = pair(references, hypotheses)
    table, notes = clip_table(
        pairs, clip_s=config["clip_s"], clips=clips, clip_set=clip_set, rule=config["rule"]
    )
    warnings = [f"not paired: {', '.join(unpaired)}"] if unpaired else []
    warnings += notes
    out = []
    for name in COUNTS:
        sub = table.select(
            "recording",
            "onset_s",
            "offset_s",
            reference=f"{name}_reference",
            hypothesis=f"{name}_hypothesis",
        ).drop_nulls(["reference", "hypothesis"])
        ref = sub["reference"].to_numpy().astype(float)
        hyp = sub["hypothesis"].to_numpy().astype(float)
        mine = list(warnings)
        if sub.height < 3:
            mine.append(
                f"{sub.height} clip(s) with {name} on both sides: correlations and ICCs "
                "need at least 3"
            )
        r, rho = stats.correlations(ref, hyp)
        out.append(
            CountAgreement(
                path=pairs[0][0].path if len(pairs) == 1 else "",
                recording_id=pairs[0][0].id if len(pairs) == 1 else f"{len(pairs)} recordings",
                parameters={**config, "clip_set": clip_set, "clip_list": clips is not None},
                source=SOURCE,
                definition=__doc__.split("\n\n")[1].replace("\n", " "),
                count=name,
                clips=sub.height,
                reference_mean=float(ref.mean()) if len(ref) else None,
                hypothesis_mean=float(hyp.mean()) if len(hyp) else None,
                pearson_r=r,
                spearman_rho=rho,
                **stats.icc(ref, hyp),
                **stats.bland_altman(ref, hyp),
                per_clip=sub,
                warnings=mine,
            )
        )
    return out
