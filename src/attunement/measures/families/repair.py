"""The ``repair`` family: rupture and repair of coded child and caregiver states in one recording
(Tronick's mutual regulation model), by a match table (name, version and definition in every
result) and an explicit choice of what neutral time after a mismatch means (``neutral``)."""

from __future__ import annotations

from typing import Any

from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

PRESETS = ("icep-r-reading-1", "monadic-phases", "valence")
RENAMED = {"icep-r": "icep-r-reading-1"}  # old preset name -> versioned name, named in the error
AUTO = "auto"
AUTO_ORDER = ("icep-r-reading-1", "valence", "monadic-phases")  # the first covering every pair
NEUTRAL = ("censor", "bridge", "end")
TRONICK = "Tronick & Gianino (1986) Zero to Three 6(3):1-6; Tronick (1989) Am Psychol 44:112-119"
MATCHING = "Tronick & Cohn (1989) Child Dev 60:85-92"
KM = "Kaplan & Meier (1958) JASA 53:457-481; lifelines (Davidson-Pilon 2019, JOSS 4:1317)"


def _run(recording, **config: Any):
    """``attunement.repair`` with the family's validated configuration; a recording without codes
    of both partners, or with a coded pair the match table does not cover, cannot support it."""
    from attunement.errors import DataError
    from attunement.measures.repair import MatchTableError, load_match_table, repair

    names = AUTO_ORDER if config["match_table"] == AUTO else (config["match_table"],)
    problems = []
    for name in names:
        table = load_match_table(name)  # unknown or malformed: ParameterError
        try:
            result = repair(
                recording,
                match_table=table,
                min_mismatch_s=config["min_mismatch_s"],
                absent_code=config["absent_code"],
                neutral=config["neutral"],
                bridge_s=config["bridge_s"],
            )
        except MatchTableError as exc:  # the table was read: what is left is a pair it lacks
            problems.append(str(exc))
            continue
        if config["match_table"] == AUTO:
            result.warnings.append(f"match table chosen automatically: {table.name}")
        return result
    raise DataError(
        "; ".join(problems)
        if len(problems) == 1
        else "no match table covers the codes (" + "; ".join(problems) + ")"
    )


PARAMETERS = (
    Param(
        "match_table",
        "text",
        "icep-r-reading-1",
        f"Which pairs of states match: a preset ({', '.join(PRESETS)}), a CSV file "
        "caregiver_code,child_code,relation, or auto (the first of "
        f"{', '.join(AUTO_ORDER)} that covers every coded pair, named in the warnings).",
    ),
    Param(
        "min_mismatch_s",
        "seconds",
        0.0,
        "Shortest mismatch run counted as an episode (shorter runs: coding jitter, ignored).",
    ),
    Param(
        "absent_code",
        "text",
        None,
        "State of a partner with no code in an interval (default: the interval is uncoded).",
    ),
    Param(
        "neutral",
        "option",
        "censor",
        "A mismatch followed by neutral time: censor (its latency is censored there), bridge "
        "(neutral gaps up to bridge_s between mismatch runs do not end it; otherwise censor) or "
        "end (it ends, not repaired: never repaired in the latency curve).",
        NEUTRAL,
    ),
    Param(
        "bridge_s",
        "seconds",
        1.0,
        "With neutral=bridge: the longest neutral gap inside a mismatch that does not end it.",
    ),
)


def _count(name: str, label: str, definition: str, source: str = TRONICK, **kw: Any) -> Figure:
    return Figure(name, "count", label, definition, source, **kw)


