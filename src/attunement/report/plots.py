"""The report's plots, each tied to the measure family whose results it draws.

A plot is a ``Plot``: a title, the family it draws and a function that returns the figure's
inline SVG and caption, or the reason it cannot be drawn for this recording (e.g. no turns under
the rule). The recording section draws every plot whose family produced a result and lists the
others with their reasons; a family without a plot (a lab's own) still gets its numbers. To add
a plot: write its function here and add it to ``PLOTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from attunement.report import figures
from attunement.report import html as h

Drawn = tuple[str, str]  # (figure HTML, caption)


@dataclass(frozen=True)
class Plot:
    title: str
    family: str
    name: str  # data-figure attribute
    draw: Callable[[Any], Drawn | str]  # result -> (svg, caption) or the reason it is not drawn


def _hourly(t) -> Drawn | str:
    if t.turns == 0:
        return f"no turns under the rule `{t.rule}`"
    caption = (
        f"Back-and-forth turns in each hour of the recording ({t.turns:,} in all, rule "
        f"{t.rule}), counted per hour actually recorded."
    )
    if t.turns_low is not None:
        caption += (
            f" Allowing for the automatic annotation's errors (error model), a careful human "
            f"annotation would likely give {t.turns_low:,}-{t.turns_high:,} turns, about "
            f"{t.turns_per_hour_low:.0f}-{t.turns_per_hour_high:.0f} an hour (95% range)."
        )
    return figures.svg(figures.hourly_figure(t)), caption


def _latency(t) -> Drawn | str:
    if not sum(t.latency_histogram["counts"]):
        return "no child vocalisation was answered by an adult"
    caption = (
        "How quickly an adult answered the child: half of the answers came within "
        f"{t.latency_median_s:.1f} s (the dashed line)."
    )
    return figures.svg(figures.latency_figure(t)), caption


def _grid(g) -> Drawn | str:
    caption = (
        "Where the pair spent its time: each dot is a stay in one combination of the child's "
        "and the caregiver's states (bigger dots lasted longer), lines show the moves."
    )
    return figures.grid_svg(g), caption


def _survival(r) -> Drawn | str:
    from attunement.report.survival import survival_figure

    if r.mismatch_episodes == 0:
        return "no mismatch episodes: the pair stayed in step"
    caption = (
        "How long getting back in step took: the curve drops at each repair; + marks "
        "mismatches that ended without a match (censored)."
    )
    return figures.svg(survival_figure(r)), caption


PLOTS = (
    Plot("Turns per hour", "turns", "hourly", _hourly),
    Plot("Response latency", "turns", "latency", _latency),
    Plot("State space grid", "grid", "grid", _grid),
    Plot("Repair latency", "repair", "survival", _survival),
)


def render(results: dict[str, Any], heading: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The HTML of every plot whose family produced a result, and (title, reason) for the plots
    that could not be drawn."""
    parts, left_out = [], []
    for plot in PLOTS:
        result = results.get(plot.family)
        if result is None:
            continue
        drawn = plot.draw(result)
        if isinstance(drawn, str):
            left_out.append((plot.title.lower(), drawn))
            continue
        svg, caption = drawn
        parts += [f"<{heading}>{h.esc(plot.title)}</{heading}>", h.figure(svg, caption, plot.name)]
    return parts, left_out
