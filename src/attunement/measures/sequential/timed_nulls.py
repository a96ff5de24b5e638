"""Chance for time-window tables: how large is Yule's Q when the target stream's timing is unrelated
to the antecedent's?

- ``circular_shift``: the target unit grid of one recording is rotated by ``k`` units, ``k`` drawn
  uniformly from ``[m, n - m]`` (``n`` units; ``m`` = ``min_shift`` in units, by default the
  window length, at least 1), ``n_shifts`` times; the antecedent windows stay put. The target
  stream keeps its own amount and rhythm; only its alignment with the antecedent is broken (a
  circular-shift surrogate: Moulder, Boker, Ramseyer & Tschacher 2018, Psychological Methods
  23:757). A shift moves every target row by ``k * Δ`` modulo ``n * Δ`` (the timeline rounded up
  to whole units).
- ``pseudo_dyads``: each recording's antecedent windows paired with *another* recording's target
  grid, roles kept (Bernieri, Reznick & Rosenthal 1988, J Pers Soc Psychol 54:243). All ordered
  pairs ``i != j``, or ``n_pairs`` random ones; two grids of different length are compared over
  their common first units.

Each real table is compared with the null Q values: ``alternative="greater"`` counts null Q >=
observed Q, ``"less"`` null Q <= observed Q; p = (count + 1) / (n + 1) (Phipson & Smyth 2010,
Stat Appl Genet Mol Biol 9:39) with Monte Carlo standard error sqrt(p (1 − p) / n). Null draws
whose Q is undefined (ad + bc = 0) are left out of n and counted in ``warnings``. Seeded with
``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from attunement.measures.sequential.timewindow import (
    SOURCE,
    Selector,
    Streams,
    Table2x2,
    WindowSpec,
    streams,
    tally,
)
from attunement.recording import Recording

ALTERNATIVES = ("greater", "less")
NULL_SOURCES = {
    "circular_shift": "Moulder, Boker, Ramseyer & Tschacher (2018) Psychol Methods 23:757",
    "pseudo_dyads": "Bernieri, Reznick & Rosenthal (1988) J Pers Soc Psychol 54:243",
}
P_RULE = "p = (count + 1) / (n + 1), Monte Carlo SE = sqrt(p (1 - p) / n) (Phipson & Smyth 2010)"


def q_from_a(a: np.ndarray, window: np.ndarray, target: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Yule's Q for many tables given cell a and the margins (window units, target units, n)."""
    a = np.asarray(a, np.float64)
    b, c = window - a, target - a
    d = n - window - target + a
    ad, bc = a * d, b * c
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ad + bc > 0, (ad - bc) / (ad + bc), np.nan)


@dataclass
class NullTest:
    """Observed Q against a null distribution of Q."""

    observed_q: float
    null_mean_q: float
    null_sd_q: float
    n: int
    count: int
    p: float
    mc_se: float

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in vars(self).items()
        }


def compare(observed: float, null: np.ndarray, alternative: str) -> NullTest:
    """p = (count + 1) / (n + 1) over the defined null values, with its Monte Carlo SE."""
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, not {alternative!r}")
    null = null[~np.isnan(null)]
    n = len(null)
    mean = float(null.mean()) if n else math.nan
    sd = float(null.std(ddof=1)) if n > 1 else math.nan
    if math.isnan(observed) or n == 0:
        return NullTest(observed, mean, sd, n, 0, math.nan, math.nan)
    tol = 1e-12
    extreme = null >= observed - tol if alternative == "greater" else null <= observed + tol
    count = int(np.count_nonzero(extreme))
    p = (count + 1) / (n + 1)
    return NullTest(observed, mean, sd, n, count, p, math.sqrt(p * (1 - p) / n))


@dataclass
class CircularShiftResult:
    """One recording's table, its circular-shift null and the test."""

    recording_id: str
    table: Table2x2
    test: NullTest
    shifts_units: np.ndarray = field(repr=False)
    null_q: np.ndarray = field(repr=False)
    parameters: dict[str, Any] = field(default_factory=dict)
    method: str = "circular_shift"
    source: str = SOURCE
    null_source: str = NULL_SOURCES["circular_shift"]
    p_rule: str = P_RULE
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "recording_id": self.recording_id,
            **self.table.to_dict(),
            **{
                f"null_{k}" if k in ("n", "count") else k: v for k, v in self.test.to_dict().items()
            },
            "method": self.method,
            "parameters": self.parameters,
            "source": self.source,
            "null_source": self.null_source,
            "p_rule": self.p_rule,
            "warnings": list(self.warnings),
        }


def circular_shift(
    data: Recording | pl.DataFrame,
    antecedent: Selector,
    target: Selector,
    *,
    window: float,
    unit: float = 1.0,
    antecedent_mode: str = "onset",
    target_mode: str = "onset",
    n_shifts: int = 1000,
    seed: int = 0,
    min_shift: float | None = None,
    alternative: str = "greater",
    duration_ms: int | None = None,
) -> CircularShiftResult:
    """Time-window table of one recording tested against ``n_shifts`` circular shifts of its
    target stream (see the module docstring). ``min_shift`` is in seconds (default: W)."""
    spec = WindowSpec.make(window, unit, antecedent_mode, target_mode)
    s = streams(data, antecedent, target, spec, duration_ms)
    n_units = len(s.target)
    m = max(1, spec.k if min_shift is None else math.ceil(min_shift * 1000 / spec.unit_ms))
    if n_shifts < 1:
        raise ValueError("n_shifts must be at least 1")
    if n_units - 2 * m + 1 < 1:
        raise ValueError(
            f"the timeline ({n_units} units) is too short for shifts of at least {m} units"
        )
    rng = np.random.default_rng(seed)
    shifts = rng.integers(m, n_units - m + 1, size=n_shifts)
    a = np.fromiter(
        (np.count_nonzero(s.in_window & np.roll(s.target, k)) for k in shifts),
        np.int64,
        n_shifts,
    )
    w, t = np.count_nonzero(s.in_window), np.count_nonzero(s.target)
    null_q = q_from_a(a, w, t, n_units)
    table = Table2x2(*tally(s.in_window, s.target))
    test = compare(table.yules_q, null_q, alternative)
    warnings = list(s.warnings) + _undefined(null_q)
    params = {
        **spec.parameters(),
        "n_shifts": n_shifts,
        "seed": seed,
        "min_shift_units": m,
        "alternative": alternative,
    }
    return CircularShiftResult(
        s.recording_id, table, test, shifts, null_q, params, warnings=warnings
    )


