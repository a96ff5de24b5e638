"""Surrogate (null) distributions for any synchrony statistic of two signals.

``statistic(s1, s2) -> float`` is any function of two equal-length signals (for example the WCC
grand average). Each test computes it on the observed data and on ``n`` surrogates that keep
each signal's own properties but break their alignment, with a seeded ``numpy`` Generator
(same seed, same null):

* ``circular_shift``: s2 rotated by a random shift drawn uniformly from
  ``min_shift .. N - min_shift`` samples (s1 untouched), which keeps s2's autocorrelation except
  at the single wrap point; ``min_shift`` keeps surrogates away from the true alignment.
* ``segment_shuffle``: s2 cut into consecutive segments of ``segment`` samples (the last one
  shorter when N is not a multiple) whose order is permuted at random.
* ``pseudo_dyads``: keeping roles, each surrogate pairs the s1 of dyad i with the s2 of dyad
  pi(i), pi a random derangement (no dyad keeps its own partner); pairs are cut to the shorter
  length. The statistic of the group is the mean over dyads, observed and per surrogate
  (Ramseyer & Tschacher 2010, 2011; Bernieri et al. 1988; Moulder et al. 2018).

Result: the null values, ``p = (#{null >= observed} + 1) / (n + 1)`` (one-sided, upper; Phipson
& Smyth 2010), the null mean and SD, ``difference = observed - null mean`` and ``effect =
difference / null SD`` (a z-like effect size; None when the SD is 0). Surrogates whose
statistic is NaN are left out of the null and counted in ``n_nan``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

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
    """Observed statistic against its surrogate null."""

    method: str
    parameters: dict[str, Any]
    observed: float
    null: np.ndarray
    n_nan: int
    source: str

    @property
    def p(self) -> float:
        n = len(self.null)
        return float(((self.null >= self.observed).sum() + 1) / (n + 1))

    @property
    def null_mean(self) -> float:
        return float(self.null.mean()) if len(self.null) else math.nan

    @property
    def null_sd(self) -> float:
        return float(self.null.std(ddof=1)) if len(self.null) > 1 else math.nan

    @property
    def difference(self) -> float:
        return self.observed - self.null_mean

    @property
    def effect(self) -> float | None:
        sd = self.null_sd
        return self.difference / sd if sd > 0 else None

    def to_dict(self, null: bool = False) -> dict[str, Any]:
        out = {
            "method": self.method,
            "source": self.source,
            "parameters": dict(self.parameters),
            "observed": self.observed,
            "p": self.p,
            "null_mean": self.null_mean,
            "null_sd": self.null_sd,
            "difference": self.difference,
            "effect": self.effect,
            "n_surrogates": len(self.null),
            "n_nan": self.n_nan,
        }
        if null:
            out["null"] = self.null.tolist()
        return out


def circular_shift(
    s1: np.ndarray, s2: np.ndarray, statistic: Statistic, *, n: int, min_shift: int, seed: int
) -> SurrogateResult:
    """``statistic`` against ``n`` circular shifts of s2 by ``min_shift .. N - min_shift``."""
    x, y = _pair(s1, s2)
    if not 1 <= min_shift <= len(y) // 2:
        raise ValueError(f"min_shift must be in 1..N/2 = {len(y) // 2} samples (got {min_shift})")
    _check_n(n)
    rng = np.random.default_rng(seed)
    shifts = rng.integers(min_shift, len(y) - min_shift, size=n, endpoint=True)
    values = [statistic(x, np.roll(y, int(k))) for k in shifts]
    params = {"n": n, "min_shift": min_shift, "seed": seed}
    return _result("circular_shift", params, statistic(x, y), values)


def segment_shuffle(
    s1: np.ndarray, s2: np.ndarray, statistic: Statistic, *, n: int, segment: int, seed: int
) -> SurrogateResult:
    """``statistic`` against ``n`` shuffles of s2's ``segment``-sample segments."""
    x, y = _pair(s1, s2)
    if not 1 <= segment <= len(y) // 2:
        raise ValueError(
            f"segment must be in 1..N/2 = {len(y) // 2} samples, so that there are at least two "
            f"segments (got {segment})"
        )
    _check_n(n)
    rng = np.random.default_rng(seed)
    pieces = np.split(y, np.arange(segment, len(y), segment))
    values = [
        statistic(x, np.concatenate([pieces[i] for i in rng.permutation(len(pieces))]))
        for _ in range(n)
    ]
    params = {"n": n, "segment": segment, "n_segments": len(pieces), "seed": seed}
    return _result("segment_shuffle", params, statistic(x, y), values)


def pseudo_dyads(
    dyads: Sequence[tuple[np.ndarray, np.ndarray]], statistic: Statistic, *, n: int, seed: int
) -> SurrogateResult:
    """Mean ``statistic`` over the real dyads against its mean over ``n`` random re-pairings in
    which every s1 meets the s2 of another dyad (roles kept, shorter length used)."""
    pairs = [_pair(a, b, same_length=False) for a, b in dyads]
    k = len(pairs)
    if k < 2:
        raise ValueError("pseudo-dyads need at least two dyads")
    _check_n(n)
    rng = np.random.default_rng(seed)
    observed = [statistic(*_cut(a, b)) for a, b in pairs]
    values = []
    for _ in range(n):
        partner = _derangement(rng, k)
        values.append(
            float(
                np.mean([statistic(*_cut(pairs[i][0], pairs[j][1])) for i, j in enumerate(partner)])
            )
        )
    params = {"n": n, "n_dyads": k, "seed": seed}
    result = _result("pseudo_dyads", params, float(np.mean(observed)), values)
    result.parameters["observed_per_dyad"] = [float(v) for v in observed]
    return result


def _derangement(rng: np.random.Generator, k: int) -> np.ndarray:
    """A uniformly random permutation of 0..k-1 without fixed points (rejection sampling;
    about e = 2.7 draws on average)."""
    while True:
        perm = rng.permutation(k)
        if not (perm == np.arange(k)).any():
            return perm


def _cut(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = min(len(a), len(b))
    return a[:m], b[:m]


def _pair(s1, s2, same_length: bool = True) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(s1, dtype=np.float64)
    y = np.asarray(s2, dtype=np.float64)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError("signals must be 1-D")
    if same_length and len(x) != len(y):
        raise ValueError(f"s1 and s2 differ in length ({len(x)} and {len(y)} samples)")
    if len(x) < 2 or len(y) < 2:
        raise ValueError("signals need at least two samples")
    return x, y


def _check_n(n: int) -> None:
    if n < 1:
        raise ValueError(f"n (surrogates) must be at least 1 (got {n})")


def _result(method: str, params: dict, observed: float, values: list[float]) -> SurrogateResult:
    null = np.asarray(values, dtype=np.float64)
    nan = np.isnan(null)
    observed = float(observed)
    if math.isnan(observed):
        raise ValueError("the observed statistic is NaN; no test is possible")
    return SurrogateResult(method, params, observed, null[~nan], int(nan.sum()), SOURCES[method])
