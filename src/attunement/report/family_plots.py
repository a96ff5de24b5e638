"""The coach view's two pictures, with every word from the page's language (``report.i18n``).

- ``hourly_figure``: turns counted in each hour of one visit. A partial hour shows its count,
  never scaled up, with its recorded minutes written over it and a lighter, hatched bar; an hour
  of the day with no recording is a grey hatched band labelled "not recorded"; an hour with
  zero turns has a "0" on the axis, so it cannot be mistaken for a gap.
- ``progress_figure``: per visit, turns per hour, the response rate and the observed/chance
  ratio with their 95% ranges; a grey bar at each later visit spans the first visit's value
  +- the reliable-change band (``report.progress``), and the marker's shape says the change
  (triangle up: more, circle: about the same, triangle down: fewer, diamond: first, cross: not
  enough data), so colour carries no meaning alone.
"""

from __future__ import annotations

import textwrap
from datetime import timedelta

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from attunement.report import progress
from attunement.report.i18n import Language

INK = "#1f3f66"  # bars and markers: 10:1 contrast on white
PARTIAL = "#8fa8c8"
GAP = "#d9d9d9"
TEXT = "#333333"
MARKERS = {"first": "D", "more": "^", "same": "o", "fewer": "v", "not_enough_data": "x"}
SCALE = {"turns_per_hour": 1.0, "response_rate": 100.0, "chance_ratio": 1.0}


def hourly_figure(turns, lang: Language) -> Figure:
    """Turns in each hour of one visit (see the module docstring)."""
    bins = turns.bins_1h
    fig, ax = plt.subplots(figsize=(7.2, 2.5), constrained_layout=True)
    clock = bins.height > 0 and bins["bin_start"].null_count() == 0
    if clock:
        starts = bins["bin_start"].to_list()
        first = starts[0]
        x = [round((s - first) / timedelta(hours=1)) for s in starts]
        names = [(first + timedelta(hours=h)).strftime("%H") for h in range(max(x) + 1)]
        ax.set_xlabel(lang.word("axis_clock"))
    else:
        x = [round(e / 3600) for e in bins["elapsed_s"].to_list()]
        names = [str(h + 1) for h in range(max(x, default=0) + 1)]
        ax.set_xlabel(lang.word("axis_elapsed"))
    recorded = bins["recorded_s"].to_list()
    counts = bins["turns"].to_list()
    top = max(max(counts, default=0), 1)
    for h in sorted(set(range(len(names))) - set(x)):
        ax.bar(h, top * 1.1, width=0.9, color="white", edgecolor=GAP, hatch="///", lw=0)
        ax.text(
            h,
            top * 0.55,
            lang.word("not_recorded"),
            rotation=90,
            ha="center",
            va="center",
            fontsize=7,
            color=TEXT,
        )
    for h, n, seconds in zip(x, counts, recorded, strict=True):
        full = seconds >= 3600 - 1
        ax.bar(
            h,
            n,
            width=0.9,
            color=INK if full else PARTIAL,
            hatch=None if full else "..",
            edgecolor=INK,
            lw=0.6,
        )
        if not full:
            minutes = lang.unit(round(seconds / 60), "duration-minute")
            ax.text(h, n + top * 0.03, minutes, ha="center", va="bottom", fontsize=6.5, color=TEXT)
        elif n == 0:
            ax.text(h, top * 0.02, "0", ha="center", va="bottom", fontsize=8, color=TEXT)
    ax.set_xticks(range(len(names)), names, fontsize=8)
    ax.set_ylim(0, top * 1.15)
    ax.set_ylabel(lang.word("axis_turns_in_hour"))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def progress_figure(visits, lang: Language) -> Figure:
    """The progress chart of ``visits`` (``report.visits.Visit``; see the module docstring)."""
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), constrained_layout=True)
    xs = list(range(1, len(visits) + 1))
    ticks = [lang.word("visit_short", n=i) for i in xs]
    first = visits[0]
    for ax, name in zip(axes, progress.FIGURES, strict=True):
        scale = SCALE[name]
        for x, visit in zip(xs, visits, strict=True):
            change = visit.changes.get(name, "not_enough_data")
            estimate = visit.estimates.get(name)
            if visit.quality != "ok" or estimate is None or estimate.value is None:
                ax.plot([x], [0], MARKERS["not_enough_data"], color=TEXT, ms=8, clip_on=False)
                continue
            base = first.estimates.get(name)
            half = progress.band(base, estimate) if base and x > 1 else None
            if half is not None and base.value is not None:
                ax.bar(
                    x,
                    2 * half * scale,
                    bottom=(base.value - half) * scale,
                    width=0.5,
                    color=GAP,
                    zorder=0,
                )
            span = estimate.range()
            if span is not None:
                ax.plot([x, x], [span[0] * scale, span[1] * scale], color=INK, lw=1.5)
            ax.plot([x], [estimate.value * scale], MARKERS.get(change, "o"), color=INK, ms=9)
        if name == "chance_ratio":
            ax.axhline(1, color=TEXT, lw=0.8, ls="--")
            ax.text(
                xs[-1] + 0.4,
                1,
                lang.word("chance_line"),
                fontsize=7,
                va="bottom",
                ha="right",
                color=TEXT,
            )
        ax.set_title("\n".join(textwrap.wrap(lang.label(name), 34)), fontsize=8.5)
        ax.set_xticks(xs, ticks, fontsize=8)
        ax.set_xlim(0.4, len(xs) + 0.6)
        ax.set_ylim(bottom=0)
        ax.spines[["top", "right"]].set_visible(False)
    handles = [
        plt.Line2D(
            [],
            [],
            marker=MARKERS[c],
            color=INK if c != "not_enough_data" else TEXT,
            ls="",
            label=lang.word(f"change_{c}"),
        )
        for c in progress.CHANGES
    ]
    handles.append(plt.Rectangle((0, 0), 1, 1, color=GAP, label=lang.word("band_legend")))
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=7.5, frameon=False)
    return fig
