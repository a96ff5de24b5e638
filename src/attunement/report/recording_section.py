"""One recording's part of a report: the measures its data support (``analyse``, through the
measure registry) and their plots, captions, coach sentences and numbers (``render``).

Which families run is decided in one place, ``attunement.measures.registry.run_all``: every
family that runs on recordings, with the report's parameters laid over its defaults. A family
the recording cannot support is listed with the reason (e.g. turns need timed vocalisations;
the grid and repair need coded states of both partners); a plot whose data are missing (no
turns under the rule, no mismatch episode) is listed with its reason too (``plots``). Every
family's numbers come from the figure catalogue (``numbers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from attunement.measures.registry import Outcome, run_all
from attunement.recording import Recording
from attunement.report import coach, figures, numbers, plots
from attunement.report import html as h
from attunement.report.timeline import timeline_figure

EXCERPT_LINES = 30


@dataclass
class Analysis:
    """What was measured in one recording (one outcome per family), and why anything was not."""

    recording: Recording
    outcomes: list[Outcome]
    notes: list[str] = field(default_factory=list)

    @property
    def results(self) -> dict[str, Any]:
        """The results by family name (families that could not run are absent)."""
        return {o.family.name: o.result for o in self.outcomes if o.result is not None}

    @property
    def left_out(self) -> list[tuple[str, str]]:
        return [(o.family.title, o.reason) for o in self.outcomes if o.result is None]


def analyse(
    rec: Recording,
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    common: Mapping[str, Any] | None = None,
) -> Analysis:
    """Every family ``rec`` supports (``run_all``), with ``settings`` per family and ``common``
    parameters (``seed``, ``n_resamples``) for every family that declares them."""
    return Analysis(rec, run_all(rec, settings, common=common))


def coach_facts(analysis: Analysis) -> dict[str, str]:
    """The rounded facts the coach sentences use."""
    return coach.facts(analysis.results)


def render(analysis: Analysis, *, words: bool, heading: str = "h2") -> tuple[str, str]:
    """The researcher's part (figures, captions, numbers, what was left out) and the coach's
    paragraphs of one recording, as HTML."""
    rec, results = analysis.recording, analysis.results
    sub = "h3" if heading == "h2" else "h4"
    parts = [f"<{heading}>Recording {h.esc(rec.id)}</{heading}>", _meta(rec)]
    t, r = results.get("turns"), results.get("repair")
    states = _states(rec) if "grid" in results or r is not None else None
    if t is not None or states is not None:
        view = timeline_figure(
            rec,
            t.pairs if t is not None else None,
            r.mismatches if r is not None else None,
            states,
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
        parts += [
            f"<{sub}>Timeline</{sub}>",
            h.figure(figures.svg(view.figure), caption, "timeline"),
        ]
        if words:
            parts.append(_excerpt(rec, view.start_s, view.end_s))
    drawn, not_drawn = plots.render(results, sub)
    parts += drawn
    parts.append(h.left_out([*analysis.left_out, *not_drawn]))
    parts.append(h.details("Numbers, parameters and sources", _numbers(analysis)))
    return "".join(parts), coach_html(coach.sentences(coach_facts(analysis), "recording"))


def _states(rec: Recording):
    """Both partners' coded states for the timeline (None when they cannot be built)."""
    from attunement.errors import AttunementError
    from attunement.measures.coded_streams import build_joint_states

    try:
        return build_joint_states(rec)[0]
    except AttunementError:
        return None


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


def _numbers(analysis: Analysis) -> str:
    parts = [numbers.section(o.result) for o in analysis.outcomes if o.result is not None]
    warnings = [*analysis.recording.warnings, *analysis.notes]
    warnings += [w for o in analysis.outcomes if o.result is not None for w in o.result.warnings]
    if warnings:
        items = "".join(f"<li>{h.esc(w)}</li>" for w in dict.fromkeys(warnings))
        parts.append(f"<h4>Warnings and notes</h4><ul>{items}</ul>")
    return "".join(parts)
