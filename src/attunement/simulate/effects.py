"""Effect sizes with 95% intervals, in the units the literature reports them.

- ``phi``: Pearson r of two 0/1 indicators (the phi coefficient).
- ``r_interval``: the 95% interval of r by Fisher's z, r +- 1.96 / sqrt(n - 3) on the z scale.
- ``d_groups``: Cohen's d of two groups, (mean_b - mean_a) / pooled SD (ddof 1), with the
  large-sample SE sqrt((n_a + n_b) / (n_a n_b) + d^2 / (2 (n_a + n_b))) (Hedges & Olkin 1985,
  eq. 5.15).
- ``d_from_r``: d = 2 r / sqrt(1 - r^2) (Rosenthal 1994), the conversion meta-analyses of
  dichotomous attachment outcomes use; its interval is the converted interval of r.
- ``kappa``: Cohen's (1960) kappa of two category arrays, (p_o - p_e) / (1 - p_e).
"""

from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


def phi(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r of two 0/1 (or any numeric) arrays; NaN when either is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def r_interval(r: float, n: int) -> tuple[float, float]:
    """95% interval of a correlation r from n pairs (Fisher's z)."""
    if not np.isfinite(r) or n <= 3:
        return (float("nan"), float("nan"))
    z, half = np.arctanh(np.clip(r, -0.999999, 0.999999)), Z95 / np.sqrt(n - 3)
    return (float(np.tanh(z - half)), float(np.tanh(z + half)))


def d_from_r(r: float) -> float:
    """d = 2 r / sqrt(1 - r^2)."""
    return float(2 * r / np.sqrt(1 - r * r)) if np.isfinite(r) and abs(r) < 1 else float("nan")


def d_groups(a: np.ndarray, b: np.ndarray) -> tuple[float, tuple[float, float]]:
    """Cohen's d of b over a (pooled SD) and its 95% interval."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    na, nb = a.size, b.size
    if na < 2 or nb < 2:
        return float("nan"), (float("nan"), float("nan"))
    pooled = np.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2))
    if pooled == 0:
        return float("nan"), (float("nan"), float("nan"))
    d = float((b.mean() - a.mean()) / pooled)
    se = np.sqrt((na + nb) / (na * nb) + d * d / (2 * (na + nb)))
    return d, (d - Z95 * se, d + Z95 * se)


def d_binary(a: np.ndarray, b: np.ndarray) -> tuple[float, tuple[float, float]]:
    """d for a 0/1 outcome in two groups: the phi of group x outcome converted by
    ``d_from_r``, with the converted Fisher interval."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    group = np.concatenate((np.zeros(a.size), np.ones(b.size)))
    r = phi(group, np.concatenate((a, b)))
    low, high = r_interval(r, group.size)
    return d_from_r(r), (d_from_r(low), d_from_r(high))


def kappa(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Cohen's kappa of two arrays of category codes 0..k-1."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    observed = float(np.mean(a == b))
    expected = float(np.dot(np.bincount(a, minlength=k), np.bincount(b, minlength=k))) / a.size**2
    return (observed - expected) / (1 - expected) if expected < 1 else float("nan")
