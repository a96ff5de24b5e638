"""The ``wcc`` family: windowed cross-correlation of two continuous signals (movement energy,
pitch, arousal), with rMEA's output, and optionally its grand average against surrogates of the
second signal (Boker et al. 2002; Ramseyer & Tschacher 2011; rMEA 1.2.2)."""

from __future__ import annotations

from typing import Any

from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

RMEA = "rMEA 1.2.2 MEAccf (Kleinbub & Ramseyer 2021, Psychotherapy Research 31:141-151)"
BOKER = "Boker, Xu, Rotondo & King (2002) Psychol Methods 7:338-355"
SOURCE = f"{BOKER}; Ramseyer & Tschacher (2011) J Consult Clin Psychol 79:284-295; {RMEA}"
SURROGATES = (
    "Moulder, Boker, Ramseyer & Tschacher (2018) Psychol Methods 23:757-773; Ramseyer & "
    "Tschacher (2010); Phipson & Smyth (2010) for p"
)
NULLS = ("circular_shift", "segment_shuffle")
OPTIONS = ("fisher_z", "absolute", "identical_is_missing", "max_missing")

PARAMETERS = (
    Param("rate_hz", "rate", None, "Sampling rate of the signals in Hz (required)."),
    Param("lag_s", "seconds", 5.0, "Largest lag, both directions (a whole number of samples)."),
    Param("window_s", "seconds", 60.0, "Window length (a whole number of samples)."),
    Param("step_s", "seconds", 30.0, "Step between window starts (a whole number of samples)."),
    Param("fisher_z", "flag", False, "Fisher z (atanh, clipped to +-10) of every r."),
    Param("absolute", "flag", False, "Absolute values (after Fisher z)."),
    Param(
        "identical_is_missing",
        "flag",
        True,
        "rMEA's rule: no r where fewer than 2 pairs differ (both people still).",
    ),
    Param(
        "max_missing",
        "fraction",
        0.5,
        "Largest share of missing samples in a window of either signal.",
    ),
)
NULL_PARAMETERS = (
    Param(
        "null",
        "option",
        "circular_shift",
        "Surrogates of s2: circular shifts, or its segments shuffled.",
        NULLS,
    ),
    Param(
        "n_resamples",
        "count",
        0,
        "Surrogates for the grand average's null (0: none; each recomputes the WCC).",
        cap=10_000,
    ),
    Param("seed", "seed", 0, "Seed of the surrogates."),
    Param("min_shift_s", "seconds", 60.0, "Smallest circular shift (at most half the signal)."),
    Param("segment_s", "seconds", None, "Segment length of the shuffle (default: window_s)."),
)


def wcc_arguments(config: dict[str, Any]) -> dict[str, Any]:
    """The arguments of ``synchrony.wcc`` from a validated configuration (the rate is required:
    it has no default)."""
    from attunement.errors import ParameterError

    rate = config["rate_hz"]
    if rate is None:
        raise ParameterError(f"wcc: rate_hz must be {PARAMETERS[0].requirement()}, got None")
    return {
        "rate": rate,
        "lag_s": config["lag_s"],
        "window_s": config["window_s"],
        "step_s": config["step_s"],
        **{k: config[k] for k in OPTIONS},
    }


def _run(signals, **config: Any):
    """``synchrony.wcc`` of ``signals.s1`` and ``signals.s2`` (``io.signals.Signals``), with its
    grand average tested against ``n_resamples`` surrogates when that is above 0."""
    from attunement.measures.synchrony import wcc
    from attunement.measures.synchrony.surrogates import grand_average_test

    result = wcc(signals.s1, signals.s2, **wcc_arguments(config), names=signals.names)
    if config["n_resamples"]:
        nulls = {p.name: config[p.name] for p in NULL_PARAMETERS}
        grand_average_test(result, signals.s1, signals.s2, **nulls)
    return result


def _value(name: str, label: str, definition: str, **kw: Any) -> Figure:
    return Figure(name, "number", label, definition, RMEA, **kw)


def _detail(name: str, unit: str, label: str, definition: str) -> Figure:
    return Figure(name, unit, label, definition, RMEA, shape="detail")


