"""The ``agree_counts`` family: how well two annotations agree on counts per clip (child
vocalisations, adult words, turns), across clips or recordings."""

from __future__ import annotations

from typing import Any

from attunement.measures.families.turns import RULE_NAMES
from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

ICC = "McGraw & Wong (1996) Psychol Methods 1:30-46; Shrout & Fleiss (1979) Psychol Bull 86:420"
BLAND_ALTMAN = "Bland & Altman (1986) Lancet 327:307-310"
COUNTS = (
    "Cristia et al. (2020) Behav Res Methods 53:467-486 (LENA against human annotation, per clip)"
)


def _run(annotations, **config: Any):
    """``measures.agreement.agree_counts`` of (references, hypotheses)."""
    from attunement.measures.agreement.counts import agree_counts

    references, hypotheses = annotations
    return agree_counts(references, hypotheses, **config)


PARAMETERS = (
    Param(
        "clip_s",
        "seconds",
        None,
        "Cut each recording into clips of this length (default: the clip list, or whole "
        "recordings).",
        minimum=1,
    ),
    Param("rule", "option", "lena", "The turn rule for the turn count.", RULE_NAMES),
)


def _number(name: str, label: str, definition: str, source: str = COUNTS, **kw) -> Figure:
    return Figure(name, "number", label, definition, source, **kw)


FIGURES = (
    Figure(
        "count",
        "text",
        "what was counted",
        "child_vocalisations (key-child vocal segments starting in the clip), adult_words "
        "(words of FEM, MAL and ADU segments starting in the clip) or turns (under rule).",
    ),
    Figure(
        "clips", "count", "clips", "Clips compared (both sides counted on each).", headline=True
    ),
    _number("reference_mean", "reference mean per clip", "Mean of the reference's counts."),
    _number("hypothesis_mean", "hypothesis mean per clip", "Mean of the hypothesis's counts."),
    _number(
        "pearson_r",
        "Pearson r",
        "Correlation of the two sides' counts over clips.",
        headline=True,
    ),
    _number("spearman_rho", "Spearman rho", "Rank correlation of the two sides' counts."),
    _number(
        "icc_a1",
        "ICC(2,1), absolute agreement",
        "(MSR - MSE) / (MSR + MSE + 2 (MSC - MSE) / n): two-way random effects, single rater.",
        ICC,
        headline=True,
    ),
    _number("icc_a1_low", "ICC(2,1), 95% CI low", "McGraw & Wong's F-based lower limit.", ICC),
    _number("icc_a1_high", "ICC(2,1), 95% CI high", "McGraw & Wong's F-based upper limit.", ICC),
    _number(
        "icc_c1",
        "ICC(3,1), consistency",
        "(MSR - MSE) / (MSR + MSE): two-way mixed effects, single rater.",
        ICC,
    ),
    _number("icc_c1_low", "ICC(3,1), 95% CI low", "F-based lower limit.", ICC),
    _number("icc_c1_high", "ICC(3,1), 95% CI high", "F-based upper limit.", ICC),
    _number(
        "mean_absolute_error",
        "mean absolute error per clip",
        "Mean over clips of |hypothesis - reference|.",
    ),
    _number(
        "bias",
        "bias (Bland-Altman), hypothesis - reference",
        "Mean over clips of hypothesis - reference.",
        BLAND_ALTMAN,
        headline=True,
    ),
    _number(
        "loa_low",
        "lower limit of agreement",
        "bias - 1.96 SD of the differences (SD with n - 1).",
        BLAND_ALTMAN,
    ),
    _number(
        "loa_high",
        "upper limit of agreement",
        "bias + 1.96 SD of the differences.",
        BLAND_ALTMAN,
    ),
    Figure(
        "per_clip",
        "number",
        "counts per clip",
        "One row per clip: recording, onset_s, offset_s, reference, hypothesis.",
        shape="detail",
    ),
)

FAMILY = Family(
    name="agree_counts",
    title="Agreement of counts across clips",
    summary="child vocalisations, adult words and turns per clip: r, rho, ICC, Bland-Altman",
    input="annotations",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source=f"{ICC}; {BLAND_ALTMAN}",
    key_parameters=(),
)
