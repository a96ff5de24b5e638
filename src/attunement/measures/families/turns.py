"""The ``turns`` family: serve and return in one recording under a named turn rule."""

from __future__ import annotations

from typing import Any

from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

RULE_NAMES = ("lena", "alternation", "window", "adjacent")
RULE_MEANINGS = {  # one line each for people; the full definitions are the rules' own (RULES)
    "lena": "LENA's count: child and adult taking turns less than 5 s apart, counted in pairs.",
    "alternation": "Child and adult blocks of talk that follow each other within 5 s.",
    "window": "An adult answers a child's sound (or the child an adult's) within 5 s.",
    "adjacent": "ChildProject's count: child and partner segments next to each other within 1 s.",
}
CONTINGENCY = "Contingent-response literature (Bornstein et al. 2008; Warlaumont et al. 2014)"
SHIFT_SOURCE = "Moulder, Boker, Ramseyer & Tschacher (2018) Psychol Methods 23:757"


def _run(recording, **config: Any):
    """``attunement.turns`` with the family's validated configuration; a recording without timed
    vocalisations (coded streams only) cannot support turns."""
    import polars as pl

    from attunement.errors import DataError
    from attunement.measures.turns import turns

    vocal = recording.segments.filter(
        pl.col("kind").cast(pl.String).is_in(["vocal", "cry"])
        & pl.col("segment_onset").is_not_null()
    )
    if not vocal.height:
        raise DataError("no timed vocalisations in this recording (coded streams only)")
    rule_params = {k: v for k, v in config.items() if k in RULE_PARAMETERS and v is not None}
    return turns(
        recording,
        config["rule"],
        n_resamples=config["n_resamples"],
        seed=config["seed"],
        min_shift_s=config["min_shift_s"],
        project_12h=config["project_12h"],
        error_model=config["error_model"],
        allow_large=True,  # the configuration passed its caps as the caller asked
        **rule_params,
    )


RULE_PARAMETERS = (
    "window_s",
    "overlap_s",
    "min_delay_s",
    "partners",
    "kinds",
    "blocks",
    "cancel_exclude_ids",
)
PARAMETERS = (
    Param("rule", "option", "lena", "The turn rule (attunement measures shows each).", RULE_NAMES),
    Param("window_s", "seconds", None, "The rule's window W in s (default: the rule's own)."),
    Param("overlap_s", "seconds", None, "Rule window: how far an answer may overlap the serve."),
    Param("min_delay_s", "seconds", None, "Rule adjacent: smallest gap between the two onsets."),
    Param("partners", "labels", None, "Rule adjacent: the child's partners (speaker types)."),
    Param("kinds", "labels", None, "Rule adjacent: segment kinds that count (default: any)."),
    Param("blocks", "flag", None, "Rule lena: no turn crosses LENA's conversation blocks."),
    Param(
        "cancel_exclude_ids",
        "labels",
        None,
        "Rule lena: other-child ids that do not cancel a turn (LENA ignores faint CXF).",
    ),
    Param(
        "n_resamples",
        "count",
        100,
        "Circular shifts of the adults' stream for the chance baseline (0: off).",
        cap=10_000,
    ),
    Param("seed", "seed", 0, "Seed of the chance baseline."),
    Param("min_shift_s", "seconds", 60.0, "Smallest circular shift of the chance baseline."),
    Param("project_12h", "flag", False, "Add LENA's 12-hour projection (turns per hour x 12)."),
    Param(
        "error_model",
        "text",
        None,
        "Error model (JSON from attunement agree --save-error-model, or a preset): adds 95% "
        "intervals from n_resamples simulated days.",
    ),
)
UNCERTAINTY = "Beaumont, Zhang & Balding (2002) Genetics 162:2025-2035 (regression-adjusted ABC)"

