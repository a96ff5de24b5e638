"""The ``peaks`` family: Boker et al.'s (2002) peak picking in the windowed cross-correlation of
two signals: in each window, the correlation peak nearest lag 0 and its lag."""

from __future__ import annotations

from typing import Any

from attunement.measures.families.wcc import BOKER, wcc_arguments
from attunement.measures.families.wcc import PARAMETERS as WCC_PARAMETERS
from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family


def _run(signals, **config: Any):
    """``synchrony.peaks`` of the WCC of ``signals.s1`` and ``signals.s2``."""
    from attunement.measures.synchrony import peaks, wcc

    result = wcc(signals.s1, signals.s2, **wcc_arguments(config), names=signals.names)
    return peaks(result, search_s=config["search_s"])


PARAMETERS = (
    *WCC_PARAMETERS,
    Param(
        "search_s",
        "seconds",
        None,
        "Lags (s) that must confirm a peak (default: 1 s, or half the lag range when shorter).",
    ),
)


def _figure(name: str, unit: str, label: str, definition: str, **kw: Any) -> Figure:
    return Figure(name, unit, label, definition, BOKER, **kw)


FIGURES = (
    _figure(
        "n_peaks", "count", "windows with a peak", "Windows where a peak was found.", headline=True
    ),
    _figure(
        "n_without_peak",
        "count",
        "windows without a peak",
        "Windows whose peak lies too near the end of the lag range, or with a missing cell.",
    ),
    _figure(
        "mean_peak_r",
        "number",
        "peak correlation, mean",
        "Mean peak value over the windows with a peak.",
        headline=True,
    ),
    _figure("sd_peak_r", "number", "peak correlation, SD", "SD (n - 1) of the peak values."),
    _figure(
        "mean_peak_lag_s",
        "s",
        "peak lag, mean (positive: s2 follows s1)",
        "Mean lag of the peaks over the windows with a peak.",
        headline=True,
    ),
    _figure("sd_peak_lag_s", "s", "peak lag, SD", "SD (n - 1) of the peak lags."),
    _figure(
        "peak_r", "number", "peak", "Each window's peak value (none: no peak).", shape="detail"
    ),
    _figure(
        "peak_lag_s", "s", "peak lag", "Each window's peak lag (none: no peak).", shape="detail"
    ),
)

FAMILY = Family(
    name="peaks",
    title="Peak picking in windowed cross-correlation",
    summary="per window, the correlation peak nearest lag 0 and its lag: their means and SDs",
    input="signals",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source=BOKER,
)
