"""The ``timed`` family: time-window sequential analysis. Does the target (by default an adult
vocalisation) start within ``window_s`` after the antecedent (the key child's) more often than
at other times? A 2×2 table of time units, Yule's Q and the odds ratio, optionally against
circular shifts of the target stream (Yoder & Tapp 2004; Bakeman & Quera 2011, ch. 9)."""

from __future__ import annotations

from typing import Any

from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

SOURCE = (
    "Yoder & Tapp (2004) J Behav Educ 13:227; Chorney, Garcia, Berlin, Bakeman & Kain (2010) "
    "J Pediatr Psychol 35:1061; Bakeman & Quera (2011) ch. 9"
)
SHIFTS = "Moulder, Boker, Ramseyer & Tschacher (2018) Psychol Methods 23:757"
PSEUDO = "Bernieri, Reznick & Rosenthal (1988) J Pers Soc Psychol 54:243"
P_RULE = "Phipson & Smyth (2010) Stat Appl Genet Mol Biol 9:39"
ODDS = "Haldane (1940); Anscombe (1956): 0.5 added to every cell when one is 0"
SELECTOR = "COLUMN=VALUE|VALUE;COLUMN=VALUE over speaker_type, speaker_id, kind and code"


def _run(recording, **config: Any):
    """``sequential_timed`` on one recording with the family's validated configuration; a
    recording without antecedent or target events cannot support it."""
    from attunement import segments as seg
    from attunement.errors import DataError
    from attunement.measures.sequential import sequential_timed
    from attunement.measures.sequential.timewindow import parse_selector, selection

    selectors = {what: parse_selector(config[what], what) for what in ("antecedent", "target")}
    timed = seg.timed(recording.segments)
    for what, spec in selectors.items():
        if not selection(timed, spec, what).height:
            raise DataError(f"no timed {what} events ({config[what]}) in this recording")
    return sequential_timed(
        recording,
        selectors["antecedent"],
        selectors["target"],
        window_s=config["window_s"],
        unit_s=config["unit_s"],
        antecedent_mode=config["antecedent_mode"],
        target_mode=config["target_mode"],
        n_resamples=config["n_resamples"],
        seed=config["seed"],
    )


PARAMETERS = (
    Param("window_s", "seconds", 5.0, "Window W after the antecedent, a whole number of units."),
    Param("unit_s", "seconds", 1.0, "Time unit Δ of the table.", minimum=0.001),
    Param("antecedent", "text", "speaker_type=CHI;kind=vocal", f"Antecedent rows: {SELECTOR}."),
    Param("target", "text", "speaker_type=FEM|MAL|ADU;kind=vocal", f"Target rows: {SELECTOR}."),
    Param(
        "antecedent_mode",
        "option",
        "onset",
        "onset: the window is [onset, onset + W); duration: [onset, offset + W).",
        ("onset", "duration"),
    ),
    Param(
        "target_mode",
        "option",
        "onset",
        "onset: a unit counts when a target starts in it; occurrence: when a target covers it.",
        ("onset", "occurrence"),
    ),
    Param(
        "n_resamples",
        "count",
        0,
        "Circular shifts of the target stream for the null (0: none).",
        cap=10_000,
    ),
    Param("seed", "seed", 0, "Seed of the circular shifts (recording i: seed + i)."),
)


def _cell(name: str, label: str, definition: str) -> Figure:
    return Figure(name, "count", label, definition, SOURCE)


def _null(name: str, unit: str, label: str, definition: str, source: str = SHIFTS, **kw) -> Figure:
    return Figure(name, unit, label, definition, source, **kw)


FIGURES = (
    Figure("recordings", "count", "recordings (dyads)", "Recordings in the table, one dyad each."),
    Figure(
        "antecedents",
        "count",
        "antecedent events",
        "Antecedent rows starting on the timeline.",
        SOURCE,
        headline=True,
    ),
    Figure("targets", "count", "target events", "Target rows starting on the timeline.", SOURCE),
    Figure("duration_s", "s", "time analysed", "Length of the timelines, summed.", SOURCE),
    _cell("n_units", "time units", "Units of unit_s on the timelines: a + b + c + d."),
    _cell("a_window_target", "units in a window, with a target", "a."),
    _cell("b_window_no_target", "units in a window, without a target", "b."),
    _cell("c_outside_target", "units outside the windows, with a target", "c."),
    _cell("d_outside_no_target", "units outside the windows, without a target", "d."),
    Figure(
        "yules_q",
        "number",
        "Yule's Q, -1 to +1 (a target in the windows vs outside them)",
        "(ad - bc) / (ad + bc) from the counts as they are (+-1 with a zero cell; none when "
        "ad + bc = 0).",
        SOURCE,
        headline=True,
    ),
    Figure(
        "odds_ratio",
        "ratio",
        "odds ratio (a target in the windows vs outside them)",
        "ad / bc, zero-cell corrected.",
        ODDS,
    ),
    Figure("log_odds_ratio", "number", "log odds ratio", "ln(ad / bc), zero-cell corrected.", ODDS),
    Figure(
        "mean_q",
        "number",
        "Yule's Q, mean over the recordings",
        "Mean of each recording's own Q (undefined ones left out); with one recording, its Q.",
        SOURCE,
    ),
    _null(
        "null_mean_q",
        "number",
        "Yule's Q expected by chance",
        "Mean Q of the null tables: the target stream circularly shifted (pooled over recordings "
        "draw by draw), or the pseudo-dyads.",
    ),
    _null("null_sd_q", "number", "Yule's Q expected by chance, SD", "SD of the null Q."),
    _null(
        "null_n", "count", "null draws", "Null tables with a defined Q (undefined ones left out)."
    ),
    _null(
        "p",
        "p",
        "p of Q at or above chance",
        "Monte Carlo p = (#{null Q >= Q} + 1) / (null_n + 1).",
        P_RULE,
        headline=True,
    ),
    _null(
        "mc_se",
        "number",
        "Monte Carlo error of p",
        "sqrt(p (1 - p) / null_n).",
        P_RULE,
    ),
    Figure(
        "zero_cell_corrected",
        "text",
        "odds ratio zero-cell corrected",
        "True when a cell is 0 and 0.5 was added to every cell for the odds ratio and its log.",
        ODDS,
        shape="detail",
    ),
    Figure(
        "per_recording",
        "count",
        "each recording's table",
        "The same figures for each recording alone (with its own test under pseudo-dyads).",
        SOURCE,
        shape="detail",
    ),
    Figure(
        "circular_shift",
        "count",
        "each recording against shifts of its own target stream",
        "The same figures for each recording, tested against n_resamples circular shifts "
        "(recording i seeded seed + i).",
        SHIFTS,
        shape="detail",
    ),
    Figure(
        "pseudo_dyads",
        "count",
        "real dyads against pseudo-dyads",
        "Each recording's antecedents paired with another recording's targets: the null Q, and "
        "each real dyad tested against it.",
        PSEUDO,
        shape="detail",
    ),
)

FAMILY = Family(
    name="timed",
    title="Time-window sequential analysis",
    summary="does the target start within W s of the antecedent more often than at other "
    "times: a 2x2 table of time units, Yule's Q, odds ratio, circular-shift null",
    input="recording",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source=SOURCE,
)
