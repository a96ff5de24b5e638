"""One recording's part of a report: which measures its data support (``analyse``) and their
figures, captions, coach sentences and researcher tables (``render``).

Sections appear when the data contain what they need, and every section left out is listed with
the reason: turns need child or adult vocalisations; the latency histogram needs answered child
serves; the state space grid and repair need coded states of both partners; the survival curve
needs mismatch episodes. Repair uses the match table asked for, or with ``"auto"`` the first
preset (``icep-r``, ``valence``, ``monadic-phases``) that covers every coded pair, and says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from attunement.measures.coded_streams import JointStates, build_joint_states
from attunement.measures.repair import RepairResult, repair
from attunement.measures.synchrony.statespace import StateSpaceGridResult, state_space_grid
from attunement.measures.turns import TurnResult, turns
from attunement.recording import Recording
from attunement.report import coach, figures
from attunement.report import html as h
from attunement.report.survival import survival_figure
from attunement.report.timeline import timeline_figure

AUTO_TABLES = ("icep-r", "valence", "monadic-phases")
EXCERPT_LINES = 30


@dataclass
class Analysis:
    """What was measured in one recording, and why anything was not."""

    recording: Recording
    turns: TurnResult | None = None
    states: JointStates | None = None
    grid: StateSpaceGridResult | None = None
    repair: RepairResult | None = None
    left_out: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def analyse(
    rec: Recording,
    *,
    rule: str = "lena",
    n_resamples: int = 100,
    seed: int = 0,
    match_table: str = "auto",
) -> Analysis:
    """Measure what ``rec`` supports (turns under ``rule``; grid and repair over coded states)."""
    out = Analysis(recording=rec)
    kind = pl.col("kind").cast(pl.String)
    timed = pl.col("segment_onset").is_not_null()
    vocal = rec.segments.filter(kind.is_in(["vocal", "cry"]) & timed)
    if vocal.height:
        out.turns = turns(rec, rule, n_resamples=n_resamples, seed=seed)
    else:
        reason = "no timed vocalisations in this recording (coded streams only)"
        out.left_out += [(s, reason) for s in ("turns per hour", "response latency")]
    if out.turns is not None and out.turns.turns == 0:
        out.left_out.append(("turns per hour", f"no turns under the rule `{rule}`"))
    if out.turns is not None and not sum(out.turns.latency_histogram["counts"]):
        out.left_out.append(("response latency", "no child vocalisation was answered by an adult"))
    _coded(out, rec, match_table)
    return out


def _coded(out: Analysis, rec: Recording, match_table: str) -> None:
    try:
        states, warnings = build_joint_states(rec)
    except ValueError:
        states = None
    child = states is not None and bool((states.child != "").any())
    caregiver = states is not None and bool((states.caregiver != "").any())
    if not (child and caregiver):
        who = (
            "only one partner's states are coded"
            if child or caregiver
            else "no coded affect or behaviour streams"
        )
        reason = f"{who}; the grid and repair need coded states of both child and caregiver"
        out.left_out += [("state space grid", reason), ("repair latency", reason)]
        return
    out.states = states
    out.notes += warnings
    labels = states.episode if (states.episode != "").any() else None
    out.grid = state_space_grid(states.bounds, states.child, states.caregiver, episode=labels)
    tables = AUTO_TABLES if match_table == "auto" else (match_table,)
    problems = []
    for table in tables:
        try:
            out.repair = repair(states, match_table=table)
            break
        except ValueError as exc:
            problems.append(f"{table}: {exc}")
    if out.repair is None:
        reason = "no match table covers the codes (" + "; ".join(problems) + ")"
        out.left_out.append(("repair latency", reason))
        return
    if match_table == "auto":
        out.notes.append(f"match table chosen automatically: {out.repair.match_table}")
    if out.repair.mismatch_episodes == 0:
        out.left_out.append(("repair latency", "no mismatch episodes: the pair stayed in step"))


def coach_facts(analysis: Analysis) -> dict[str, str]:
    """The rounded facts the coach sentences use."""
    facts: dict[str, str] = {}
    if analysis.turns is not None:
        facts.update(coach.turn_facts(analysis.turns))
    if analysis.repair is not None:
        facts.update(coach.repair_facts(analysis.repair))
    return facts


def render(analysis: Analysis, *, words: bool, heading: str = "h2") -> tuple[str, str]:
    """The researcher's part (figures, captions, tables, what was left out) and the coach's
    paragraphs of one recording, as HTML."""
    rec, t, r = analysis.recording, analysis.turns, analysis.repair
    sub = "h3" if heading == "h2" else "h4"
    parts = [f"<{heading}>Recording {h.esc(rec.id)}</{heading}>", _meta(rec)]
    if t is not None or analysis.states is not None:
        view = timeline_figure(
            rec,
            t.pairs if t is not None else None,
            r.mismatches if r is not None else None,
            analysis.states,
        )
        where = (
            "the whole session"
            if view.whole
            else f"the busiest {(view.end_s - view.start_s) / 60:g} minutes "
            f"({_clock(view.start_s)}–{_clock(view.end_s)} from the start, {view.chosen_by}), "
            "under the whole day"
        )
        what = (
            "who made sounds when; each line joins a serve to its answer"
            if t is not None
            else "each partner's coded states over time"
        )
        caption = f"Timeline of {where}: {what}" + (
            "; red bands are moments out of step, triangles the repairs." if r else "."
        )
        timeline = h.figure(figures.svg(view.figure), caption, "timeline")
        parts += [f"<{sub}>Timeline</{sub}>", timeline]
        if words:
            parts.append(_excerpt(rec, view.start_s, view.end_s))
    if t is not None and t.turns > 0:
        caption = (
            f"Back-and-forth turns in each hour of the recording ({t.turns:,} in all, "
            f"rule {t.rule}), counted per hour actually recorded."
        )
        parts += [
            f"<{sub}>Turns per hour</{sub}>",
            h.figure(figures.svg(figures.hourly_figure(t)), caption, "hourly"),
        ]
    if t is not None and sum(t.latency_histogram["counts"]):
        caption = (
            f"How quickly an adult answered the child: half of the answers came within "
            f"{t.latency_median_s:.1f} s (the dashed line)."
        )
        parts += [
            f"<{sub}>Response latency</{sub}>",
            h.figure(figures.svg(figures.latency_figure(t)), caption, "latency"),
        ]
    if analysis.grid is not None:
        caption = (
            "Where the pair spent its time: each dot is a stay in one combination of the child's "
            "and the caregiver's states (bigger dots lasted longer), lines show the moves."
        )
        parts += [
            f"<{sub}>State space grid</{sub}>",
            h.figure(figures.grid_svg(analysis.grid), caption, "grid"),
        ]
    if r is not None and r.mismatch_episodes > 0:
        caption = (
            "How long getting back in step took: the curve drops at each repair; + marks "
            "mismatches that ended without a match (censored)."
        )
        parts += [
            f"<{sub}>Repair latency</{sub}>",
            h.figure(figures.svg(survival_figure(r)), caption, "survival"),
        ]
    parts.append(h.left_out(analysis.left_out))
    parts.append(h.details("Numbers, parameters and sources", _tables(analysis)))
    return "".join(parts), coach_html(coach.sentences(coach_facts(analysis), "recording"))


def coach_html(said: list[str]) -> str:
    """The coach's paragraphs."""
    return "".join(h.paragraph(s) for s in said)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _meta(rec: Recording) -> str:
    items = [
        ("file", rec.path or "(generated)"),
        ("format", rec.format),
        ("duration", f"{(rec.duration_ms or 0) / 3_600_000:.2f} h"),
    ]
    if rec.start is not None:
        items.append(("start", rec.start.isoformat()))
    if rec.child_age_days is not None:
        items.append(("child age", f"{rec.child_age_days} days"))
    items.append(("segments", rec.segments.height))
    return h.key_values(items)


