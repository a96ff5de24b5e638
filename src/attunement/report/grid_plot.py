"""The state space grid picture of a ``StateSpaceGridResult`` (Lewis, Lamey & Douglas 1999;
GridWare's trajectory view): child states across, caregiver states up, one node per visit
(area proportional to its duration) at a jittered place inside its cell, lines with direction
arrows for the transitions in time order, and optionally each cell shaded by its share of the
coded time. Written as PNG, SVG or PDF by the file's suffix (matplotlib)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from attunement.measures.synchrony.statespace import StateSpaceGridResult
from attunement.report.plain import plain

NODE_AREA = 900.0  # points² of the longest visit's node
JITTER = 0.25  # nodes stay within ± this many cell widths of the cell centre


def grid_figure(
    result: StateSpaceGridResult,
    *,
    shade: bool = True,
    seed: int = 0,
    x_label: str = "child",
    y_label: str = "caregiver",
    title: str | None = None,
) -> Figure:
    """The grid: visits as nodes (gid ``visits``), transitions as segments (gid
    ``transitions``) with an arrow at each midpoint (gid ``directions``), cell shading by share
    of coded time (gid ``cell_share``) when ``shade``. ``seed`` fixes the jitter."""
    nx, ny = len(result.x_categories), len(result.y_categories)
    fig, ax = plt.subplots(figsize=(1.3 * nx + 2.4, 1.3 * ny + 1.4), constrained_layout=True)
    if shade and nx and ny:
        share = result.cells["share"].fill_null(0.0).to_numpy().reshape(nx, ny).T
        image = ax.imshow(
            share,
            origin="lower",
            extent=(-0.5, nx - 0.5, -0.5, ny - 0.5),
            cmap="Blues",
            vmin=0.0,
            vmax=max(float(share.max()), 1e-12),
            alpha=0.6,
            aspect="auto",
        )
        image.set_gid("cell_share")
        fig.colorbar(image, ax=ax, label="share of coded time", shrink=0.8)
    visits = result.visit_table
    rng = np.random.default_rng(seed)
    px = visits["x_index"].to_numpy() + rng.uniform(-JITTER, JITTER, visits.height)
    py = visits["y_index"].to_numpy() + rng.uniform(-JITTER, JITTER, visits.height)
    duration = visits["duration_s"].to_numpy().astype(float)
    sizes = NODE_AREA * duration / duration.max() if visits.height else duration
    nodes = ax.scatter(px, py, s=sizes, c="#DD8452", edgecolors="black", linewidths=0.6, zorder=3)
    nodes.set_gid("visits")
    segment = visits["segment"].to_numpy()
    linked = np.flatnonzero(segment[1:] == segment[:-1])  # visit k -> k + 1 without a gap
    starts = np.column_stack([px[linked], py[linked]])
    ends = np.column_stack([px[linked + 1], py[linked + 1]])
    lines = LineCollection(np.stack([starts, ends], axis=1), colors="#333333", lw=0.8, zorder=2)
    lines.set_gid("transitions")
    ax.add_collection(lines)
    mid, step = (starts + ends) / 2, ends - starts
    arrows = ax.quiver(
        mid[:, 0] - step[:, 0] * 0.05,
        mid[:, 1] - step[:, 1] * 0.05,
        step[:, 0] * 0.1,
        step[:, 1] * 0.1,
        angles="xy",
        scale_units="xy",
        scale=1,
        width=0.004,
        headwidth=5,
        color="#333333",
        zorder=2,
    )
    arrows.set_gid("directions")
    ax.set_xticks(range(nx), [plain(c) for c in result.x_categories])
    ax.set_yticks(range(ny), [plain(c) for c in result.y_categories])
    ax.set_xticks(np.arange(nx + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(ny + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="#999999", lw=0.8)
    ax.tick_params(which="minor", length=0)
    ax.set_xlim(-0.5, max(nx, 1) - 0.5)
    ax.set_ylim(-0.5, max(ny, 1) - 0.5)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    disp = "n/a" if result.dispersion is None else f"{result.dispersion:.2f}"
    ax.set_title(
        title or f"{result.visits} visits, {result.transitions} transitions, dispersion {disp}",
        fontsize=10,
    )
    return fig


def plot_grid(result: StateSpaceGridResult, path: str | Path, **options) -> Path:
    """Draw ``result`` to ``path`` (PNG, SVG or PDF by suffix; ``options`` as for
    ``grid_figure``); returns the path."""
    fig = grid_figure(result, **options)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