FIGURES = (
    Figure(
        "total_s",
        "s",
        "time observed",
        "All time on the coding grid: matched + mismatched + neutral + uncoded.",
    ),
    Figure("match_s", "s", "time in step (matched)", "Time whose pair of states matches."),
    Figure(
        "mismatch_s",
        "s",
        "time out of step (mismatched)",
        "Time whose pair of states is a mismatch (short ignored runs included).",
    ),
    Figure(
        "neutral_s",
        "s",
        "neutral time",
        "Time whose pair the match table calls neither matched nor mismatched.",
    ),
    Figure(
        "uncoded_s",
        "s",
        "time with a partner uncoded",
        "Time where either partner has no code (never looked up in the table).",
    ),
    Figure(
        "matching_proportion",
        "share",
        "matched share of coordinated time",
        "matched / (matched + mismatched) time.",
        MATCHING,
        headline=True,
    ),
    Figure(
        "matching_proportion_total",
        "share",
        "matched share of all time",
        "matched / all time (neutral and uncoded time included).",
        MATCHING,
    ),
    _count(
        "mismatch_episodes",
        "mismatch episodes (times out of step)",
        "Maximal runs of mismatch within one episode label, at least min_mismatch_s long.",
        headline=True,
    ),
    _count(
        "mismatch_runs_ignored",
        "mismatch runs too short to count",
        "Mismatch runs shorter than min_mismatch_s: left out of the episodes, not merged; their "
        "time stays mismatched.",
    ),
    _count(
        "repairs",
        "repairs",
        "Mismatch episodes followed directly by a match.",
        headline=True,
    ),
    Figure(
        "reparation_rate",
        "share",
        "share of mismatch episodes repaired",
        "repairs / mismatch_episodes.",
        TRONICK,
    ),
    Figure(
        "repairs_per_min",
        "per_min",
        "repairs per minute",
        "repairs per minute of all time observed.",
        TRONICK,
    ),
    Figure(
        "repair_latency_median_s",
        "s",
        "repair latency, median (Kaplan-Meier)",
        "Smallest t with S(t) <= 0.5, S the Kaplan-Meier estimate over mismatch episodes (latency "
        "= episode duration, censored when it ends without a match); none when not reached.",
        KM,
        headline=True,
    ),
    Figure(
        "repair_hazard_per_s",
        "number",
        "repairs per second out of step (constant hazard)",
        "repairs / total duration of the mismatch episodes: the exponential maximum-likelihood "
        "rate, not biased by censoring when the hazard is constant.",
        KM,
    ),
    Figure(
        "repair_latency_mean_repaired_s",
        "s",
        "repair latency, mean of repaired episodes only (biased low)",
        "Mean duration of the repaired episodes; leaves out the censored ones, so it is biased "
        "low whenever episodes are censored (reported for comparison with studies that use it).",
    ),
    _count(
        "censored",
        "mismatch episodes unrepaired (censored)",
        "Episodes ending in neutral (neutral=censor or bridge) or uncoded time, at an "
        "episode-label change or at the recording's end: their latency is right-censored.",
    ),
    _count(
        "ended_unrepaired",
        "unrepaired: closed by neutral time (neutral=end)",
        "Episodes followed by neutral time with neutral=end: closed as not repaired, never "
        "repaired in the latency curve (0 with censor or bridge).",
    ),
    _count(
        "censored_neutral",
        "unrepaired: ended in neutral time",
        "Censored episodes followed by neutral time (neutral=censor or bridge).",
    ),
    _count(
        "censored_uncoded",
        "unrepaired: ended in uncoded time",
        "Censored episodes followed by uncoded time.",
    ),
    _count(
        "censored_episode_end",
        "unrepaired: cut by the end of a phase",
        "Censored episodes ending where the episode label changes (each phase stands alone).",
    ),
    _count(
        "censored_recording_end",
        "unrepaired: still open when the recording ended",
        "Censored episodes ending with the recording.",
    ),
    _count(
        "repaired_by_child",
        "repairs led by the child",
        "Repairs where only the child's state changed at the repairing boundary.",
    ),
    _count(
        "repaired_by_caregiver",
        "repairs led by the caregiver",
        "Repairs where only the caregiver's state changed at the repairing boundary.",
    ),
    _count(
        "repaired_by_both",
        "repairs where both changed at once",
        "Repairs where both partners' states changed at the same boundary.",
    ),
    _count(
        "left_truncated",
        "mismatch episodes already under way at the start",
        "Episodes starting at the start of the recording or of an episode label: their true "
        "onset may be earlier (flagged, not dropped).",
    ),
    Figure(
        "repair_latency_km",
        "share",
        "repair latency curve (Kaplan-Meier)",
        "[t, S(t)] pairs: the share of mismatch episodes not yet repaired t seconds after they "
        "began.",
        KM,
        shape="detail",
    ),
    Figure(
        "by_episode",
        "number",
        "figures per episode phase",
        "The same figures for each episode phase (FF, SF, RE or the data's own labels; '' is "
        "time outside any label).",
        "Tronick, Als, Adamson, Wise & Brazelton (1978) J Am Acad Child Psychiatry 17:1-13",
        shape="detail",
    ),
    Figure(
        "mismatches",
        "s",
        "mismatch episodes, one by one",
        "Onset, offset and duration (s), episode and phase, how it ended, repaired or censored, "
        "who repaired, left-truncated, neutral seconds bridged inside it (neutral=bridge).",
        TRONICK,
        shape="detail",
    ),
)

FAMILY = Family(
    name="repair",
    title="Rupture and repair",
    summary="matched time, mismatch episodes, repairs, censoring-aware repair latency and who "
    "repaired, overall and per Still-Face phase",
    input="recording",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source="Tronick & Gianino (1986); Tronick (1989); Tronick & Cohn (1989); Reck et al. (2004) "
    "Psychopathology 37:272-280; Kaplan & Meier (1958); match tables: their own sources",
    key_parameters=("match_table",),
)
