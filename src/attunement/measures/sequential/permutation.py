"""Permutation null for lag-sequential tables: codes shuffled within each sequence.

The null hypothesis is that, given how often each code occurs in each sequence, their order is
random. The statistic is the lag-k count of every cell; for each cell

* ``p_upper`` = (#{null count >= observed} + 1) / (n + 1): the one-sided p that the target
  follows the given code *more* often than chance (the usual question: does B follow A?),
* ``p_lower`` = (#{null count <= observed} + 1) / (n + 1): *less* often than chance,

each with its Monte Carlo standard error ``sqrt(p (1 - p) / n)`` (Davison & Hinkley 1997,
ch. 4; Phipson & Smyth 2010 for the + 1; Bakeman, Robinson & Quera 1996, Psychological
Methods 1:4, for sampled permutations of sequential data).

Samplers (numba, one splitmix64 stream per permutation seeded from a ``numpy`` Generator, so
results are reproducible and do not depend on thread count):

* unrestricted: Fisher-Yates shuffle of each sequence, exact uniform permutations.
* ``no_repeats=True`` (immediate repeats collapsed and impossible): no exact fast sampler of
  uniform permutations without adjacent equal codes is known to us, and rejection is hopeless
  for long sequences (the acceptance rate falls exponentially with length). We use a Markov
  chain whose moves swap two random positions of a sequence and are kept only when no code then
  follows itself: the proposal is symmetric, so the chain is reversible with the uniform
  distribution on the constrained permutations as stationary law. Following Besag & Clifford
  (1989, Biometrika 76:633, the "parallel" method) the chain is run ``sweeps`` x length steps
  from the observed sequence to x*, and every null sequence is an independent run of the same
  length from x*. Observed and null sequences are then exchangeable under the null, so the
  p-values are valid for any number of sweeps; more sweeps give draws less correlated with x*
  and so more power. Measured here: with 10 sweeps (the default) draws of balanced codes agree
  with x* no more than chance does; when one code is very frequent (35 % of events) they still
  agree at 0.32 against 0.23 by chance, and 50 sweeps are needed. Code counts per sequence
  are preserved and no draw ever has an immediate repeat. Strictly, the reference
  set is the class of arrangements the swaps can reach from the observed one; we know of no
  proof that swaps connect all no-repeat arrangements, but on every case small enough to
  enumerate in our tests they reach all of them, uniformly.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import polars as pl
from numba import njit

from attunement.measures.sequential.lag import lag_counts
from attunement.measures.sequential.sequences import Sequences

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@dataclass
class PermutationResult:
    """Per-cell permutation p-values of a lag table (K x K arrays in ``codes`` order)."""

    rule: str
    parameters: dict[str, Any]
    source: str
    codes: tuple[str, ...]
    observed: np.ndarray
    null_mean: np.ndarray
    null_sd: np.ndarray
    p_upper: np.ndarray
    p_lower: np.ndarray
    se_upper: np.ndarray
    se_lower: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: tables as lists of rows."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
            if isinstance(value, np.ndarray):
                out[f.name] = value.tolist()
        return out

    def to_frame(self) -> pl.DataFrame:
        """One row per cell: given, target, observed count, null mean and sd, p and error."""
        k = len(self.codes)
        names = np.array(self.codes, dtype=object)
        return pl.DataFrame(
            {
                "given": names[np.repeat(np.arange(k), k)].tolist(),
                "target": names[np.tile(np.arange(k), k)].tolist(),
                **{
                    name: getattr(self, name).ravel()
                    for name in (
                        "observed",
                        "null_mean",
                        "null_sd",
                        "p_upper",
                        "p_lower",
                        "se_upper",
                        "se_lower",
                    )
                },
            }
        )


def permutation_test(
    sequences: Sequences,
    *,
    lag: int = 1,
    n_permutations: int = 1000,
    seed: int | np.random.Generator = 0,
    no_repeats: bool = False,
    sweeps: int = 10,
) -> PermutationResult:
    """Permutation p-values for every cell of the lag-``lag`` table (module docstring).
    With ``no_repeats`` immediate repeats are collapsed first (as in ``lag_table``) and the
    null keeps them impossible; ``sweeps`` (swap proposals per event) is then used."""
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be >= 1, got {n_permutations}")
    if sweeps < 1:
        raise ValueError(f"sweeps must be >= 1, got {sweeps}")
    if no_repeats:
        sequences = sequences.collapse_repeats()
    observed = lag_counts(sequences, lag)
    k = sequences.n_codes
    seeds = _seeds(seed, n_permutations)
    ge, le, s1, s2 = _null_tally(
        sequences.values.astype(np.int64),
        sequences.starts.astype(np.int64),
        k,
        lag,
        seeds,
        no_repeats,
        sweeps,
        observed.ravel(),
    )
    n = n_permutations
    mean = s1 / n
    sd = np.sqrt(np.maximum(s2 / n - mean**2, 0.0) * n / max(n - 1, 1))
    p_upper = (ge + 1) / (n + 1)
    p_lower = (le + 1) / (n + 1)
    method = (
        "Besag-Clifford parallel MCMC, swap moves keeping no immediate repeat"
        if no_repeats
        else "Fisher-Yates shuffle within each sequence"
    )
    return PermutationResult(
        rule="permutation",
        parameters={
            "lag": lag,
            "no_repeats": no_repeats,
            "n_permutations": n,
            "seed": seed if isinstance(seed, int | np.integer) else "numpy Generator",
            "sweeps": sweeps if no_repeats else None,
            "method": method,
            "statistic": "lag count per cell",
        },
        source="sampled permutations within sequences (Bakeman, Robinson & Quera 1996); + 1 rule "
        "(Phipson & Smyth 2010); no-repeat chain (Besag & Clifford 1989)",
        codes=sequences.codes,
        observed=observed,
        null_mean=mean.reshape(k, k),
        null_sd=sd.reshape(k, k),
        p_upper=p_upper.reshape(k, k),
        p_lower=p_lower.reshape(k, k),
        se_upper=np.sqrt(p_upper * (1 - p_upper) / n).reshape(k, k),
        se_lower=np.sqrt(p_lower * (1 - p_lower) / n).reshape(k, k),
    )


def permuted(
    sequences: Sequences,
    n: int,
    *,
    seed: int | np.random.Generator = 0,
    no_repeats: bool = False,
    sweeps: int = 10,
) -> np.ndarray:
    """``n`` null draws of the code indices (an n x events array), from the same samplers as
    ``permutation_test``; with ``no_repeats`` the input must have no immediate repeat."""
    if no_repeats and sequences.has_repeats():
        raise ValueError("no_repeats: the sequences have immediate repeats; collapse them first")
    out = np.empty((n, sequences.n_events), dtype=np.int64)
    _draws(
        sequences.values.astype(np.int64),
        sequences.starts.astype(np.int64),
        _seeds(seed, n),
        no_repeats,
        sweeps,
        out,
    )
    return out


def _seeds(seed: int | np.random.Generator, n: int) -> np.ndarray:
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return rng.integers(0, 2**64, size=n + 1, dtype=np.uint64)


@njit(cache=True)
def _next(state):
    """splitmix64 (Steele, Lea & Flood 2014): the next 64 random bits of ``state``."""
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def _below(state, m):
    """A uniform integer in [0, m) from 53 random bits (bias below m / 2**53)."""
    return np.int64(np.float64(_next(state) >> np.uint64(11)) * _UNIT * m)


@njit(cache=True)
def _shuffle(w, starts, state):
    for s in range(starts.shape[0] - 1):
        lo = starts[s]
        for i in range(starts[s + 1] - 1, lo, -1):
            j = lo + _below(state, i - lo + 1)
            w[i], w[j] = w[j], w[i]


@njit(cache=True)
def _clear(w, p, lo, hi):
    return (p == lo or w[p - 1] != w[p]) and (p == hi - 1 or w[p + 1] != w[p])


@njit(cache=True)
def _chain(w, starts, state, sweeps):
    """``sweeps`` x length swap proposals per sequence, kept only if no repeat appears."""
    for s in range(starts.shape[0] - 1):
        lo, hi = starts[s], starts[s + 1]
        length = hi - lo
        if length < 2:
            continue
        for _ in range(sweeps * length):
            i = lo + _below(state, length)
            j = lo + _below(state, length)
            a, b = w[i], w[j]
            if a == b:
                continue
            w[i], w[j] = b, a
            if not (_clear(w, i, lo, hi) and _clear(w, j, lo, hi)):
                w[i], w[j] = a, b


@njit(cache=True)
def _origin(values, starts, seeds, no_repeats, sweeps, state):
    """The chain's origin: x* (a run from the observed sequences) with ``no_repeats``."""
    w = values.copy()
    if no_repeats:
        state[0] = seeds[0]
        _chain(w, starts, state, sweeps)
    return w