def _null(name: str, unit: str, label: str, definition: str) -> Figure:
    return Figure(name, unit, label, definition, SURROGATES)


FIGURES = (
    Figure("n_samples", "count", "samples per signal", "Samples in each signal.", RMEA),
    Figure("s1_missing", "count", "s1 samples missing", "Missing (NaN) samples of s1.", RMEA),
    Figure("s2_missing", "count", "s2 samples missing", "Missing (NaN) samples of s2.", RMEA),
    Figure(
        "n_windows",
        "count",
        "windows",
        "ceiling((N - W - L + 1) / S) windows of W samples (+ L for the lags) every S samples.",
        RMEA,
    ),
    Figure("n_lags", "count", "lags", "2 L + 1 lags, -L .. L samples.", RMEA),
    Figure(
        "n_missing_cells",
        "count",
        "missing correlations (window x lag cells)",
        "Cells left missing by rMEA's rules (too many missing samples, identical segments, "
        "constant segments).",
        RMEA,
    ),
    _value(
        "grand_average",
        "grand average: mean correlation over all windows and lags",
        "Mean of every non-missing cell (r, or Fisher z / absolute value when asked for).",
        headline=True,
    ),
    _value(
        "mean_lag_zero",
        "mean correlation at lag 0",
        "Mean over windows of the value at lag 0.",
        headline=True,
    ),
    _value(
        "mean_s1_lead",
        "mean correlation when s1 leads",
        "Mean over windows of the mean over positive lags (s2 follows s1).",
    ),
    _value(
        "mean_s2_lead",
        "mean correlation when s2 leads",
        "Mean over windows of the mean over negative lags (s1 follows s2).",
    ),
    Figure(
        "mean_best_lag_s",
        "s",
        "mean lag of the highest correlation",
        "Mean over windows of the lag with the window's largest value (positive: s2 follows s1).",
        RMEA,
    ),
    _null(
        "null_mean",
        "number",
        "grand average expected by chance",
        "Mean grand average over n_resamples surrogates of s2 (its alignment with s1 broken).",
    ),
    _null("null_sd", "number", "grand average by chance, SD", "SD of the surrogate values."),
    _null("null_n", "count", "surrogates", "Surrogates with a grand average (NaN ones left out)."),
    _null(
        "p",
        "p",
        "p of the grand average at or above chance",
        "Monte Carlo p = (#{surrogate >= observed} + 1) / (null_n + 1).",
    ),
    _null(
        "effect",
        "number",
        "grand average above chance, in null SDs",
        "(grand_average - null_mean) / null_sd; none when the SD is 0.",
    ),
    _detail("names", "text", "the two signals", "Names of s1 and s2 (the file's header)."),
    _detail("lags_s", "s", "lags", "Lag of each column, -lag_s .. lag_s."),
    _detail("window_start_s", "s", "window start", "Start of each window."),
    _detail("window_end_s", "s", "window end", "End of each window: start + window_s."),
    _detail("lag_zero", "number", "at lag 0", "Each window's value at lag 0."),
    _detail("all_lags", "number", "mean over lags", "Each window's mean over all lags."),
    _detail("s1_lead", "number", "mean, s1 leads", "Each window's mean over positive lags."),
    _detail("s2_lead", "number", "mean, s2 leads", "Each window's mean over negative lags."),
    _detail("s1_lead_0", "number", "mean, s1 leads or lag 0", "Each window's mean over lags >= 0."),
    _detail("s2_lead_0", "number", "mean, s2 leads or lag 0", "Each window's mean over lags <= 0."),
    _detail(
        "best_lag_s",
        "s",
        "best lag",
        "Each window's lag of the largest value (the first on ties, as R's which.max).",
    ),
)

FAMILY = Family(
    name="wcc",
    title="Windowed cross-correlation (synchrony)",
    summary="correlation of two signals in sliding windows at every lag: grand average, lag 0, "
    "who leads, best lag, and a surrogate null",
    input="signals",
    parameters=PARAMETERS + NULL_PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source=SOURCE,
)
