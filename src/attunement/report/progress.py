"""Progress against the child's own start: each later visit compared with the first by a
reliable-change band (Jacobson & Truax 1991, J Consult Clin Psychol 59:12), never against norms.

For a figure x (turns per hour, response rate, observed/chance ratio) each visit has a standard
error ``se``:

- when the turn result carries a 95% interval from an error model (``<figure>_low`` and
  ``<figure>_high``, issue 14), ``se = (high - low) / (2 * 1.96)``;
- otherwise from the *within-day variability*: the same measure, with the same rule and
  parameters, on each full hour of recorded audio (``hour_figures``: hours with at least
  ``FULL_HOUR_S`` recorded; partial hours are left out, never scaled up), and
  ``se = SD(hourly values) / sqrt(n hours)``. Hours of one day are not independent, so this is
  an approximation, and a day with fewer than ``MIN_HOURS_FOR_SE`` full hours has no band.

A later visit differs from the first reliably when ``|x_later - x_first| > 1.96 *
sqrt(se_first**2 + se_later**2)`` (the reliable-change index above 1.96): ``more`` or ``fewer``;
inside the band it is ``same`` ("about the same"), never read as a change. The first visit is
``first``; a visit below the data-quality minimum, or compared with one, is
``not_enough_data``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attunement.errors import DataError
from attunement.measures.registry import family
from attunement.measures.turns.clock import pieces
from attunement.recording import Recording

FIGURES = ("turns_per_hour", "response_rate", "chance_ratio")
Z = 1.96
HOUR_MS = 3_600_000
FULL_HOUR_S = 3000.0  # an hour with at least 50 minutes recorded counts as full
MIN_HOURS_FOR_SE = 3
CHANGES = ("first", "more", "same", "fewer", "not_enough_data")


@dataclass(frozen=True)
class Estimate:
    """A visit's value of one figure, its standard error and where the error came from
    (``interval``: the error model's 95% interval; ``hours``: hour-to-hour variability)."""

    value: float | None
    se: float | None
    basis: str | None

    def range(self) -> tuple[float, float] | None:
        """The 95% range ``value +- 1.96 se`` (None without a standard error)."""
        if self.value is None or self.se is None:
            return None
        return self.value - Z * self.se, self.value + Z * self.se


def hour_slices(rec: Recording) -> list[tuple[Recording, float]]:
    """``rec`` cut into consecutive hours of its own timeline (recorder pauses removed), each
    a Recording of its own with the segments that start in it, and the seconds recorded in it."""
    ps = pieces(rec)
    end = max((p.end_ms for p in ps), default=0)
    segments = rec.segments.filter(pl.col("segment_onset").is_not_null())
    out = []
    for k in range(math.ceil(end / HOUR_MS)):
        lo, hi = k * HOUR_MS, (k + 1) * HOUR_MS
        clipped = [
            {"start_ms": max(p.start_ms, lo) - lo, "end_ms": min(p.end_ms, hi) - lo}
            for p in ps
            if p.end_ms > lo and p.start_ms < hi
        ]
        recorded = sum(c["end_ms"] - c["start_ms"] for c in clipped)
        part = segments.filter(pl.col("segment_onset").is_between(lo, hi, closed="left"))
        part = part.with_columns(pl.col("segment_onset") - lo, pl.col("segment_offset") - lo)
        sub = Recording(
            id=f"{rec.id}#{k + 1}",
            path=rec.path,
            format=rec.format,
            segments=part,
            duration_ms=hi - lo,
            extra={"recordings": [c | {"start_clock": None} for c in clipped]},
            keep_text=False,
        )
        out.append((sub, recorded / 1000))
    return out


def hour_figures(rec: Recording, parameters: dict[str, Any]) -> list[dict[str, float | None]]:
    """The figures of every full hour of ``rec`` (``hour_slices`` pieces with at least
    ``FULL_HOUR_S`` recorded) under the turn ``parameters`` of the whole day's result, without
    its error model; an hour without a vocalisation has no turns and no rates."""
    turns = family("turns")
    declared = {p.name for p in turns.parameters}
    # an error model's intervals stand in for the hours where they exist (``estimate``)
    config = {k: v for k, v in parameters.items() if k in declared and k != "error_model"}
    out = []
    for sub, recorded_s in hour_slices(rec):
        if recorded_s < FULL_HOUR_S:
            continue
        try:
            values = turns.run(sub, **config).figures()
        except DataError:
            values = {"turns_per_hour": 0.0}
        out.append({name: values.get(name) for name in FIGURES})
    return out


def estimate(result, name: str, hours: list[dict[str, float | None]]) -> Estimate:
    """The visit's ``name`` with its standard error (see the module docstring)."""
    value = getattr(result, name, None)
    if value is None:
        return Estimate(None, None, None)
    low, high = getattr(result, f"{name}_low", None), getattr(result, f"{name}_high", None)
    if low is not None and high is not None:
        return Estimate(float(value), (high - low) / (2 * Z), "interval")
    values = np.array([h[name] for h in hours if h.get(name) is not None], dtype=float)
    if len(values) < MIN_HOURS_FOR_SE:
        return Estimate(float(value), None, None)
    return Estimate(float(value), float(values.std(ddof=1) / math.sqrt(len(values))), "hours")


def band(first: Estimate, later: Estimate) -> float | None:
    """Half-width of the reliable-change band between two visits (None without both errors)."""
    if first.se is None or later.se is None:
        return None
    return Z * math.sqrt(first.se**2 + later.se**2)


def change(first: Estimate | None, later: Estimate | None) -> str:
    """``more``, ``same`` or ``fewer`` than the first visit, or ``not_enough_data``."""
    if first is None or later is None or first.value is None or later.value is None:
        return "not_enough_data"
    half = band(first, later)
    if half is None:
        return "not_enough_data"
    difference = later.value - first.value
    if difference > half:
        return "more"
    if difference < -half:
        return "fewer"
    return "same"
