"""Counter-based random streams for the numba simulation kernels.

Every child gets its own stream, keyed by ``(seed, child index, purpose)``: the stream's start is
a splitmix64 hash of the three, and each draw is ``mix(state += golden gamma)`` (splitmix64,
Steele, Lea & Flood 2014). A child's numbers therefore depend on nothing but its key, so a
population gives identical results for any chunking, any number of threads and any machine
that runs the chunks. Functions take the stream state and return ``(value, new_state)``.

Distributions: uniform on (0, 1) with 53 bits; normal by Marsaglia's polar method; gamma by
Marsaglia & Tsang (2000) with the ``u**(1/a)`` boost for shape < 1; beta as a ratio of
gammas; Poisson and binomial exact by inversion when the (smaller-tail) mean is below
``EXACT_MEAN`` = 15 and by the rounded normal approximation above it. The approximation is a
speed choice: at the weekly counts of the development model (means around 5–30) its error is
far below the model's own uncertainty, and inversion there would cost ~mean iterations a draw.
"""

from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53
EXACT_MEAN = 15.0

# purposes: one independent stream family each
CAREGIVER_STREAM = 1
DEVELOPMENT_STREAM = 2
ASSESSMENT_STREAM = 3


@njit(cache=True)
def mix(z):
    """The splitmix64 finaliser: a bijective 64-bit hash."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def stream(seed, child, purpose):
    """The start state of child ``child``'s stream ``purpose`` under ``seed`` (all >= 0)."""
    key = mix(np.uint64(seed) + GOLDEN * np.uint64(purpose + 1))
    return mix(key ^ mix(np.uint64(child) * GOLDEN + GOLDEN))


@njit(cache=True)
def uniform(state):
    """(u in (0, 1), state)."""
    state = state + GOLDEN
    return (np.float64(mix(state) >> _S11) + 0.5) * _UNIT, state


@njit(cache=True, error_model="numpy")
def normal2(state):
    """(z1, z2, state): two independent standard normals (Marsaglia's polar method)."""
    while True:
        u1, state = uniform(state)
        u2, state = uniform(state)
        x, y = 2.0 * u1 - 1.0, 2.0 * u2 - 1.0
        r2 = x * x + y * y
        if 0.0 < r2 < 1.0:
            scale = np.sqrt(-2.0 * np.log(r2) / r2)
            return x * scale, y * scale, state


@njit(cache=True, error_model="numpy")
def gamma(shape, state):
    """(Gamma(shape, 1) variate, state), Marsaglia & Tsang (2000)."""
    boost = 1.0
    if shape < 1.0:
        u, state = uniform(state)
        boost = u ** (1.0 / shape)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    while True:
        z, _, state = normal2(state)
        v = 1.0 + c * z
        if v <= 0.0:
            continue
        v = v * v * v
        u, state = uniform(state)
        if np.log(u) < 0.5 * z * z + d - d * v + d * np.log(v):
            return d * v * boost, state


@njit(cache=True)
def beta(a, b, state):
    """(Beta(a, b) variate, state)."""
    x, state = gamma(a, state)
    y, state = gamma(b, state)
    return x / (x + y), state


@njit(cache=True, error_model="numpy")
def poisson(mean, state):
    """(Poisson(mean) count, state): inversion below EXACT_MEAN, rounded normal above."""
    if mean <= 0.0:
        return 0, state
    if mean >= EXACT_MEAN:
        z, _, state = normal2(state)
        return max(0, int(np.floor(mean + np.sqrt(mean) * z + 0.5))), state
    u, state = uniform(state)
    k = 0
    pk = np.exp(-mean)
    cdf = pk
    while u > cdf and k < 1000:
        k += 1
        pk *= mean / k
        cdf += pk
    return k, state


@njit(cache=True, error_model="numpy")
def binomial(n, p, state):
    """(Binomial(n, p) count, state): inversion on the smaller tail when its mean is below
    EXACT_MEAN, rounded normal approximation (clipped to [0, n]) above."""
    if n <= 0 or p <= 0.0:
        return 0, state
    if p >= 1.0:
        return n, state
    q = min(p, 1.0 - p)
    if n * q >= EXACT_MEAN:
        z, _, state = normal2(state)
        k = int(np.floor(n * q + np.sqrt(n * q * (1.0 - q)) * z + 0.5))
        k = min(max(k, 0), n)
    else:
        u, state = uniform(state)
        ratio = q / (1.0 - q)
        pk = (1.0 - q) ** n
        cdf = pk
        k = 0
        while u > cdf and k < n:
            pk *= ratio * (n - k) / (k + 1)
            k += 1
            cdf += pk
    return (n - k if p > 0.5 else k), state
