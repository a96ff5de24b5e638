"""A one-page picture of a ``TurnResult``: turns per hour across the day, and the latency of
adult answers to child serves (matplotlib, written as PNG, SVG or PDF by the file's suffix)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from attunement.measures.turns import TurnResult


def turns_figure(result: TurnResult) -> Figure:
    """The figure: bars of turns per recorded hour in each 1-hour bin, and the latency
    histogram with its median."""
    fig, (day, latency) = plt.subplots(
        1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [2.2, 1]}, constrained_layout=True
    )
    bins = result.bins_1h
    if bins is not None and bins.height:
        clock = bins["bin_start"].null_count() == 0
        x = bins["bin_start"].to_list() if clock else (bins["elapsed_s"] / 3600).to_list()
        hours = (bins["recorded_s"] / 3600).to_list()
        rate = [t / h if h > 0 else 0 for t, h in zip(bins["turns"].to_list(), hours, strict=True)]
        width = 1 / 24 if clock else 1.0
        day.bar(x, rate, width=width * 0.9, align="edge", color="#4C72B0", label="turns per hour")
        day.set_xlabel("clock time" if clock else "hours from start")
        if clock:
            fig.autofmt_xdate()
    day.set_ylabel("turns per hour")
    day.set_title(f"{result.recording_id}: {result.turns} turns, rule `{result.rule}`")
    edges, counts = result.latency_histogram["edges_s"], result.latency_histogram["counts"]
    if counts:
        latency.stairs(counts, edges, fill=True, color="#DD8452")
        latency.axvline(result.latency_median_s, color="black", lw=1, ls="--", label="median")
        latency.legend()
    latency.set_xlabel("adult answer latency after child serve (s)")
    latency.set_ylabel("turns")
    if result.chance_ratio is not None:
        latency.set_title(f"observed / chance turns: {result.chance_ratio:.2f}")
    return fig


def plot_turns(result: TurnResult, path: str | Path) -> Path:
    """Draw ``result`` to ``path`` (PNG, SVG or PDF by suffix); returns the path."""
    fig = turns_figure(result)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
