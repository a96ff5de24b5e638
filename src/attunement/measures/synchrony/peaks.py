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
and how many windows had none (the ``peaks`` family's figures, ``measures/families/peaks.py``).
``search_s`` defaults to 1 s, or half the lag range when that is shorter, in whole lag steps.

Departures from Boker et al. (2002) and their S-plus/R code: they first smooth each row with
loess (degree 2, span 0.25 of the lags) and interpolate it by a cubic spline to 2 x L + 1 points
per side, and their ``Lsize`` (default 8) counts points of that doubled grid (8 points = 4 lag
steps). We do **not** smooth or interpolate: the rule runs on the row as computed, and ``search_s``
counts original lag steps. Smooth the signals or widen ``search_s`` when rows are noisy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import polars as pl
from numba import njit

from attunement.errors import ParameterError
from attunement.measures.base import Result
from attunement.measures.families.wcc import BOKER as SOURCE
from attunement.measures.synchrony.wcc import WCCResult, samples

DEFINITION = (
    "Per window, the local maximum of the correlations nearest lag 0 that no value within "
    "search_s further lags exceeds (no loess smoothing); none when it lies within search_s of "
    "the lag range's end or the row has a missing cell. Positive lag: s2 follows s1."
)


@dataclass
class PeakResult(Result):
    """Per-window peak (value and lag) and their mean and SD over the windows with a peak."""

    family: ClassVar[str] = "peaks"

    peak_r: np.ndarray
    peak_lag_s: np.ndarray
    parameters: dict[str, Any]
    path: str = ""
    source: str = SOURCE
    definition: str = DEFINITION
    warnings: list[str] = field(default_factory=list)

    @property
    def n_peaks(self) -> int:
        return int((~np.isnan(self.peak_r)).sum())

    @property
    def n_without_peak(self) -> int:
        return len(self.peak_r) - self.n_peaks

    mean_peak_r = property(lambda self: _mean(self._found(self.peak_r)))
    sd_peak_r = property(lambda self: _sd(self._found(self.peak_r)))
    mean_peak_lag_s = property(lambda self: _mean(self._found(self.peak_lag_s)))
    sd_peak_lag_s = property(lambda self: _sd(self._found(self.peak_lag_s)))

    def _found(self, values: np.ndarray) -> np.ndarray:
        return values[~np.isnan(self.peak_r)]

    def to_frame(self) -> pl.DataFrame:
        """One row per window: ``window`` (1-based), ``peak_r``, ``peak_lag_s``."""
        return pl.DataFrame(
            {
                "window": np.arange(1, len(self.peak_r) + 1),
                "peak_r": self.peak_r,
                "peak_lag_s": self.peak_lag_s,
            }
        )


def peaks(result: WCCResult, *, search_s: float | None = None) -> PeakResult:
    """Boker et al.'s (2002) peak nearest lag 0 in every window of ``result`` (on its matrix as
    transformed: with ``absolute`` the peak is that of |r|), confirmed by ``search_s`` seconds of
    lags (a whole number of lag steps, 1..L; default: 1 s, or half the lags when shorter); see
    the module docstring for the exact rule."""
    rate = result.parameters["rate_hz"]
    lag_n = result.parameters["lag_samples"]
    if search_s is None:
        search_s = min(round(rate), max(1, lag_n // 2)) / rate
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
    parameters = {
        **result.parameters,
        "search_s": search_s,
        "search_steps": steps,
        "smoothing": None,
    }
    return PeakResult(peak_r, peak_lag, parameters, result.path, warnings=list(result.warnings))


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
