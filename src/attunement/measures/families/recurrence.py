"""The ``recurrence`` family: categorical cross-recurrence quantification of two equally sampled
streams, a child's (s1) and a caregiver's (s2) states or values (Marwan et al. 2007; Dale,
Warlaumont & Richardson 2011; Coco & Dale 2014)."""

from __future__ import annotations

from typing import Any

from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

MARWAN = "Marwan, Romano, Thiel & Kurths (2007) Physics Reports 438:237-329"
PROFILE = "Dale, Warlaumont & Richardson (2011) Int J Bifurcation and Chaos 21:1153-1161"
CRQA = "Coco & Dale (2014) Frontiers in Psychology 5:510 (R package crqa)"
SOURCE = f"{MARWAN}; {PROFILE}; {CRQA}"


def _run(signals, **config: Any):
    """``synchrony.cross_recurrence`` of ``signals.s1`` (child) and ``signals.s2`` (caregiver):
    labels or numbers, missing ones never recur."""
    from attunement.measures.synchrony import cross_recurrence

    return cross_recurrence(signals.s1, signals.s2, **config)


PARAMETERS = (
    Param("lmin", "count", 2, "Shortest diagonal line counted.", minimum=1),
    Param("vmin", "count", 2, "Shortest vertical line counted.", minimum=1),
    Param(
        "max_lag", "count", None, "Half-width of the diagonal profile in samples (default: all)."
    ),
)


def _figure(name: str, unit: str, label: str, definition: str, **kw: Any) -> Figure:
    return Figure(name, unit, label, definition, kw.pop("source", MARWAN), **kw)


FIGURES = (
    _figure("n", "count", "samples per stream", "Length n of each stream."),
    _figure("missing_x", "count", "child samples missing", "Missing labels of the child's stream."),
    _figure(
        "missing_y",
        "count",
        "caregiver samples missing",
        "Missing labels of the caregiver's stream.",
    ),
    _figure(
        "recurrence_points",
        "count",
        "recurrent points",
        "Pairs (i, j) with the child at i in the caregiver's state at j.",
    ),
    _figure(
        "rr",
        "share",
        "recurrence rate",
        "Recurrent points / n².",
        headline=True,
    ),
    _figure(
        "det",
        "share",
        "determinism: share of recurrent points on diagonal lines",
        "Points on diagonal lines of length >= lmin / recurrent points.",
        headline=True,
    ),
    _figure("l_mean", "number", "mean diagonal line length", "Over lines of length >= lmin."),
    _figure("l_max", "count", "longest diagonal line", "0 when no line reaches lmin."),
    _figure(
        "entr",
        "number",
        "entropy of diagonal line lengths",
        "-sum p(l) ln p(l) over the lengths l >= lmin of the diagonal lines.",
    ),
    _figure("diagonal_lines", "count", "diagonal lines", "Diagonal lines of length >= lmin."),
    _figure(
        "lam",
        "share",
        "laminarity: share of recurrent points on vertical lines",
        "Points on vertical lines (child time fixed) of length >= vmin / recurrent points.",
        headline=True,
    ),
    _figure(
        "tt",
        "number",
        "trapping time: mean vertical line length",
        "Over vertical lines of length >= vmin: how long the caregiver stays in the child's state.",
    ),
    _figure("v_max", "count", "longest vertical line", "0 when no line reaches vmin."),
    _figure("vertical_lines", "count", "vertical lines", "Vertical lines of length >= vmin."),
    _figure(
        "diagonal_lengths",
        "count",
        "diagonal lines by length",
        "Number of diagonal lines of each length, all lengths.",
        shape="detail",
    ),
    _figure(
        "vertical_lengths",
        "count",
        "vertical lines by length",
        "Number of vertical lines of each length, all lengths.",
        shape="detail",
    ),
    _figure(
        "lags",
        "count",
        "profile lags",
        "Diagonal lag = j - i in samples, -max_lag .. max_lag (positive: the child leads).",
        source=PROFILE,
        shape="detail",
    ),
    _figure(
        "profile",
        "share",
        "diagonal cross-recurrence profile",
        "Recurrence rate on each diagonal lag: points / (n - |lag|).",
        source=PROFILE,
        shape="detail",
    ),
    _figure(
        "profile_points",
        "count",
        "recurrent points per lag",
        "Recurrent points on each diagonal lag.",
        source=PROFILE,
        shape="detail",
    ),
    _figure(
        "profile_peak_lags",
        "count",
        "lags of the profile's maximum",
        "Every lag whose recurrence rate equals the profile's maximum (crqa's maxlag).",
        source=CRQA,
        shape="detail",
    ),
)

FAMILY = Family(
    name="recurrence",
    title="Categorical cross-recurrence",
    summary="how often and how long the child and the caregiver share a state, at every lag: "
    "recurrence rate, determinism, laminarity, line lengths and the diagonal profile",
    input="signals",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source=SOURCE,
)
