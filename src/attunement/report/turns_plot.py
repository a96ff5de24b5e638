"""A one-page picture of a ``TurnResult``: turns per hour across the day, and the latency of
adult answers to child serves (matplotlib, written as PNG, SVG or PDF by the file's suffix)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from attunement.measures.turns import TurnResult
from attunement.outputs import atomic
from attunement.report.plain import plain


def turns_figure(result: TurnResult) -> Figure:
    """The figure: bars of turns per recorded hour in each 1-hour bin, and the latency
    histogram with its median."""
    fig, (day, latency) = plt.subplots(
        1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [2.2, 1]}, constrained_layout=True
    )
    draw_hourly(day, result)
    draw_latency(latency, result)
    return fig


def draw_hourly(ax: Axes, result: TurnResult) -> None:
    """Bars of turns per recorded hour in each 1-hour bin (clock time when known)."""
    bins = result.bins_1h
    if bins is not None and bins.height:
        clock = bins["bin_start"].null_count() == 0
        x = bins["bin_start"].to_list() if clock else (bins["elapsed_s"] / 3600).to_list()
        hours = (bins["recorded_s"] / 3600).to_list()
        rate = [t / h if h > 0 else 0 for t, h in zip(bins["turns"].to_list(), hours, strict=True)]
        width = 1 / 24 if clock else 1.0
        ax.bar(x, rate, width=width * 0.9, align="edge", color="#4C72B0", label="turns per hour")
        ax.set_xlabel("clock time" if clock else "hours from start")
        if clock:
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
            for label in ax.get_xticklabels():
                label.set_rotation(30)
                label.set_horizontalalignment("right")
    ax.set_ylabel("turns per hour")
    ax.set_title(f"{plain(result.recording_id)}: {result.turns} turns, rule `{result.rule}`")


def draw_latency(ax: Axes, result: TurnResult) -> None:
    """The histogram of adult answer latencies after child serves, with the median dashed."""
    edges, counts = result.latency_histogram["edges_s"], result.latency_histogram["counts"]
    if counts:
        ax.stairs(counts, edges, fill=True, color="#DD8452")
        ax.axvline(result.latency_median_s, color="black", lw=1, ls="--", label="median")
        ax.legend()
    ax.set_xlabel("adult answer latency after child serve (s)")
    ax.set_ylabel("turns")
    if result.chance_ratio is not None:
        ax.set_title(f"observed / chance turns: {result.chance_ratio:.2f}")


def plot_turns(result: TurnResult, path: str | Path) -> Path:
    """Draw ``result`` to ``path`` (PNG, SVG or PDF by suffix), atomically; returns the path."""
    fig = turns_figure(result)
    path = Path(path)
    try:
        with atomic(path) as temp:
            fig.savefig(temp, dpi=110)
    finally:
        plt.close(fig)
    return path