def _excerpt(rec: Recording, start_s: float, end_s: float) -> str:
    if "text" not in rec.segments.columns or not rec.keep_text:
        return ""
    lines = rec.segments.filter(
        pl.col("text").is_not_null()
        & (pl.col("text") != "")
        & pl.col("segment_onset").is_between(start_s * 1000, end_s * 1000)
    ).head(EXCERPT_LINES)
    if not lines.height:
        return ""
    rows = [
        (_clock(on / 1000), who, text)
        for on, who, text in lines.select("segment_onset", "speaker_id", "text").iter_rows()
    ]
    return h.details(
        f"Transcript lines in this window (first {EXCERPT_LINES}; --no-words leaves them out)",
        h.table(("time", "speaker", "text"), rows),
    )


TURN_FIELDS = (
    "turns",
    "turns_per_hour",
    "recorded_s",
    "child_units",
    "adult_units",
    "child_serves",
    "adult_serves",
    "adult_returns",
    "child_returns",
    "response_rate",
    "latency_median_s",
    "latency_q1_s",
    "latency_q3_s",
    "exchanges",
    "longest_exchange",
    "other_child_units",
    "other_child_turns",
    "chance_turns",
    "chance_sd",
    "chance_ratio",
    "chance_p",
)


def _value(v: Any) -> Any:
    if isinstance(v, dict | list):
        return ", ".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else str(v)
    return v


