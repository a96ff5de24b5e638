"""Scatter plots of count agreement: each count's reference (x) against hypothesis (y) per clip,
with the identity line, r and ICC(2,1) in the title (matplotlib; PNG, SVG or PDF by suffix)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from attunement.measures.agreement import CountAgreement
from attunement.outputs import atomic


def counts_figure(results: Sequence[CountAgreement]) -> Figure:
    """One panel per count with clips on both sides."""
    shown = [r for r in results if r.clips]
    fig, axes = plt.subplots(
        1, max(len(shown), 1), figsize=(4.2 * max(len(shown), 1), 4), constrained_layout=True
    )
    axes = [axes] if len(shown) <= 1 else list(axes)
    for ax, r in zip(axes, shown, strict=False):
        x, y = r.per_clip["reference"].to_list(), r.per_clip["hypothesis"].to_list()
        top = max([*x, *y, 1]) * 1.05
        ax.plot([0, top], [0, top], color="0.6", lw=1, label="identity (y = x)")
        ax.scatter(x, y, s=18, color="#1f77b4", alpha=0.8)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_aspect("equal")
        ax.set_xlabel("reference, per clip")
        ax.set_ylabel("hypothesis, per clip")
        r_text = "n/a" if r.pearson_r is None else f"{r.pearson_r:.2f}"
        icc_text = "n/a" if r.icc_a1 is None else f"{r.icc_a1:.2f}"
        ax.set_title(
            f"{r.count.replace('_', ' ')}\n{r.clips} clips, r = {r_text}, ICC(2,1) = {icc_text}",
            fontsize=10,
        )
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def plot_counts(results: Sequence[CountAgreement], path: str | Path) -> Path:
    """Draw ``counts_figure`` to ``path`` (written atomically; the format from its suffix)."""
    path = Path(path)
    fig = counts_figure(results)
    with atomic(path) as temp:
        fig.savefig(temp, format=path.suffix.lstrip(".").lower(), dpi=120)
    plt.close(fig)
    return path
