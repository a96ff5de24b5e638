"""Windowed cross-correlation (WCC) of two continuous signals, with rMEA-compatible output.

Definition (Boker et al. 2002; Ramseyer & Tschacher 2011; rMEA 1.2.2, Kleinbub & Ramseyer
2021). Sampling rate ``rate`` Hz; ``window_s``, ``lag_s`` and ``step_s`` in seconds, each a whole
number of samples ``W``, ``L``, ``S``. Window ``w`` (0-based) reads samples
``[w*S, w*S + W + L)`` of both signals; there are ``ceiling((N - W - L + 1) / S)`` windows, so
every window lies inside the signal. For lag ``k`` in ``-L..L`` (samples), the two series are
offset by ``|k|`` inside the window: for ``k >= 0`` s1 ``[a, a+W)`` is paired with s2
``[a+k, a+k+W)``; for ``k < 0`` s1 ``[a+|k|, a+|k|+W)`` with s2 ``[a, a+W)`` (``a = w*S``).
A high r at a **positive lag means s2 follows s1** (s1 leads). Each cell is Pearson's r of the
``W`` pairs (pairs with a missing value in either series left out, R's ``complete.obs``).

A cell is missing (NaN), exactly as in rMEA, when

* more than ``max_missing`` (rMEA: one half) of either series' ``W + L`` window samples are
  missing: the whole window row is NaN;
* ``identical_is_missing`` (rMEA's rule, on by default) and fewer than 2 complete pairs differ
  (x != y): rMEA uses this to blank stretches where both people are still (both zero);
* either series is constant over the complete pairs (zero variance; R returns NA), or fewer
  than 2 complete pairs remain.

Then, in rMEA's order, ``fisher_z`` replaces r by atanh(r) clipped to [-10, 10] (so r = +-1 gives
+-10), and ``absolute`` takes |value|. Every summary is computed on this transformed matrix,
ignoring NaN cells: ``lag_zero`` (column k = 0), ``all_lags`` (row mean), ``s1_lead`` (mean over
k > 0), ``s2_lead`` (mean over k < 0), ``s1_lead_0`` / ``s2_lead_0`` (the same including k = 0),
``best_lag_s`` (the lag of the row maximum; on ties the first, i.e. the most negative lag, as R's
``which.max``; NaN when the whole row is NaN) and ``grand_average`` (mean of all non-NaN cells).
A mean over no values is NaN (R: ``NaN``). With ``lag = 0`` the lead means are NaN (rMEA: NULL).

Departures from rMEA: our defaults are plain r (``fisher_z=False``, ``absolute=False``; rMEA's
``MEAccf`` defaults both to TRUE); ``lag_s``, ``window_s`` and ``step_s`` must be whole numbers of
samples (rMEA would index with fractional sample counts); r is clamped to [-1, 1] as R's ``cor``
does; ``max_missing`` is a parameter (fixed at 0.5 in rMEA).

Result: a ``wcc`` family result (``measures/families/wcc.py`` names and defines each figure): the
summaries per window as details, their means over windows as figures, and, when asked for, the
grand average against surrogates of s2 (``surrogates.grand_average_test``: ``null_mean``, ``p``,
``effect`` ...).

Computation: one numba kernel over windows (in parallel) x lags, two-pass (centred) sums per
cell as R's ``cor`` does, so that values agree with rMEA to rounding error; cost is
O(windows x lags x W), about 0.1 s for one hour at 25 Hz with 60 s windows, 30 s step, +-5 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import polars as pl
from numba import njit, prange

from attunement.errors import DataError, ParameterError
from attunement.measures.base import Result
from attunement.measures.families.wcc import SOURCE

if TYPE_CHECKING:
    from attunement.measures.synchrony.surrogates import SurrogateResult

DEFINITION = (
    "Pearson r between s1 and s2 in windows of `window` s every `step` s, for every lag within "
    "+-`lag` s (positive lag: s2 follows s1), each window spanning window + lag; optional "
    "Fisher z (atanh, clipped to +-10) then absolute value; summaries ignore NaN cells"
)
FISHER_Z_BOUND = 10.0


@dataclass
class WCCResult(Result):
    """The windows x lags matrix of (transformed) correlations, its rMEA summaries per window and
    their means, and the surrogate test of the grand average when one was run."""

    family: ClassVar[str] = "wcc"

    matrix: np.ndarray = field(repr=False)
    lags_s: np.ndarray
    window_start_s: np.ndarray
    window_end_s: np.ndarray
    names: tuple[str, str]
    n_samples: int
    parameters: dict[str, Any]
    s1_missing: int = 0
    s2_missing: int = 0
    surrogate: SurrogateResult | None = None
    path: str = ""
    source: str = SOURCE
    definition: str = DEFINITION
    warnings: list[str] = field(default_factory=list)
    lag_zero: np.ndarray = field(init=False, repr=False)
    all_lags: np.ndarray = field(init=False, repr=False)
    s1_lead: np.ndarray = field(init=False, repr=False)
    s2_lead: np.ndarray = field(init=False, repr=False)
    s1_lead_0: np.ndarray = field(init=False, repr=False)
    s2_lead_0: np.ndarray = field(init=False, repr=False)
    best_lag_s: np.ndarray = field(init=False, repr=False)
    grand_average: float = field(init=False)

    def __post_init__(self) -> None:
        m, lags = self.matrix, self.lags_s
        zero = len(lags) // 2
        self.lag_zero = m[:, zero].copy()
        self.all_lags = _row_mean(m)
        self.s1_lead = _row_mean(m[:, zero + 1 :])
        self.s2_lead = _row_mean(m[:, :zero])
        self.s1_lead_0 = _row_mean(m[:, zero:])
        self.s2_lead_0 = _row_mean(m[:, : zero + 1])
        finite = ~np.isnan(m)
        has_value = finite.any(axis=1)
        best = np.argmax(np.where(finite, m, -np.inf), axis=1)
        self.best_lag_s = np.where(has_value, lags[best], np.nan)
        self.grand_average = float(m[finite].mean()) if finite.any() else math.nan

    @property
    def n_windows(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_lags(self) -> int:
        return self.matrix.shape[1]

    @property
    def n_missing_cells(self) -> int:
        return int(np.isnan(self.matrix).sum())

    mean_lag_zero = property(lambda self: _mean(self.lag_zero))
    mean_s1_lead = property(lambda self: _mean(self.s1_lead))
    mean_s2_lead = property(lambda self: _mean(self.s2_lead))
    mean_best_lag_s = property(lambda self: _mean(self.best_lag_s))
    null_mean = property(lambda self: None if self.surrogate is None else self.surrogate.null_mean)
    null_sd = property(lambda self: None if self.surrogate is None else self.surrogate.null_sd)
    null_n = property(lambda self: None if self.surrogate is None else len(self.surrogate.null))
    p = property(lambda self: None if self.surrogate is None else self.surrogate.p)
    effect = property(lambda self: None if self.surrogate is None else self.surrogate.effect)

    def to_frame(self) -> pl.DataFrame:
        """One row per window: ``window`` (1-based), ``start_s``, ``end_s`` (rMEA's window times,
        end = start + window) and one column per lag named as rMEA's (``lag-5``, ``lag0.04``)."""
        columns = {
            "window": np.arange(1, self.n_windows + 1),
            "start_s": self.window_start_s,
            "end_s": self.window_end_s,
        }
        for j, lag in enumerate(self.lags_s):
            columns[f"lag{lag:g}"] = self.matrix[:, j]
        return pl.DataFrame(columns)

    def windows_frame(self) -> pl.DataFrame:
        """One row per window (``window``, ``window_start_s``) with the summaries people read first:
        the value at lag 0, the mean over all lags, the best lag (``details()`` has them all)."""
        return pl.DataFrame(
            {
                "window": np.arange(1, self.n_windows + 1),
                "window_start_s": self.window_start_s,
                **{name: getattr(self, name) for name in _PER_WINDOW},
            }
        )