@njit(cache=True)
def _draw(w, origin, starts, state, seed, no_repeats, sweeps):
    """Overwrite ``w`` with one null draw: a run from ``origin``, or a fresh shuffle."""
    state[0] = seed
    if no_repeats:
        w[:] = origin
        _chain(w, starts, state, sweeps)
    else:
        _shuffle(w, starts, state)


@njit(cache=True)
def _draws(values, starts, seeds, no_repeats, sweeps, out):
    state = np.empty(1, np.uint64)
    origin = _origin(values, starts, seeds, no_repeats, sweeps, state)
    w = origin.copy()
    for b in range(out.shape[0]):
        _draw(w, origin, starts, state, seeds[b + 1], no_repeats, sweeps)
        out[b, :] = w


@njit(cache=True)
def _null_tally(values, starts, k, lag, seeds, no_repeats, sweeps, observed):
    """Run the sampler; per cell count null >= observed, null <= observed, sum and squares."""
    kk = k * k
    ge = np.zeros(kk, np.int64)
    le = np.zeros(kk, np.int64)
    s1 = np.zeros(kk, np.float64)
    s2 = np.zeros(kk, np.float64)
    tally = np.zeros(kk, np.int64)
    state = np.empty(1, np.uint64)
    origin = _origin(values, starts, seeds, no_repeats, sweeps, state)
    w = origin.copy()
    for b in range(seeds.shape[0] - 1):
        _draw(w, origin, starts, state, seeds[b + 1], no_repeats, sweeps)
        tally[:] = 0
        for s in range(starts.shape[0] - 1):
            for p in range(starts[s], starts[s + 1] - lag):
                tally[w[p] * k + w[p + lag]] += 1
        for c in range(kk):
            t = tally[c]
            if t >= observed[c]:
                ge[c] += 1
            if t <= observed[c]:
                le[c] += 1
            s1[c] += t
            s2[c] += t * t
    return ge, le, s1, s2
