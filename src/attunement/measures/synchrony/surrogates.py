"""Surrogate (null) distributions for any synchrony statistic of two signals.

``statistic(s1, s2) -> float`` is any function of two equal-length signals (for example the WCC
grand average). Each test computes it on the observed data and on ``n_resamples`` surrogates
that keep each signal's own properties but break their alignment, drawn by
``attunement.measures.nulls`` (same seed, same null). Times are in seconds and become whole
samples at the signals' ``rate`` (Hz):

* ``circular_shift``: s2 rotated by a shift drawn uniformly from ``min_shift_s .. N -
  min_shift_s`` (s1 untouched), which keeps s2's autocorrelation except at the single wrap
  point; ``min_shift_s`` keeps surrogates away from the true alignment.
* ``segment_shuffle``: s2 cut into consecutive segments of ``segment_s`` (the last one shorter
  when N is not a multiple) whose order is permuted at random.
* ``pseudo_dyads``: keeping roles, each surrogate pairs the s1 of dyad i with the s2 of dyad
  pi(i), pi a random derangement (no dyad keeps its own partner); pairs are cut to the shorter
  length. The statistic of the group is the mean over dyads, observed and per surrogate
  (Ramseyer & Tschacher 2010, 2011; Bernieri et al. 1988; Moulder et al. 2018).

Result: the null values, the one-sided (upper) Monte Carlo p of ``nulls.monte_carlo_p``, the
null mean and SD, ``difference = observed - null mean`` and ``effect = difference / null SD`` (a
z-like effect size; None when the SD is 0). Surrogates whose statistic is NaN are left out of
the null and counted in ``n_nan``.

A test is part of the statistic it tests: ``grand_average_test`` puts the test of a windowed
cross-correlation's grand average into its ``WCCResult``, whose ``wcc`` family names the test's
figures (``null_mean``, ``null_sd``, ``null_n``, ``p``, ``effect``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from attunement.errors import DataError, ParameterError
from attunement.measures.nulls import (
    MonteCarloP,
    draw_shifts,
    monte_carlo_p,
    pseudo_pairs,
    rolled,
    shuffled_segments,
)
from attunement.measures.nulls.pvalue import SOURCE as P_RULE
from attunement.measures.synchrony.wcc import WCCResult, samples, wcc

Statistic = Callable[[np.ndarray, np.ndarray], float]

SOURCES = {
    "circular_shift": "Theiler et al. (1992), Physica D 58, 77-94; Moulder, Boker, Ramseyer & "
    "Tschacher (2018), Psychological Methods 23(4), 757-773",
    "segment_shuffle": "Ramseyer & Tschacher (2010), in Esposito et al. (eds), Development of "
    "Multimodal Interfaces, 182-196 (segment shuffling); Moulder et al. (2018)",
    "pseudo_dyads": "Bernieri, Reznick & Rosenthal (1988), JPSP 54(2), 243-253; Ramseyer & "
    "Tschacher (2011), J Consult Clin Psychol 79(3), 284-295",
}


@dataclass
class SurrogateResult:
    """Observed statistic against its surrogate null (``test``: the Monte Carlo p and the null's
    mean and SD; ``null``: the non-NaN surrogate values). A part of the result of the statistic
    it tests (``WCCResult.surrogate``), whose family names its figures."""

    method: str
    parameters: dict[str, Any]
    observed: float
    null: np.ndarray
    test: MonteCarloP
    source: str

    @property
    def p(self) -> float:
        return self.test.p

    @property
    def n_nan(self) -> int:
        return self.test.n_nan

    @property
    def null_mean(self) -> float:
        return self.test.null_mean

    @property
    def null_sd(self) -> float:
        return self.test.null_sd

    @property
    def difference(self) -> float:
        return self.observed - self.null_mean

    @property
    def effect(self) -> float | None:
        sd = self.null_sd
        return self.difference / sd if sd > 0 else None


def circular_shift(
    s1: np.ndarray,
    s2: np.ndarray,
    statistic: Statistic,
    *,
    rate: float,
    n_resamples: int,
    min_shift_s: float,
    seed: int,
) -> SurrogateResult:
    """``statistic`` against ``n_resamples`` circular shifts of s2 by ``min_shift_s .. N -
    min_shift_s`` (signals sampled at ``rate`` Hz)."""
    x, y = _pair(s1, s2)
    m = samples("min_shift_s", min_shift_s, rate, minimum=1)
    if m > len(y) // 2:
        raise ParameterError(
            f"min_shift_s = {min_shift_s:g} s is {m} samples; it must be at most half the "
            f"signal, {len(y) // 2} samples"
        )
    _check_n(n_resamples)
    shifts = draw_shifts(n_resamples, len(y), m, seed)
    values = [statistic(x, shifted) for shifted in rolled(y, shifts)]
    params = {"n_resamples": n_resamples, "min_shift_s": min_shift_s, "rate_hz": rate, "seed": seed}
    return _result("circular_shift", params, statistic(x, y), values)


def segment_shuffle(
    s1: np.ndarray,
    s2: np.ndarray,
    statistic: Statistic,
    *,
    rate: float,
    n_resamples: int,
    segment_s: float,
    seed: int,
) -> SurrogateResult:
    """``statistic`` against ``n_resamples`` shuffles of s2's segments of ``segment_s``
    (signals sampled at ``rate`` Hz)."""
    x, y = _pair(s1, s2)
    segment = samples("segment_s", segment_s, rate, minimum=1)
    _check_n(n_resamples)
    copies = shuffled_segments(y, segment, n_resamples, seed)
    values = [statistic(x, shuffled) for shuffled in copies]
    params = {
        "n_resamples": n_resamples,
        "segment_s": segment_s,
        "rate_hz": rate,
        "n_segments": -(-len(y) // segment),
        "seed": seed,
    }
    return _result("segment_shuffle", params, statistic(x, y), values)


def pseudo_dyads(
    dyads: Sequence[tuple[np.ndarray, np.ndarray]],
    statistic: Statistic,
    *,
    n_resamples: int,
    seed: int,
) -> SurrogateResult:
    """Mean ``statistic`` over the real dyads against its mean over ``n_resamples`` random
    re-pairings in which every s1 meets the s2 of another dyad (roles kept, shorter length
    used)."""
    pairs = [_pair(a, b, same_length=False) for a, b in dyads]
    _check_n(n_resamples)
    partners = pseudo_pairs(len(pairs), n_resamples, seed=seed, derangements=True)
    observed = [statistic(*_cut(a, b)) for a, b in pairs]
    values = [
        float(np.mean([statistic(*_cut(pairs[i][0], pairs[j][1])) for i, j in enumerate(row)]))
        for row in partners
    ]
    params = {"n_resamples": n_resamples, "n_dyads": len(pairs), "seed": seed}
    result = _result("pseudo_dyads", params, float(np.mean(observed)), values)
    result.parameters["observed_per_dyad"] = [float(v) for v in observed]
    return result


def grand_average_test(
    result: WCCResult,
    s1: np.ndarray,
    s2: np.ndarray,
    *,
    null: str,
    n_resamples: int,
    seed: int,
    min_shift_s: float,
    segment_s: float | None = None,
) -> WCCResult:
    """``result`` (the WCC of ``s1`` and ``s2``) with its grand average tested against
    ``n_resamples`` surrogates of s2 (``null``: ``circular_shift`` by at least ``min_shift_s``,
    or ``segment_shuffle`` of segments of ``segment_s``, by default the window), the WCC
    recomputed with the same parameters on each; the test's settings join its parameters."""
    p = result.parameters
    options = ("fisher_z", "absolute", "identical_is_missing", "max_missing")

    def grand_average(a: np.ndarray, b: np.ndarray) -> float:
        return wcc(
            a,
            b,
            rate=p["rate_hz"],
            lag_s=p["lag_s"],
            window_s=p["window_s"],
            step_s=p["step_s"],
            **{k: p[k] for k in options},
        ).grand_average

    common = {"rate": p["rate_hz"], "n_resamples": n_resamples, "seed": seed}
    if null == "circular_shift":
        test = circular_shift(s1, s2, grand_average, min_shift_s=min_shift_s, **common)
    elif null == "segment_shuffle":
        segment_s = p["window_s"] if segment_s is None else segment_s
        test = segment_shuffle(s1, s2, grand_average, segment_s=segment_s, **common)
    else:
        raise ParameterError(f"null must be one of circular_shift, segment_shuffle, got {null!r}")
    result.surrogate = test
    result.parameters.update({"null": null, **test.parameters})
    result.source = f"{result.source}; null: {test.source}; {P_RULE}"
    return result


def _cut(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = min(len(a), len(b))
    return a[:m], b[:m]


def _pair(s1, s2, same_length: bool = True) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(s1, dtype=np.float64)
    y = np.asarray(s2, dtype=np.float64)
    if x.ndim != 1 or y.ndim != 1:
        raise DataError("signals must be 1-D")
    if same_length and len(x) != len(y):
        raise DataError(f"s1 and s2 differ in length ({len(x)} and {len(y)} samples)")
    if len(x) < 2 or len(y) < 2:
        raise DataError("signals need at least two samples")
    return x, y


def _check_n(n_resamples: int) -> None:
    if n_resamples < 1:
        raise ParameterError(f"n_resamples must be at least 1, got {n_resamples}")


def _result(method: str, params: dict, observed: float, values: Iterable[float]) -> SurrogateResult:
    null = np.asarray(list(values), dtype=np.float64)
    observed = float(observed)
    if np.isnan(observed):
        raise DataError("the observed statistic is NaN; no test is possible")
    test = monte_carlo_p(observed, null, "greater")
    return SurrogateResult(method, params, observed, null[~np.isnan(null)], test, SOURCES[method])
