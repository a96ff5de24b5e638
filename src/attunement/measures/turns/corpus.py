"""Turn counts for a whole corpus in one pass: every recording of a concatenated segments table
(a ``recording_id`` column, or any column named by ``by``), every rule, no Python loop over
recordings. Recordings are kept apart by the rules' own boundaries (DESIGN.md: sort by
(recording, onset) and mask at recording boundaries), so the counts equal ``turns()`` run
recording by recording."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import polars as pl

from attunement.measures.turns.kernels import ADULT, CHILD
from attunement.measures.turns.rules import RULES, parameters


def corpus_turns(
    segments: pl.DataFrame,
    rules: Iterable[str] = tuple(RULES),
    *,
    by: str = "recording_id",
    params: dict[str, dict[str, Any]] | None = None,
) -> pl.DataFrame:
    """One row per recording: ``turns_<rule>`` for each rule, plus child and adult vocal units.

    ``params`` maps a rule name to its parameter overrides. Untimed rows are ignored.
    """
    frame = segments.filter(pl.col("segment_onset").is_not_null())
    if not _sorted(frame, by):
        frame = frame.sort([by, "segment_onset"], maintain_order=True)
    run = frame.select(pl.col(by).rle_id()).to_series()
    group = run.to_numpy().astype(np.int64)
    ids = frame[by].filter(run != run.shift(1, fill_value=-1))
    out: dict[str, Any] = {by: ids}
    role = None
    for rule in rules:
        p = parameters(rule, (params or {}).get(rule, {}))
        pairs = RULES[rule].count(frame, p, group)
        out[f"turns_{rule}"] = np.bincount(group[pairs.response], minlength=len(ids))
        if rule in ("alternation", "window"):
            role = pairs.role
    if role is not None:
        out["child_units"] = np.bincount(group[role == CHILD], minlength=len(ids))
        out["adult_units"] = np.bincount(group[role == ADULT], minlength=len(ids))
    return pl.DataFrame(out)


def _sorted(frame: pl.DataFrame, by: str) -> bool:
    """True when rows are grouped by ``by`` in ascending order and sorted by onset within."""
    if frame.height < 2:
        return True
    return bool(
        frame.select(
            (
                (pl.col(by) > pl.col(by).shift(1))
                | (
                    (pl.col(by) == pl.col(by).shift(1))
                    & (pl.col("segment_onset") >= pl.col("segment_onset").shift(1))
                )
            )
            .slice(1)
            .all()
        ).item()
    )
