"""The Monte Carlo p-value of a resampling test and its standard error.

For an observed statistic t and n null draws t_1 .. t_n,

    p = (#{t_i >= t} + 1) / (n + 1)     (``alternative="greater"``; ``<=`` for ``"less"``):

the observed data count as one more draw of the null, so p is never 0 and the test keeps its
level exactly (Phipson & Smyth 2010, Stat Appl Genet Mol Biol 9:39; Davison & Hinkley 1997,
Bootstrap Methods, ch. 4). Its Monte Carlo standard error is sqrt(p (1 - p) / n). Null draws
that are NaN (a statistic undefined on that draw) are left out of n and counted in ``n_nan``;
null values within 1e-12 of t count as ties, so that rounding noise cannot split a tie. With no
usable draw, or a NaN observed value, p and its error are NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from attunement.errors import ParameterError

ALTERNATIVES = ("greater", "less")
TIE = 1e-12
SOURCE = "p = (count + 1) / (n + 1), Monte Carlo SE = sqrt(p (1 - p) / n) (Phipson & Smyth 2010)"


@dataclass(frozen=True)
class MonteCarloP:
    """One test (scalars) or one test per cell (arrays of the observed value's shape)."""

    p: Any
    se: Any  # Monte Carlo standard error of p
    n: Any  # null draws used
    count: Any  # draws at least as extreme as the observed value
    n_nan: Any  # NaN draws left out
    null_mean: Any
    null_sd: Any  # sample SD (n - 1); NaN with fewer than two draws
    alternative: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: arrays as lists, NaN as None."""
        return {f.name: _json(getattr(self, f.name)) for f in fields(self)}


def monte_carlo_p(observed: Any, null: Any, alternative: str = "greater") -> MonteCarloP:
    """The Monte Carlo p of ``observed`` against ``null`` (module docstring). ``null`` holds
    the draws along its first axis: shape (n,) for one statistic, (n, *observed.shape) for a
    table of statistics tested cell by cell."""
    if alternative not in ALTERNATIVES:
        raise ParameterError(
            f"alternative must be one of {', '.join(ALTERNATIVES)}, got {alternative!r}"
        )
    t = np.asarray(observed, dtype=np.float64)
    draws = np.asarray(null, dtype=np.float64)
    if draws.ndim < 1 or draws.shape[1:] != t.shape:
        raise ParameterError(
            f"null draws of shape {draws.shape} do not match an observed value of shape {t.shape}"
        )
    nan = np.isnan(draws)
    n_nan = nan.sum(axis=0)
    if draws.ndim == 1:  # one statistic: drop NaN draws, so sums run exactly as np.mean's
        draws, nan = draws[~nan], nan[~nan]
    n = (~nan).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        extreme = draws >= t - TIE if alternative == "greater" else draws <= t + TIE
        count = extreme.sum(axis=0)
        usable = (n > 0) & ~np.isnan(t)
        p = np.where(usable, (count + 1) / (n + 1), np.nan)
        se = np.sqrt(p * (1 - p) / n)
        mean = np.where(nan, 0.0, draws).sum(axis=0) / n
        squares = (np.where(nan, 0.0, draws - mean) ** 2).sum(axis=0)
        sd = np.where(n > 1, np.sqrt(squares / (n - 1)), np.nan)
    values = (p, se, n, count, n_nan, mean, sd)
    if t.ndim == 0:
        p, se, mean, sd = (float(v) for v in (p, se, mean, sd))
        n, count, n_nan = int(n), int(count), int(n_nan)
        values = (p, se, n, count, n_nan, mean, sd)
    return MonteCarloP(*values, alternative)


def _json(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_json(v) for v in value.tolist()]
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