def _tables(analysis: Analysis) -> str:
    t, r, g = analysis.turns, analysis.repair, analysis.grid
    parts = []
    if t is not None:
        parts.append(f"<h4>Serve and return (rule {h.esc(t.rule)})</h4>")
        parts.append(h.key_values((name, _value(getattr(t, name))) for name in TURN_FIELDS))
        parts.append(h.key_values([("parameters", _value(t.parameters))]))
        parts.append(h.paragraph(f"Definition: {t.definition}", "source"))
        parts.append(h.paragraph(f"Source: {t.source}", "source"))
        if t.bins_1h is not None and t.bins_1h.height:
            parts.append("<h4>1-hour bins</h4>")
            parts.append(h.table(t.bins_1h.columns, t.bins_1h.iter_rows()))
        by = [
            (column, label, turns_with)
            for column, counts in t.by_caregiver.items()
            for label, turns_with in counts.items()
        ]
        if by:
            parts.append("<h4>Turns by the adult's speaker type and id</h4>")
            parts.append(h.table(("column", "label", "turns"), by))
    if r is not None:
        parts.append(f"<h4>Rupture and repair (match table {h.esc(r.match_table)})</h4>")
        numbers = [(k, _value(v)) for k, v in r.figures().items()]
        parts.append(h.key_values(numbers))
        if r.by_episode:
            frame = r.to_frame()
            parts.append(h.table(frame.columns, frame.iter_rows()))
        parts.append(h.key_values([("parameters", _value(r.parameters))]))
        parts.append(h.paragraph(f"Definition: {r.definition}", "source"))
        parts.append(h.paragraph(f"Source: {r.source}", "source"))
    if g is not None:
        parts.append("<h4>State space grid</h4>")
        parts.append(h.key_values((k, _value(v)) for k, v in g.figures().items()))
        parts.append(h.paragraph(f"Definition: {g.definition}", "source"))
        parts.append(h.paragraph(f"Source: {g.source}", "source"))
    warnings = [*analysis.recording.warnings, *analysis.notes]
    if t is not None:
        warnings += t.warnings
    if r is not None:
        warnings += r.warnings
    if warnings:
        items = "".join(f"<li>{h.esc(w)}</li>" for w in warnings)
        parts.append(f"<h4>Warnings and notes</h4><ul>{items}</ul>")
    return "".join(parts)
