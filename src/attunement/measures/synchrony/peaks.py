"""Peak picking in a windowed cross-correlation matrix (Boker et al. 2002).

Rule, per window (row of the matrix; lags -L..L, ``search_s`` = S lag steps): start with the
region of lags -1..1 and its maximum, then widen the region symmetrically by one lag step on
each side at a time (widths 2, 3, ..., L), keeping the running maximum. The search stops as soon
as the running maximum has failed to increase (strictly) over S consecutive widenings, or when
the lags run out; the **peak** is the running maximum then, i.e. the local maximum nearest lag 0
that no value within S further lag steps exceeds. Its lag is the leftmost (most negative) lag
holding that value within the final region. The window has no peak (NaN) when that lag lies
farther than L - S steps from lag 0 (fewer than S lags beyond it to confirm it), or when its row
has any NaN cell (as in Boker's code, which skips such rows). Positive peak lags mean s2 follows s1.

Summaries: mean and SD (ddof = 1) of peak r and of peak lag (s) over the windows with a peak,
and how many windows had none.

Departures from Boker et al. (2002) and their S-plus/R code: they first smooth each row with
loess (degree 2, span 0.25 of the lags) and interpolate it by a cubic spline to 2 x L + 1 points
per side, and their ``Lsize`` (default 8) counts points of that doubled grid (8 points = 4 lag
steps). We do **not** smooth or interpolate: the rule runs on the row as computed, and ``search_s``
counts original lag steps. Smooth the signals or widen ``search_s`` when rows are noisy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numba import njit

from attunement.errors import ParameterError
from attunement.measures.synchrony.wcc import WCCResult, samples

SOURCE = (
    "Boker, Xu, Rotondo & King (2002), Windowed cross-correlation and peak picking for the "
    "analysis of variability in the association between behavioral time series, "
    "Psychological Methods 7(3), 338-355"
)


@dataclass
class PeakResult:
    """Per-window peak (value and lag) and their mean and SD."""

    peak_r: np.ndarray
    peak_lag_s: np.ndarray
    parameters: dict[str, Any]
    method: str = "boker_peak_picking"
    source: str = SOURCE

    @property
    def n_peaks(self) -> int:
        return int((~np.isnan(self.peak_r)).sum())

    @property
    def n_without_peak(self) -> int:
        return len(self.peak_r) - self.n_peaks

    def summary(self) -> dict[str, float | None]:
        """Mean and SD (ddof = 1) of peak r and peak lag over the windows with a peak."""
        found = ~np.isnan(self.peak_r)
        r, lags = self.peak_r[found], self.peak_lag_s[found]
        return {
            "mean_peak_r": _mean(r),
            "sd_peak_r": _sd(r),
            "mean_peak_lag_s": _mean(lags),
            "sd_peak_lag_s": _sd(lags),
        }

    def to_frame(self) -> pl.DataFrame:
        """One row per window: ``window`` (1-based), ``peak_r``, ``peak_lag_s``."""
        return pl.DataFrame(
            {
                "window": np.arange(1, len(self.peak_r) + 1),
                "peak_r": self.peak_r,
                "peak_lag_s": self.peak_lag_s,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "source": self.source,
            "parameters": dict(self.parameters),
            "n_peaks": self.n_peaks,
            "n_without_peak": self.n_without_peak,
            **self.summary(),
            "peak_r": [None if math.isnan(v) else float(v) for v in self.peak_r],
            "peak_lag_s": [None if math.isnan(v) else float(v) for v in self.peak_lag_s],
        }


def peaks(result: WCCResult, *, search_s: float) -> PeakResult:
    """Boker et al.'s (2002) peak nearest lag 0 in every window of ``result`` (on its matrix as
    transformed: with ``absolute`` the peak is that of |r|), confirmed by ``search_s`` seconds of
    lags (a whole number of lag steps, 1..L); see the module docstring for the exact rule."""
    rate = result.parameters["rate_hz"]
    lag_n = result.parameters["lag_samples"]
    steps = samples("search_s", search_s, rate, minimum=1)
    if steps > lag_n:
        raise ParameterError(
            f"search_s must not be longer than the lag range (+-{lag_n} steps), got {search_s:g} s "
            f"({steps} lag steps)"
        )
    index = _peak_kernel(np.ascontiguousarray(result.matrix), lag_n, steps)
    found = index >= 0
    rows = np.arange(result.n_windows)
    peak_r = np.where(found, result.matrix[rows, np.maximum(index, 0)], np.nan)
    peak_lag = np.where(found, result.lags_s[np.maximum(index, 0)], np.nan)
    parameters = {"search_s": search_s, "search_steps": steps, "smoothing": None}
    return PeakResult(peak_r, peak_lag, parameters)


@njit(cache=True)
def _peak_kernel(matrix, lag, steps):
    """Column index of each row's peak, -1 when none."""
    n_rows = matrix.shape[0]
    out = np.full(n_rows, -1, dtype=np.int64)
    for i in range(n_rows):
        row = matrix[i]
        if np.isnan(row).any():
            continue
        best = max(row[lag - 1], row[lag], row[lag + 1])
        misses = 0
        width = 1
        for w in range(2, lag + 1):
            width = w
            edge = max(row[lag - w], row[lag + w])
            if edge > best:
                best = edge
                misses = 0
            else:
                misses += 1
                if misses >= steps:
                    break
        for j in range(lag - width, lag + width + 1):
            if row[j] == best:
                if abs(j - lag) <= lag - steps:
                    out[i] = j
                break
    return out


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def _sd(values: np.ndarray) -> float | None:
    return float(values.std(ddof=1)) if len(values) > 1 else None
