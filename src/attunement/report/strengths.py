"""Strength moments: the best serve-and-return stretches of one recording, to find in the audio
and play back to the parent (the strength-based clips of FIND: Fisher et al. 2016, Prev Sci 17).

A *stretch* is a run of the rule's exchanges (``TurnResult.pairs``: chains of linked turns)
whose gaps are shorter than ``GAP_S``: one conversation as a listener hears it. Its *score* is
its turns minus the turns chance would give in the same time at the recording's chance rate
(``chance_turns`` per second recorded, from the circular-shift baseline; without a baseline,
none is subtracted and the page says so), so a stretch counts only what is more than the
adults' talk falling after the child's by accident. The three best stretches with at least
``MIN_TURNS`` turns and at least twice the turns chance would give are kept, best first.

The chance rate is the day's average: in a busy stretch chance would give more, so the score is
an upper bound of the contingent part; that is why a stretch must double it. Whether the whole
day's turns are above chance (``above_chance``) is a separate question the coach text answers
(a day close to chance is never called contingent; its moments are still conversations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from attunement.measures.turns import TurnResult
from attunement.measures.turns.clock import pieces
from attunement.recording import Recording

GAP_S = 15.0
MIN_TURNS = 3
TOP = 3
ABOVE_CHANCE_P = 0.05


@dataclass(frozen=True)
class Moment:
    """One stretch: its start on the recording's timeline (s), its clock time when known, its
    duration (s), turns, and its score (turns above chance)."""

    start_s: float
    clock: datetime | None
    duration_s: float
    turns: int
    above_chance: float

    def to_dict(self) -> dict:
        start = self.clock.strftime("%H:%M:%S") if self.clock else _elapsed(self.start_s)
        return {
            "start": start,
            "clock": self.clock is not None,
            "start_s": round(self.start_s, 1),
            "duration_s": round(self.duration_s, 1),
            "turns": self.turns,
        }


def above_chance(result: TurnResult) -> bool:
    """Whether the recording's turns are above what chance timing gives (``chance_p``)."""
    return (
        result.chance_p is not None
        and result.chance_p <= ABOVE_CHANCE_P
        and (result.chance_ratio or 0) > 1
    )


def moments(rec: Recording, result: TurnResult, top: int = TOP) -> list[Moment]:
    """The ``top`` best stretches of ``rec`` (see the module docstring), best first."""
    pairs = result.pairs
    if pairs is None or not pairs.height or not result.recorded_s:
        return []
    spans = (
        pairs.group_by("exchange")
        .agg(
            start=pl.col("serve_segment_onset").min(),
            end=pl.max_horizontal("serve_segment_offset", "response_segment_offset").max(),
            turns=pl.len(),
        )
        .sort("start")
    )
    start = spans["start"].to_numpy()
    end = np.maximum.accumulate(spans["end"].to_numpy())
    new = np.ones(len(start), dtype=bool)
    new[1:] = start[1:] - end[:-1] > GAP_S * 1000
    stretch = np.cumsum(new) - 1
    frame = (
        spans.with_columns(stretch=pl.Series(stretch))
        .group_by("stretch")
        .agg(pl.col("start").min(), pl.col("end").max(), pl.col("turns").sum())
    )
    rate = (result.chance_turns or 0.0) / result.recorded_s  # chance turns per second
    frame = frame.with_columns(duration_s=(pl.col("end") - pl.col("start")) / 1000).with_columns(
        score=pl.col("turns") - rate * pl.col("duration_s")
    )
    best = (
        frame.filter((pl.col("turns") >= MIN_TURNS) & (pl.col("score") >= pl.col("turns") / 2))
        .sort(["score", "start"], descending=[True, False])
        .head(top)
    )
    return [
        Moment(
            start_s=row["start"] / 1000,
            clock=clock_at(rec, row["start"]),
            duration_s=row["duration_s"],
            turns=int(row["turns"]),
            above_chance=float(row["score"]),
        )
        for row in best.iter_rows(named=True)
    ]


def clock_at(rec: Recording, ms: int) -> datetime | None:
    """The local clock time of ``ms`` on the recording's timeline (None when unknown)."""
    for piece in reversed(pieces(rec)):
        if piece.start_ms <= ms:
            if piece.clock is None:
                return None
            return piece.clock + timedelta(milliseconds=ms - piece.start_ms)
    return None


def _elapsed(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