def _undefined(null_q: np.ndarray) -> list[str]:
    bad = int(np.isnan(null_q).sum())
    return [f"{bad} null draw(s) with undefined Q (ad + bc = 0) left out"] if bad else []


@dataclass
class PseudoDyadResult:
    """Real dyads against pseudo-dyads (antecedent of one recording, target of another)."""

    recording_ids: list[str]
    tables: list[Table2x2]
    tests: list[NullTest]
    pairs: np.ndarray = field(repr=False)  # (n, 2): antecedent recording, target recording
    null_q: np.ndarray = field(repr=False)
    parameters: dict[str, Any] = field(default_factory=dict)
    method: str = "pseudo_dyads"
    source: str = SOURCE
    null_source: str = NULL_SOURCES["pseudo_dyads"]
    p_rule: str = P_RULE
    warnings: list[str] = field(default_factory=list)

    @property
    def null_mean_q(self) -> float:
        q = self.null_q[~np.isnan(self.null_q)]
        return float(q.mean()) if len(q) else math.nan

    @property
    def observed_mean_q(self) -> float:
        q = np.array([t.yules_q for t in self.tables])
        q = q[~np.isnan(q)]
        return float(q.mean()) if len(q) else math.nan

    def to_frame(self) -> pl.DataFrame:
        """One row per real dyad: its table, Q, and p against the pseudo-dyad Q values."""
        rows = []
        for rec_id, table, test in zip(self.recording_ids, self.tables, self.tests, strict=True):
            d = test.to_dict()
            rows.append(
                {
                    "recording_id": rec_id,
                    **table.to_dict(),
                    "null_mean_q": d["null_mean_q"],
                    "null_n": d["n"],
                    "p": d["p"],
                    "mc_se": d["mc_se"],
                }
            )
        return pl.DataFrame(rows, infer_schema_length=None)

    def to_dict(self) -> dict[str, Any]:
        mean_obs, mean_null = self.observed_mean_q, self.null_mean_q
        return {
            "per_recording": self.to_frame().to_dicts(),
            "observed_mean_q": None if math.isnan(mean_obs) else mean_obs,
            "null_mean_q": None if math.isnan(mean_null) else mean_null,
            "null_n": int((~np.isnan(self.null_q)).sum()),
            "method": self.method,
            "parameters": self.parameters,
            "source": self.source,
            "null_source": self.null_source,
            "p_rule": self.p_rule,
            "warnings": list(self.warnings),
        }


def pseudo_dyads(
    recordings: Iterable[Recording],
    antecedent: Selector,
    target: Selector,
    *,
    window: float,
    unit: float = 1.0,
    antecedent_mode: str = "onset",
    target_mode: str = "onset",
    n_pairs: int | None = None,
    seed: int = 0,
    alternative: str = "greater",
) -> PseudoDyadResult:
    """Each real dyad's Q against the Q of pseudo-dyads: all ordered pairs of different
    recordings (``n_pairs=None``) or ``n_pairs`` random ones (seeded)."""
    spec = WindowSpec.make(window, unit, antecedent_mode, target_mode)
    all_streams = [streams(rec, antecedent, target, spec) for rec in recordings]
    m = len(all_streams)
    if m < 2:
        raise ValueError("pseudo-dyads need at least two recordings")
    pairs = _pairs(m, n_pairs, seed)
    null_q = np.array([_pair_q(all_streams[i], all_streams[j]) for i, j in pairs], np.float64)
    tables = [Table2x2(*tally(s.in_window, s.target)) for s in all_streams]
    tests = [compare(t.yules_q, null_q, alternative) for t in tables]
    warnings = [f"{s.recording_id}: {w}" for s in all_streams for w in s.warnings]
    params = {
        **spec.parameters(),
        "n_pairs": len(pairs),
        "all_pairs": n_pairs is None,
        "seed": seed,
        "alternative": alternative,
    }
    return PseudoDyadResult(
        [s.recording_id for s in all_streams],
        tables,
        tests,
        pairs,
        null_q,
        params,
        warnings=warnings + _undefined(null_q),
    )


def _pairs(m: int, n_pairs: int | None, seed: int) -> np.ndarray:
    if n_pairs is None:
        i, j = np.nonzero(~np.eye(m, dtype=bool))
        return np.column_stack([i, j])
    if n_pairs < 1:
        raise ValueError("n_pairs must be at least 1")
    rng = np.random.default_rng(seed)
    i = rng.integers(0, m, n_pairs)
    j = (i + rng.integers(1, m, n_pairs)) % m
    return np.column_stack([i, j])


def _pair_q(ante: Streams, targ: Streams) -> float:
    n = min(len(ante.in_window), len(targ.target))
    return Table2x2(*tally(ante.in_window[:n], targ.target[:n])).yules_q
