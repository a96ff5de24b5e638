"""The anxiety x avoidance plane of a scored sample (Brennan, Clark & Shaver 1998; Fraley &
Shaver 2000): one point per respondent (a hexagon density above ``HEXBIN_ABOVE`` respondents),
the sample medians as dashed lines and, when the scale is known, its midpoint as solid lines
(the cuts of the ``median`` and ``midpoint`` quadrant methods in ``attachment.styles``)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

HEXBIN_ABOVE = 2000


def plane_figure(
    anxiety: np.ndarray, avoidance: np.ndarray, scale: tuple[float, float] | None = None
) -> Figure:
    """Avoidance across, anxiety up; respondents missing either score are left out (the caller
    counts them). Scatter gid ``respondents`` or hexbin gid ``density``."""
    anxiety, avoidance = np.asarray(anxiety, float), np.asarray(avoidance, float)
    both = np.isfinite(anxiety) & np.isfinite(avoidance)
    x, y = avoidance[both], anxiety[both]
    fig, ax = plt.subplots(figsize=(5.6, 5), constrained_layout=True)
    if x.size > HEXBIN_ABOVE:
        cells = ax.hexbin(x, y, gridsize=30, cmap="Blues", mincnt=1)
        cells.set_gid("density")
        fig.colorbar(cells, ax=ax, label="respondents")
    else:
        points = ax.scatter(x, y, s=14, alpha=0.6, color="#4C72B0", edgecolors="none")
        points.set_gid("respondents")
    if x.size:
        ax.axvline(np.median(x), color="#555555", ls="--", lw=1, label="sample median")
        ax.axhline(np.median(y), color="#555555", ls="--", lw=1)
    if scale is not None:
        mid = (scale[0] + scale[1]) / 2
        ax.axvline(mid, color="black", lw=1, label="scale midpoint")
        ax.axhline(mid, color="black", lw=1)
        ax.set_xlim(scale)
        ax.set_ylim(scale)
    ax.set_xlabel("avoidance")
    ax.set_ylabel("anxiety")
    ax.set_title(f"{x.size} respondents", fontsize=10)
    if x.size:
        ax.legend(fontsize=8, loc="upper right")
    return fig
