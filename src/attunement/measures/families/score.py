"""The ``score`` family: an attachment questionnaire scored for every respondent (subscale means
of reverse-keyed items), with the sample's reliabilities, missing answers and response-style
flags; optionally the attachment categories of the ``styles`` family."""

from __future__ import annotations

from typing import Any

from attunement.measures.families.styles import METHODS
from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

SCORING = "Brennan, Clark & Shaver (1998); Fraley, Waller & Brennan (2000)"
ALPHA = "Cronbach (1951) Psychometrika 16:297-334; Feldt (1965) Psychometrika 30:357-370"
OMEGA = "McDonald (1999) Test Theory: A Unified Treatment, ch. 6"
FLAGS = "Johnson (2005) J Res Pers 39:103-129; Meade & Craig (2012) Psychol Methods 17:437-455"
ITEMS = "Nunnally & Bernstein (1994) Psychometric Theory, 3rd ed., ch. 8 (item-total statistics)"


def _run(responses, **config: Any):
    """``attachment.score`` of ``responses`` (a frame or a delimited file) with the family's
    validated configuration."""
    from attunement.attachment import score
    from attunement.errors import ParameterError

    if config["instrument"] is None:
        raise ParameterError("score: instrument must be an instrument id (e.g. ecr-r), got None")
    try:
        missing = [float(code) for code in config["missing"] or ()]
    except ValueError:
        raise ParameterError(
            f"score: missing must be numbers, got {list(config['missing'])}"
        ) from None
    item_map = parse_item_map(config["item_map"] or ())
    return score(
        responses,
        **{**config, "missing": missing, "item_map": item_map, "keep": config["keep"] or ()},
    )


def parse_item_map(pairs) -> dict[str, str]:
    """``("A=secure", "B=fearful")`` -> ``{"A": "secure", "B": "fearful"}`` (data column ->
    item column)."""
    from attunement.errors import ParameterError

    out = {}
    for pair in pairs:
        column, sep, item = (part.strip() for part in str(pair).partition("="))
        if not sep or not column or not item:
            raise ParameterError(f"score: item_map entries are COLUMN=ITEM, got {pair!r}")
        out[column] = item
    return out


PARAMETERS = (
    Param("instrument", "text", None, "The instrument's id (attunement score --help lists them)."),
    Param("items_prefix", "text", "Q", "Item columns are PREFIX1..PREFIXk."),
    Param(
        "item_map",
        "labels",
        None,
        "Data column = item column pairs (A=secure|B=fearful ...): which column holds which item; "
        "instruments read by name (the RQ) need it when the columns are letters.",
    ),
    Param("scale_min", "count", None, "Lowest answer (default: the published one)."),
    Param("scale_max", "count", None, "Highest answer (default: the published one)."),
    Param("missing", "labels", None, "Declared missing codes (numbers, e.g. 0)."),
    Param(
        "max_missing",
        "fraction",
        0.2,
        "Largest share of a subscale's items that may be missing for a score.",
    ),
    Param("id_column", "text", None, "Respondent id column."),
    Param("keep", "labels", None, "Columns passed through to every output row (age|gender ...)."),
    Param(
        "invalid",
        "option",
        "raise",
        "Invalid answers: raise stops with one summary (every cell in problems); missing "
        "scores them as missing and lists them.",
        ("raise", "missing"),
    ),
    Param(
        "range_check",
        "flag",
        True,
        "Stop when 30+ respondents never reach an end of the scale (false: a warning only).",
    ),
    Param("confidence", "fraction", 0.95, "Confidence level of alpha's interval."),
    Param("styles", "option", None, "Add attachment categories by this method.", METHODS),
    Param(
        "extrapolate",
        "flag",
        False,
        "Allow brennan1998 on instruments other than the 36-item ECR (labelled an extrapolation).",
    ),
)


def _count(name: str, label: str, definition: str, source: str = SCORING, **kw: Any) -> Figure:
    return Figure(name, "count", label, definition, source, **kw)


