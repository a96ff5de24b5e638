"""``TurnResult``: what a turn rule found in one recording, with the rule and every parameter.

Each figure is defined once, in the ``turns`` family's catalogue entry
(``measures/families/turns.py``; ``attunement measures`` prints it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import polars as pl

from attunement.measures.base import Result


@dataclass
class TurnResult(Result):
    """Serve-and-return figures of one recording under one turn rule (``parameters["rule"]``).

    A *turn* is one counted serve -> response pair of the rule; an *exchange* is a chain of turns
    linked by the rule; a *serve* is a vocalisation that opened an exchange (``child_serves``,
    ``adult_serves``); a *return* is any answer (``adult_returns``: an adult answered the child;
    ``child_returns``: the child answered an adult), so ``turns = adult_returns +
    child_returns``. ``pairs`` holds one row per turn (``to_frame``).
    """

    family: ClassVar[str] = "turns"

    path: str
    recording_id: str
    parameters: dict[str, Any]
    source: str
    definition: str
    recorded_s: float
    turns: int
    turns_per_hour: float | None
    child_serves: int
    adult_serves: int
    adult_returns: int
    child_returns: int
    child_units: int
    adult_units: int
    response_rate: float | None
    latency_median_s: float | None
    latency_q1_s: float | None
    latency_q3_s: float | None
    exchanges: int
    longest_exchange: int
    other_child_units: int
    other_child_turns: int
    chance_turns: float | None
    chance_sd: float | None
    chance_ratio: float | None
    chance_p: float | None
    latency_histogram: dict[str, list]
    exchange_lengths: dict[int, int]
    by_caregiver: dict[str, dict[str, int]]
    lena_12h_projection: float | None = None
    lena_agreement: dict[str, Any] | None = None
    turns_low: int | None = None
    turns_high: int | None = None
    turns_per_hour_low: float | None = None
    turns_per_hour_high: float | None = None
    response_rate_low: float | None = None
    response_rate_high: float | None = None
    turns_bias: float | None = None
    turns_corrected: float | None = None
    turns_per_hour_corrected: float | None = None
    uncertainty: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    pairs: pl.DataFrame | None = field(default=None, repr=False)
    bins_5min: pl.DataFrame | None = field(default=None, repr=False)
    bins_1h: pl.DataFrame | None = field(default=None, repr=False)

    @property
    def rule(self) -> str:
        return self.parameters["rule"]

    def to_frame(self) -> pl.DataFrame:
        """One row per turn: serve and response times and speakers, latency, exchange."""
        return self.pairs if self.pairs is not None else pl.DataFrame()

    def tables(self) -> dict[str, pl.DataFrame]:
        """The detail tables a corpus stores: ``turns_bins`` (both bin sizes, ``bin_minutes``)."""
        bins = [
            frame.with_columns(bin_minutes=pl.lit(minutes, pl.Int64))
            for minutes, frame in ((60, self.bins_1h), (5, self.bins_5min))
            if frame is not None
        ]
        return {"turns_bins": pl.concat(bins, how="diagonal_relaxed")} if bins else {}
