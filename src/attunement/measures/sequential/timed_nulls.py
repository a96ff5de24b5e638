"""Chance for time-window tables: how large is Yule's Q when the target stream's timing is unrelated
to the antecedent's? Both nulls come from ``attunement.measures.nulls``.

- ``circular_shift``: the target unit grid of one recording is rotated by ``k`` units, ``k``
  drawn uniformly from ``[m, n - m]`` (``n`` units; ``m`` = ``min_shift_s`` in units, by default
  the window length, at least 1), ``n_resamples`` times; the antecedent windows stay put. The
  target stream keeps its own amount and rhythm; only its alignment with the antecedent is
  broken (Moulder, Boker, Ramseyer & Tschacher 2018, Psychological Methods 23:757). A shift
  moves every target row by ``k * Δ`` modulo ``n * Δ`` (the timeline rounded up to whole
  units).
- ``pseudo_dyads``: each recording's antecedent windows paired with *another* recording's target
  grid, roles kept (Bernieri, Reznick & Rosenthal 1988, J Pers Soc Psychol 54:243). All ordered
  pairs ``i != j``, or ``n_resamples`` random ones; two grids of different length are compared
  over their common first units.

Each real table is compared with the null Q values by ``nulls.monte_carlo_p``:
``alternative="greater"`` counts null Q >= observed Q, ``"less"`` null Q <= observed Q. Null
draws whose Q is undefined (ad + bc = 0) are left out of n and counted in ``warnings``. Seeded
with ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from attunement.errors import ParameterError
from attunement.measures.nulls import MonteCarloP, draw_shifts, monte_carlo_p, pseudo_pairs, rolled
from attunement.measures.nulls.pvalue import SOURCE as P_RULE
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

NULL_SOURCES = {
    "circular_shift": "Moulder, Boker, Ramseyer & Tschacher (2018) Psychol Methods 23:757",
    "pseudo_dyads": "Bernieri, Reznick & Rosenthal (1988) J Pers Soc Psychol 54:243",
}


def q_from_a(a: np.ndarray, window: np.ndarray, target: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Yule's Q for many tables given cell a and the margins (window units, target units, n)."""
    a = np.asarray(a, np.float64)
    b, c = window - a, target - a
    d = n - window - target + a
    ad, bc = a * d, b * c
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ad + bc > 0, (ad - bc) / (ad + bc), np.nan)


@dataclass
class CircularShiftResult:
    """One recording's table, its circular-shift null and the test."""

    recording_id: str
    table: Table2x2
    test: MonteCarloP
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
            **_test_dict(self.test),
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
    window_s: float,
    unit_s: float = 1.0,
    antecedent_mode: str = "onset",
    target_mode: str = "onset",
    n_resamples: int = 1000,
    seed: int = 0,
    min_shift_s: float | None = None,
    alternative: str = "greater",
    duration_ms: int | None = None,
) -> CircularShiftResult:
    """Time-window table of one recording tested against ``n_resamples`` circular shifts of its
    target stream (see the module docstring); ``min_shift_s`` defaults to the window."""
    spec = WindowSpec.make(window_s, unit_s, antecedent_mode, target_mode)
    s = streams(data, antecedent, target, spec, duration_ms)
    n_units = len(s.target)
    m = max(1, spec.k if min_shift_s is None else math.ceil(min_shift_s * 1000 / spec.unit_ms))
    if n_resamples < 1:
        raise ParameterError(f"n_resamples must be at least 1, got {n_resamples}")
    if n_units < 2 * m:
        raise ParameterError(
            f"the timeline ({n_units} units) is too short for shifts of at least {m} units"
        )
    shifts = draw_shifts(n_resamples, n_units, m, seed)
    a = np.fromiter(
        (np.count_nonzero(s.in_window & target) for target in rolled(s.target, shifts)),
        np.int64,
        n_resamples,
    )
    w, t = np.count_nonzero(s.in_window), np.count_nonzero(s.target)
    null_q = q_from_a(a, w, t, n_units)
    table = Table2x2(*tally(s.in_window, s.target))
    test = monte_carlo_p(table.yules_q, null_q, alternative)
    warnings = list(s.warnings) + _undefined(null_q)
    params = {
        **spec.parameters(),
        "n_resamples": n_resamples,
        "seed": seed,
        "min_shift_s": m * spec.unit_ms / 1000,
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
    tests: list[MonteCarloP]
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
            d = _test_dict(test)
            rows.append(
                {
                    "recording_id": rec_id,
                    **table.to_dict(),
                    **{k: d[k] for k in ("null_mean_q", "null_n", "p", "mc_se")},
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
    window_s: float,
    unit_s: float = 1.0,
    antecedent_mode: str = "onset",
    target_mode: str = "onset",
    n_resamples: int | None = None,
    seed: int = 0,
    alternative: str = "greater",
) -> PseudoDyadResult:
    """Each real dyad's Q against the Q of pseudo-dyads: all ordered pairs of different
    recordings (``n_resamples=None``) or ``n_resamples`` random ones (seeded)."""
    spec = WindowSpec.make(window_s, unit_s, antecedent_mode, target_mode)
    all_streams = [streams(rec, antecedent, target, spec) for rec in recordings]
    pairs = pseudo_pairs(len(all_streams), n_resamples, seed=seed)
    null_q = np.array([_pair_q(all_streams[i], all_streams[j]) for i, j in pairs], np.float64)
    tables = [Table2x2(*tally(s.in_window, s.target)) for s in all_streams]
    tests = [monte_carlo_p(t.yules_q, null_q, alternative) for t in tables]
    warnings = [f"{s.recording_id}: {w}" for s in all_streams for w in s.warnings]
    params = {
        **spec.parameters(),
        "n_resamples": len(pairs),
        "all_pairs": n_resamples is None,
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


def _pair_q(ante: Streams, targ: Streams) -> float:
    n = min(len(ante.in_window), len(targ.target))
    return Table2x2(*tally(ante.in_window[:n], targ.target[:n])).yules_q


def _test_dict(test: MonteCarloP) -> dict[str, Any]:
    """The test in this module's JSON names (Q is the statistic)."""
    d = test.to_dict()
    return {
        "null_mean_q": d["null_mean"],
        "null_sd_q": d["null_sd"],
        "null_n": d["n"],
        "null_count": d["count"],
        "p": d["p"],
        "mc_se": d["se"],
    }