FIGURES = (
    Figure("turns", "count", "turns", "Serve-response pairs the rule counted.", headline=True),
    Figure(
        "turns_per_hour",
        "per_hour",
        "turns per hour",
        "Turns per hour of audio actually recorded.",
        headline=True,
    ),
    Figure(
        "recorded_s",
        "s",
        "audio recorded",
        "Seconds of audio actually recorded (pauses between recordings left out).",
        headline=True,
    ),
    Figure(
        "child_serves",
        "count",
        "child serves: conversations the child started",
        "Exchanges whose first turn a key-child vocalisation opened.",
        headline=True,
    ),
    Figure(
        "adult_serves",
        "count",
        "adult serves: conversations an adult started",
        "Exchanges whose first turn an adult vocalisation opened.",
    ),
    Figure(
        "adult_returns",
        "count",
        "adult returns: times an adult answered the child",
        "Turns in which an adult answered the key child, inside or at the start of an exchange "
        "(so it can exceed the child serves).",
    ),
    Figure(
        "child_returns",
        "count",
        "child returns: times the child answered an adult",
        "Turns in which the key child answered an adult.",
    ),
    Figure(
        "child_units",
        "count",
        "child vocalisations",
        "Key-child vocal units the rule considers.",
    ),
    Figure("adult_units", "count", "adult vocalisations", "Adult vocal units the rule considers."),
    Figure(
        "response_rate",
        "share",
        "response rate: share of child vocalisations an adult answered within W s",
        "Share of key-child vocal units followed by an adult vocal unit starting within "
        "[offset, offset + W] (W = window_s, plus the rule's overlap allowance).",
        CONTINGENCY,
        headline=True,
    ),
    Figure(
        "latency_median_s",
        "s",
        "response latency, median",
        "Median of (adult answer onset - child vocalisation offset) over the child serves an "
        "adult answered; negative when the answer overlaps.",
        headline=True,
    ),
    Figure("latency_q1_s", "s", "response latency, 1st quartile", "25th percentile of latency."),
    Figure("latency_q3_s", "s", "response latency, 3rd quartile", "75th percentile of latency."),
    Figure(
        "exchanges",
        "count",
        "exchanges (conversations)",
        "Chains of turns linked by the rule.",
        headline=True,
    ),
    Figure(
        "longest_exchange",
        "count",
        "longest exchange, in turns",
        "Turns in the longest exchange.",
    ),
    Figure(
        "other_child_units",
        "count",
        "other-child vocalisations",
        "Vocal units of other children (OCH).",
    ),
    Figure(
        "other_child_turns",
        "count",
        "turns with other children",
        "Turns whose partner of the key child was another child.",
    ),
    Figure(
        "chance_turns",
        "number",
        "turns expected by chance",
        "Mean turn count over n_resamples circular shifts of the adults' stream (their timing "
        "made unrelated to the child's, their amount and rhythm kept).",
        SHIFT_SOURCE,
    ),
    Figure(
        "chance_sd",
        "number",
        "turns expected by chance, SD",
        "Standard deviation of the shifted turn counts.",
        SHIFT_SOURCE,
    ),
    Figure(
        "chance_ratio",
        "ratio",
        "observed / chance turns",
        "turns / chance_turns: how many times the chance count the real timing gives.",
        SHIFT_SOURCE,
        headline=True,
    ),
    Figure(
        "chance_p",
        "p",
        "p of turns at or above chance",
        "Monte Carlo p = (#{shifted counts >= turns} + 1) / (n_resamples + 1).",
        "Phipson & Smyth (2010) Stat Appl Genet Mol Biol 9:39",
    ),
    Figure(
        "lena_12h_projection",
        "number",
        "LENA-style 12-hour projection (turns)",
        "turns_per_hour x 12, only with project_12h: a projection, not a count.",
        "LENA Foundation, LENA Pro reports",
    ),
    Figure(
        "turns_low",
        "count",
        "turns, 95% interval low",
        "With an error model: lower end of the 95% interval for the turns a human annotation of "
        "the same audio would give.",
        UNCERTAINTY,
    ),
    Figure(
        "turns_high",
        "count",
        "turns, 95% interval high",
        "With an error model: upper end of that 95% interval.",
        UNCERTAINTY,
    ),
    Figure(
        "turns_per_hour_low",
        "per_hour",
        "turns per hour, 95% interval low",
        "With an error model: lower end of the 95% interval for turns per hour.",
        UNCERTAINTY,
    ),
    Figure(
        "turns_per_hour_high",
        "per_hour",
        "turns per hour, 95% interval high",
        "With an error model: upper end of the 95% interval for turns per hour.",
        UNCERTAINTY,
    ),
    Figure(
        "response_rate_low",
        "share",
        "response rate, 95% interval low",
        "With an error model: lower end of the 95% interval for the response rate.",
        UNCERTAINTY,
    ),
    Figure(
        "response_rate_high",
        "share",
        "response rate, 95% interval high",
        "With an error model: upper end of the 95% interval for the response rate.",
        UNCERTAINTY,
    ),
    Figure(
        "turns_bias",
        "number",
        "estimated bias of the count (measured - true)",
        "With an error model: turns - turns_corrected, how far the naive count is likely off.",
        UNCERTAINTY,
    ),
    Figure(
        "turns_corrected",
        "number",
        "turns, corrected for the error model",
        "With an error model: the median of the simulated true counts given this measurement.",
        UNCERTAINTY,
    ),
    Figure(
        "turns_per_hour_corrected",
        "per_hour",
        "turns per hour, corrected for the error model",
        "turns_corrected per hour of audio recorded.",
        UNCERTAINTY,
    ),
    Figure(
        "uncertainty",
        "text",
        "how the interval was made",
        "With an error model: the method, its assumptions, the model's source, simulated days.",
        UNCERTAINTY,
        shape="detail",
    ),
    Figure(
        "latency_histogram",
        "s",
        "response latency histogram",
        "Counts of latencies in 0.5 s bins (edges_s, counts).",
        shape="detail",
    ),
    Figure(
        "exchange_lengths",
        "count",
        "exchanges by length",
        "Number of exchanges of each length in turns.",
        shape="detail",
    ),
    Figure(
        "by_caregiver",
        "count",
        "turns by partner",
        "Turns per partner speaker_type and speaker_id.",
        shape="detail",
    ),
    Figure(
        "lena_agreement",
        "count",
        "agreement with LENA's own turn tags",
        "Rule lena on LENA files: conversation blocks where our count equals LENA's.",
        shape="detail",
    ),
    Figure(
        "bins_1h",
        "count",
        "turns per clock hour",
        "Clock-aligned 1-hour bins: recorded seconds, turns, child and adult units.",
        shape="detail",
    ),
    Figure(
        "bins_5min",
        "count",
        "turns per 5 minutes",
        "Clock-aligned 5-minute bins: recorded seconds, turns, child and adult units.",
        shape="detail",
    ),
)

FAMILY = Family(
    name="turns",
    title="Serve and return (turns)",
    summary="turns, serves, returns, response rate, latency, exchanges and a chance baseline",
    input="recording",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source="Per rule: LENA Pro (Gilkerson & Richards 2008); serve-return 0.1.0; "
    "Warlaumont et al. 2014; ChildProject 0.4.6 simple_CTC",
    key_parameters=("rule",),
    tables={
        "turns_bins": {
            "bin_minutes": "int",
            "bin_start": "datetime",
            "elapsed_s": "float",
            "recorded_s": "float",
            "turns": "int",
            "child_units": "int",
            "adult_units": "int",
        }
    },
)