def _dimension(dim: str) -> tuple[Figure, ...]:
    return (
        Figure(f"{dim}_mean", "number", f"{dim}: mean score", "Mean on complete cases.", SCORING),
        Figure(f"{dim}_sd", "number", f"{dim}: SD", "Standard deviation (ddof = 1).", SCORING),
        Figure(
            f"{dim}_alpha",
            "number",
            f"{dim}: reliability (Cronbach's alpha)",
            "k / (k - 1) (1 - sum of item variances / variance of the sum), complete cases.",
            ALPHA,
            headline=True,
        ),
        Figure(
            f"{dim}_alpha_low",
            "number",
            f"{dim}: alpha, lower bound",
            "Lower end of Feldt's interval at the confidence level.",
            ALPHA,
        ),
        Figure(
            f"{dim}_alpha_high",
            "number",
            f"{dim}: alpha, upper bound",
            "Upper end of Feldt's interval at the confidence level.",
            ALPHA,
        ),
        Figure(
            f"{dim}_omega",
            "number",
            f"{dim}: reliability (McDonald's omega)",
            "Omega total of a maximum-likelihood one-factor fit, over the observed variance of "
            "the sum.",
            OMEGA,
        ),
    )


FIGURES = (
    _count("respondents", "respondents", "Rows of responses scored.", headline=True),
    _count(
        "complete_cases",
        "respondents who answered every item",
        "Respondents with every item answered validly: the sample of the descriptives and "
        "reliabilities.",
    ),
    _count(
        "scored",
        "respondents with every subscale scored",
        "Respondents missing at most max_missing of each subscale's items (prorated means).",
        headline=True,
    ),
    _count(
        "missing_answers",
        "missing answers",
        "Item answers left empty, given a declared missing code, or invalid and scored as missing.",
    ),
    _count(
        "invalid_answers",
        "invalid answers scored as missing",
        "Answers that are not whole numbers on the scale (invalid = missing; listed in problems).",
    ),
    _count(
        "straight_lined",
        "respondents giving one answer to every item",
        "At least two items answered and every answered raw value identical.",
        FLAGS,
    ),
    _count(
        "longstring_max",
        "longest run of identical answers",
        "The largest long-string index: identical consecutive raw answers in administration "
        "order, a missing answer breaking the run.",
        FLAGS,
    ),
    Figure(
        "items_negative_r",
        "count",
        "items against the rest of their subscale (mis-keyed?)",
        "Items whose corrected item-total correlation is negative; each is named in a warning "
        "(reverse-keyed? check your item order).",
        ITEMS,
    ),
    Figure(
        "instrument_version",
        "text",
        "instrument version",
        "The version of the instrument's key (instruments.csv).",
        "attachment/instruments/instruments.csv",
    ),
    Figure(
        "verification",
        "text",
        "scoring key verification",
        "verified (two or more public sources agree, or reference figures reproduced), "
        "one-source or unverified; the source says which sources.",
        "attachment/instruments/instruments.csv",
    ),
    *_dimension("anxiety"),
    *_dimension("avoidance"),
    Figure(
        "anxiety_avoidance_r",
        "number",
        "correlation of anxiety and avoidance",
        "Pearson r of the two scores on complete cases.",
        SCORING,
    ),
    Figure(
        "subscales",
        "number",
        "every subscale",
        "Per subscale: items, n (complete cases), scored, mean, sd, alpha, alpha_low, "
        "alpha_high, omega (reliabilities for 3+ items; reliability says why one is missing).",
        f"{ALPHA}; {OMEGA}",
        shape="detail",
    ),
    Figure(
        "correlations",
        "number",
        "correlations of subscale scores",
        "Pearson r of each pair of subscale scores on complete cases, keyed 'a~b'.",
        shape="detail",
    ),
    Figure(
        "items",
        "number",
        "item analysis",
        "Per item, within its subscale, on complete cases: item, column, subscale, reversed, n, "
        "mean and sd of the keyed answers, r_corrected (Pearson r with the sum of the other "
        "items) and alpha_if_deleted.",
        ITEMS,
        shape="detail",
    ),
    Figure(
        "problems",
        "text",
        "invalid answers, one by one",
        "Row, file line, respondent id, item, value and what is wrong.",
        shape="detail",
    ),
    Figure(
        "styles",
        "count",
        "attachment categories",
        "The styles family's result (with the styles parameter): method, counts, parameters.",
        shape="detail",
    ),
)

FAMILY = Family(
    name="score",
    title="Questionnaire scores",
    summary="subscale scores per respondent; respondents, missing answers, alpha with its "
    "interval and omega for the sample",
    input="responses",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source=f"{SCORING}; {ALPHA}; {OMEGA}; {FLAGS}; {ITEMS}",
    key_parameters=("instrument",),
)
