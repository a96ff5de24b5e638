"""``TurnResult``: what a turn rule found in one recording, with the rule and every parameter."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import polars as pl


@dataclass
class TurnResult:
    """Serve-and-return measures of one recording under one turn rule.

    Definitions: a *turn* is one counted serve -> response pair of the rule; an *exchange* is a
    chain of turns linked by the rule (see each rule); *child_serves* / *adult_serves* count the
    exchanges each side opened; *child_serves_returned* / *adult_serves_returned* count turns by
    the side that served; *response_rate* is the share of key-child vocal units followed by an
    adult vocal unit starting within [offset, offset + window] (plus the rule's overlap
    allowance); *latency* is response onset minus serve offset for child serves answered by an
    adult (negative when the answer overlaps). *chance_turns* is the mean count over circularly
    shifted adult streams (see ``chance``); *chance_p* = (shifted counts >= observed + 1) / (n + 1).
    """

    path: str
    recording_id: str
    rule: str
    parameters: dict[str, Any]
    source: str
    definition: str
    recorded_s: float
    turns: int
    turns_per_hour: float | None
    child_units: int
    adult_units: int
    child_serves: int
    adult_serves: int
    child_serves_returned: int
    adult_serves_returned: int
    response_rate: float | None
    latency_median_s: float | None
    latency_iqr_s: list[float] | None
    latency_histogram: dict[str, list]
    exchanges: int
    exchange_lengths: dict[int, int]
    longest_exchange: int
    by_caregiver: dict[str, dict[str, int]]
    other_child_units: int
    other_child_turns: int
    chance_turns: float | None
    chance_sd: float | None
    chance_ratio: float | None
    chance_p: float | None
    projection_12h: float | None = None
    lena_agreement: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    pairs: pl.DataFrame | None = field(default=None, repr=False)
    bins_5min: pl.DataFrame | None = field(default=None, repr=False)
    bins_1h: pl.DataFrame | None = field(default=None, repr=False)

    def to_frame(self) -> pl.DataFrame:
        """One row per turn: serve and response times and speakers, latency, exchange."""
        return self.pairs if self.pairs is not None else pl.DataFrame()

    def to_dict(self, bins: bool = True) -> dict[str, Any]:
        """A JSON-ready dict of every figure (with the 1-hour and 5-minute bins if ``bins``)."""
        out = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("pairs", "bins_5min", "bins_1h", "projection_12h")
        }
        out["exchange_lengths"] = {str(k): v for k, v in self.exchange_lengths.items()}
        if self.projection_12h is not None:
            out["lena_12h_projection_turns"] = self.projection_12h
        if bins:
            for name in ("bins_1h", "bins_5min"):
                frame = getattr(self, name)
                out[name] = [] if frame is None else _json_rows(frame)
        return out


def _json_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    rows = frame.to_dicts()
    for row in rows:
        if row.get("bin_start") is not None:
            row["bin_start"] = row["bin_start"].isoformat()
    return rows
