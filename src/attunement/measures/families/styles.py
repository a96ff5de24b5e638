"""The ``styles`` family: attachment categories from the two questionnaire dimensions (anxiety,
avoidance), by a named method; it runs on scored responses (a ``ScoreResult`` of an instrument
with both dimensions, e.g. the ECR family)."""

from __future__ import annotations

from typing import Any

from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

METHODS = ("brennan1998", "midpoint", "median")
QUADRANTS = "Bartholomew & Horowitz (1991) J Pers Soc Psychol 61:226-244"
SOURCE = (
    "Brennan, Clark & Shaver (1998) classification functions (Fraley's ECR notes); "
    f"{QUADRANTS} (quadrants)"
)


def _run(scores, **config: Any):
    """``attachment.classify`` on the anxiety and avoidance scores of ``scores``."""
    from attunement.attachment import classify
    from attunement.errors import DataError

    if not {"anxiety", "avoidance"} <= set(scores.scores.columns):
        raise DataError(f"{scores.instrument.id} has no anxiety and avoidance scores to classify")
    return classify(
        scores.scores["anxiety"].to_numpy(),
        scores.scores["avoidance"].to_numpy(),
        config["method"],
        scale_min=scores.parameters["scale_min"],
        scale_max=scores.parameters["scale_max"],
        instrument=scores.instrument.id,
        extrapolate=config["extrapolate"],
    )


PARAMETERS = (
    Param(
        "method",
        "option",
        "brennan1998",
        "brennan1998: Brennan et al.'s classification functions; midpoint or median: quadrants "
        "split at the scale midpoint or the sample medians.",
        METHODS,
    ),
    Param(
        "extrapolate",
        "flag",
        False,
        "Allow brennan1998 on instruments other than the 36-item ECR, on which its functions "
        "were estimated (the result says it is an extrapolation).",
    ),
)


def _style(name: str, label: str, definition: str) -> Figure:
    return Figure(name, "count", label, definition, SOURCE, headline=True)


FIGURES = (
    _style("secure", "secure", "Respondents classified secure (low anxiety, low avoidance)."),
    _style(
        "fearful",
        "fearful",
        "Respondents classified fearful-avoidant (high anxiety, high avoidance).",
    ),
    _style(
        "preoccupied",
        "preoccupied",
        "Respondents classified preoccupied (high anxiety, low avoidance).",
    ),
    _style(
        "dismissing",
        "dismissing",
        "Respondents classified dismissing-avoidant (low anxiety, high avoidance).",
    ),
    Figure(
        "unclassified",
        "count",
        "not classified (a dimension score missing)",
        "Respondents without both dimension scores: no category.",
        SOURCE,
    ),
)

FAMILY = Family(
    name="styles",
    title="Attachment styles (categories)",
    summary="secure, fearful, preoccupied and dismissing counts from anxiety and avoidance",
    input="responses",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source=SOURCE,
    key_parameters=("method",),
)
