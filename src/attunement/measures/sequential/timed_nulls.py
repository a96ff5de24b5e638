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

``pooled_test`` tests the pooled table of several recordings against the pooled null: draw b of
every recording's shifts summed into one table (pooling sums tallies, Bakeman & Quera 2011).

Each real table is compared with the null Q values by ``nulls.monte_carlo_p``:
``alternative="greater"`` counts null Q >= observed Q, ``"less"`` null Q <= observed Q. Null
draws whose Q is undefined (ad + bc = 0) are left out of n and counted in ``warnings``. Seeded
with ``numpy.random.default_rng(seed)``. Results report the ``timed`` family's figures
(``timed_table``), their null figures (``null_mean_q``, ``p`` ...) from the test.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from attunement.errors import DataError, ParameterError
from attunement.measures.families.timed import PSEUDO, SHIFTS
from attunement.measures.nulls import MonteCarloP, draw_shifts, monte_carlo_p, pseudo_pairs, rolled
from attunement.measures.nulls.pvalue import SOURCE as P_RULE
from attunement.measures.sequential.timed_table import Table2x2, pooled
from attunement.measures.sequential.timewindow import (
    SOURCE,
    Selector,
    Streams,
    TimeWindowResult,
    TimeWindowSummary,
    WindowSpec,
    parameters,
    streams,
    tally,
)
from attunement.recording import Recording

NULL_SOURCES = {"circular_shift": SHIFTS, "pseudo_dyads": PSEUDO}


def q_from_a(a: np.ndarray, window: np.ndarray, target: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Yule's Q for many tables given cell a and the margins (window units, target units, n)."""
    a = np.asarray(a, np.float64)
    b, c = window - a, target - a
    d = n - window - target + a
    ad, bc = a * d, b * c
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ad + bc > 0, (ad - bc) / (ad + bc), np.nan)


def null_source(*methods: str) -> str:
    """The source of a time-window table tested against the nulls ``methods`` (none: the
    table's own source)."""
    nulls = [f"null: {NULL_SOURCES[m]}" for m in methods]
    return "; ".join([SOURCE, *nulls, P_RULE] if nulls else [SOURCE])


@dataclass(kw_only=True)
class CircularShiftResult(TimeWindowResult):
    """One recording's table tested against circular shifts of its target stream: the shifts
    (in units), the null's cell a and Yule's Q per shift."""

    shifts_units: np.ndarray = field(repr=False)
    null_a: np.ndarray = field(repr=False)
    null_q: np.ndarray = field(repr=False)


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
        raise DataError(
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
        **parameters(spec, antecedent, target),
        "null": "circular_shift",
        "n_resamples": n_resamples,
        "seed": seed,
        "min_shift_s": m * spec.unit_ms / 1000,
        "alternative": alternative,
    }
    return CircularShiftResult(
        recording_id=s.recording_id,
        table=table,
        antecedents=s.antecedents,
        targets=s.targets,
        duration_ms=s.duration_ms,
        parameters=params,
        test=test,
        source=null_source("circular_shift"),
        warnings=warnings,
        shifts_units=shifts,
        null_a=a,
        null_q=null_q,
    )


def pooled_test(shifts: Sequence[CircularShiftResult], alternative: str = "greater") -> MonteCarloP:
    """The pooled table of ``shifts`` against the pooled null: draw b of every recording summed
    into one table (all with the same number of draws)."""
    tables = [s.table for s in shifts]
    null_q = q_from_a(
        np.sum([s.null_a for s in shifts], axis=0),
        sum(t.window_units for t in tables),
        sum(t.target_units for t in tables),
        sum(t.n_units for t in tables),
    )
    return monte_carlo_p(pooled(tables).yules_q, null_q, alternative)


def _undefined(null_q: np.ndarray) -> list[str]:
    bad = int(np.isnan(null_q).sum())
    return [f"{bad} null draw(s) with undefined Q (ad + bc = 0) left out"] if bad else []


@dataclass(kw_only=True)
class PseudoDyadResult(TimeWindowSummary):
    """Real dyads against pseudo-dyads (antecedent of one recording, target of another): each
    real table with its test against the pseudo-dyads' Q (``per_recording``), the real tables
    pooled, and the pseudo-dyad null (no test of the pooled table: pseudo-dyads are single
    dyads, so their Q is compared with each real dyad's own)."""

    pairs: np.ndarray = field(repr=False)  # (n, 2): antecedent recording, target recording
    null_q: np.ndarray = field(repr=False)

    @property
    def _null(self) -> np.ndarray:
        return self.null_q[~np.isnan(self.null_q)]

    null_mean_q = property(lambda self: float(self._null.mean()) if len(self._null) else math.nan)
    null_sd_q = property(
        lambda self: float(self._null.std(ddof=1)) if len(self._null) > 1 else math.nan
    )
    null_n = property(lambda self: len(self._null))


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
    params = {
        **parameters(spec, antecedent, target),
        "null": "pseudo_dyads",
        "n_resamples": len(pairs),
        "all_pairs": n_resamples is None,
        "seed": seed,
        "alternative": alternative,
    }
    real = []
    for s in all_streams:
        table = Table2x2(*tally(s.in_window, s.target))
        real.append(
            TimeWindowResult(
                s.recording_id,
                table,
                s.antecedents,
                s.targets,
                s.duration_ms,
                params,
                monte_carlo_p(table.yules_q, null_q, alternative),
                null_source("pseudo_dyads"),
                warnings=s.warnings,
            )
        )
    warnings = [f"{s.recording_id}: {w}" for s in all_streams for w in s.warnings]
    return PseudoDyadResult(
        per_recording=real,
        pooled=pooled(r.table for r in real),
        parameters=params,
        source=null_source("pseudo_dyads"),
        warnings=warnings + _undefined(null_q),
        pairs=pairs,
        null_q=null_q,
    )


def _pair_q(ante: Streams, targ: Streams) -> float:
    n = min(len(ante.in_window), len(targ.target))
    return Table2x2(*tally(ante.in_window[:n], targ.target[:n])).yules_q
