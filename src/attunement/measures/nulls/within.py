"""Permutation within sequences: the codes of each sequence shuffled, sequence by sequence, so
every sequence keeps how often each code occurs and only their order is random (the null of
lag-sequential analysis: Bakeman, Robinson & Quera 1996, Psychological Methods 1:4).

Samplers (numba, one splitmix64 stream per draw seeded from ``numpy.random.default_rng(seed)``,
so results are reproducible and do not depend on the thread count):

* unrestricted: Fisher-Yates shuffle of each sequence, exact uniform permutations.
* ``no_repeats=True`` (immediate repeats impossible): no exact fast sampler of uniform
  permutations without adjacent equal codes is known to us, and rejection is hopeless for long
  sequences (the acceptance rate falls exponentially with length). We use a Markov chain whose
  moves swap two random positions of a sequence and are kept only when no code then follows
  itself: the proposal is symmetric, so the chain is reversible with the uniform distribution on
  the constrained permutations as stationary law. Following Besag & Clifford (1989, Biometrika
  76:633, the "parallel" method) the chain is run ``sweeps`` x length steps from the observed
  sequence to x*, and every null sequence is an independent run of the same length from x*.
  Observed and null sequences are then exchangeable under the null, so the p-values are valid
  for any number of sweeps; more sweeps give draws less correlated with x* and so more power.
  Measured here: with 10 sweeps (the default) draws of balanced codes agree with x* no more than
  chance does; when one code is very frequent (35 % of events) they still agree at 0.32 against
  0.23 by chance, and 50 sweeps are needed. Code counts per sequence are preserved and no draw
  ever has an immediate repeat. Strictly, the reference set is the class of arrangements the
  swaps can reach from the observed one; we know of no proof that swaps connect all no-repeat
  arrangements, but on every case small enough to enumerate in our tests they reach all of
  them, uniformly.

``permute_within`` returns the draws; sequential's permutation test runs the same kernels
(``origin``, ``draw``) fused with its lag tally, so that no draw has to be stored.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from attunement.errors import ParameterError
from attunement.measures.nulls.seeds import generator

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def permute_within(
    values: np.ndarray,
    starts: np.ndarray,
    n_resamples: int,
    *,
    seed: int | np.random.Generator = 0,
    no_repeats: bool = False,
    sweeps: int = 10,
) -> np.ndarray:
    """``n_resamples`` null draws (an n_resamples x events array) of the integer codes
    ``values``, sequence s being ``values[starts[s]:starts[s + 1]]``; with ``no_repeats`` the
    input must have no immediate repeat and ``sweeps`` sets the chain's length (module
    docstring)."""
    values = np.asarray(values, dtype=np.int64)
    starts = np.asarray(starts, dtype=np.int64)
    check(n_resamples, sweeps)
    if no_repeats:
        opens = np.zeros(len(values), dtype=bool)  # first event of a sequence
        opens[starts[:-1][starts[:-1] < len(values)]] = True
        if ((values[1:] == values[:-1]) & ~opens[1:]).any():
            raise ParameterError(
                "no_repeats: the sequences have immediate repeats; collapse them first"
            )
    out = np.empty((n_resamples, len(values)), dtype=np.int64)
    _draws(values, starts, seeds(seed, n_resamples), no_repeats, sweeps, out)
    return out


def check(n_resamples: int, sweeps: int) -> None:
    """Refuse fewer than one draw or one sweep."""
    if n_resamples < 1:
        raise ParameterError(f"n_resamples must be at least 1, got {n_resamples}")
    if sweeps < 1:
        raise ParameterError(f"sweeps must be at least 1, got {sweeps}")


def seeds(seed: int | np.random.Generator, n_resamples: int) -> np.ndarray:
    """The splitmix64 seeds: one for the chain to x*, then one per draw."""
    return generator(seed).integers(0, 2**64, size=n_resamples + 1, dtype=np.uint64)


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
def origin(values, starts, seeds, no_repeats, sweeps, state):
    """The chain's origin: x* (a run from the observed sequences) with ``no_repeats``."""
    w = values.copy()
    if no_repeats:
        state[0] = seeds[0]
        _chain(w, starts, state, sweeps)
    return w


@njit(cache=True)
def draw(w, origin, starts, state, seed, no_repeats, sweeps):
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
    start = origin(values, starts, seeds, no_repeats, sweeps, state)
    w = start.copy()
    for b in range(out.shape[0]):
        draw(w, start, starts, state, seeds[b + 1], no_repeats, sweeps)
        out[b, :] = w