_PER_WINDOW = ("lag_zero", "all_lags", "best_lag_s")


def wcc(
    s1: np.ndarray,
    s2: np.ndarray,
    *,
    rate: float,
    lag_s: float,
    window_s: float,
    step_s: float,
    fisher_z: bool = False,
    absolute: bool = False,
    identical_is_missing: bool = True,
    max_missing: float = 0.5,
    names: tuple[str, str] = ("s1", "s2"),
) -> WCCResult:
    """Windowed cross-correlation of ``s1`` and ``s2`` sampled at ``rate`` Hz, with lags up to
    +-``lag_s``, windows of ``window_s`` every ``step_s`` (seconds; see the module docstring for
    the exact definition, NaN rules and the departures from rMEA). Missing samples are NaN."""
    x = np.ascontiguousarray(s1, dtype=np.float64)
    y = np.ascontiguousarray(s2, dtype=np.float64)
    if x.ndim != 1 or y.ndim != 1 or len(x) != len(y):
        raise DataError(
            f"s1 and s2 must be 1-D and of equal length, got shapes {x.shape} and {y.shape}"
        )
    if np.isinf(x).any() or np.isinf(y).any():
        raise DataError("the signals contain infinite values; mark missing samples as NaN")
    if not rate > 0:
        raise ParameterError(f"rate must be a number of Hz > 0, got {rate}")
    if not 0 <= max_missing <= 1:
        raise ParameterError(f"max_missing must be a fraction in [0, 1], got {max_missing}")
    lag_n = samples("lag_s", lag_s, rate, minimum=0)
    win_n = samples("window_s", window_s, rate, minimum=2)
    step_n = samples("step_s", step_s, rate, minimum=1)
    n = len(x)
    if win_n + lag_n > n:
        raise DataError(
            f"window_s + lag_s ({window_s:g} s + {lag_s:g} s = {win_n + lag_n} samples) is longer "
            f"than the signal ({n} samples = {n / rate:g} s)"
        )
    n_windows = -(-(n - win_n - lag_n + 1) // step_n)
    matrix = _wcc_kernel(x, y, win_n, lag_n, step_n, n_windows, max_missing, identical_is_missing)
    if fisher_z:
        with np.errstate(divide="ignore"):
            matrix = np.clip(np.arctanh(matrix), -FISHER_Z_BOUND, FISHER_Z_BOUND)
    if absolute:
        matrix = np.abs(matrix)
    starts = np.arange(n_windows) * step_n / rate
    parameters = {
        "rate_hz": rate,
        "lag_s": lag_s,
        "window_s": window_s,
        "step_s": step_s,
        "lag_samples": lag_n,
        "window_samples": win_n,
        "step_samples": step_n,
        "fisher_z": fisher_z,
        "fisher_z_bound": FISHER_Z_BOUND,
        "absolute": absolute,
        "identical_is_missing": identical_is_missing,
        "max_missing": max_missing,
    }
    return WCCResult(
        matrix=matrix,
        lags_s=np.arange(-lag_n, lag_n + 1) / rate,
        window_start_s=starts,
        window_end_s=starts + win_n / rate,
        names=(str(names[0]), str(names[1])),
        n_samples=n,
        parameters=parameters,
        s1_missing=int(np.isnan(x).sum()),
        s2_missing=int(np.isnan(y).sum()),
    )


def samples(name: str, seconds: float, rate: float, minimum: int) -> int:
    """``seconds * rate`` as a whole number of samples, or a ``ParameterError`` saying why not."""
    value = seconds * rate
    whole = round(value)
    if abs(value - whole) > 1e-6 * max(1.0, abs(value)):
        raise ParameterError(
            f"{name} must be a whole number of samples at {rate:g} Hz, got {seconds:g} s = "
            f"{value:g} samples"
        )
    if whole < minimum:
        raise ParameterError(
            f"{name} must be at least {minimum} sample(s) at {rate:g} Hz, got {seconds:g} s"
        )
    return int(whole)


def _row_mean(m: np.ndarray) -> np.ndarray:
    counts = (~np.isnan(m)).sum(axis=1)
    sums = np.nansum(m, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def _mean(values: np.ndarray) -> float:
    """Mean over the windows with a value (NaN when none has one)."""
    finite = values[~np.isnan(values)]
    return float(finite.mean()) if len(finite) else math.nan


@njit(cache=True, parallel=True)
def _wcc_kernel(x, y, win, lag, step, n_windows, max_missing, identical_is_missing):
    n_lags = 2 * lag + 1
    out = np.full((n_windows, n_lags), np.nan)
    span = win + lag
    for w in prange(n_windows):
        a = w * step
        nx = 0
        ny = 0
        for t in range(a, a + span):
            if np.isnan(x[t]):
                nx += 1
            if np.isnan(y[t]):
                ny += 1
        if max(nx, ny) > max_missing * span:
            continue
        for j in range(n_lags):
            k = j - lag
            if k >= 0:
                out[w, j] = _pearson(x, y, a, a + k, win, identical_is_missing)
            else:
                out[w, j] = _pearson(x, y, a - k, a, win, identical_is_missing)
    return out


@njit(cache=True)
def _pearson(x, y, x0, y0, length, identical_is_missing):
    """Pearson r of x[x0:x0+length] and y[y0:y0+length] over complete pairs (two-pass)."""
    n = 0
    differ = 0
    sx = 0.0
    sy = 0.0
    x_first = np.nan
    y_first = np.nan
    x_varies = False
    y_varies = False
    for i in range(length):
        xi = x[x0 + i]
        yi = y[y0 + i]
        if np.isnan(xi) or np.isnan(yi):
            continue
        if n == 0:
            x_first = xi
            y_first = yi
        else:
            x_varies = x_varies or xi != x_first
            y_varies = y_varies or yi != y_first
        n += 1
        if xi != yi:
            differ += 1
        sx += xi
        sy += yi
    if n < 2 or not x_varies or not y_varies:
        return np.nan
    if identical_is_missing and differ < 2:
        return np.nan
    mx = sx / n
    my = sy / n
    sxx = 0.0
    syy = 0.0
    sxy = 0.0
    for i in range(length):
        xi = x[x0 + i]
        yi = y[y0 + i]
        if np.isnan(xi) or np.isnan(yi):
            continue
        dx = xi - mx
        dy = yi - my
        sxx += dx * dx
        syy += dy * dy
        sxy += dx * dy
    r = sxy / math.sqrt(sxx * syy)
    return min(1.0, max(-1.0, r))
