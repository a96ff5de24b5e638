"""Figures as inline SVG for the HTML reports, and the small figures that only wrap an existing
drawing (turns per hour and latency from ``turns_plot``, the grid from ``grid_plot``).

``svg(fig)`` writes a matplotlib figure as SVG text ready to sit inside HTML: no XML prologue,
no metadata block or comments (matplotlib echoes each text in one, unescaped), no namespace
URLs, text drawn as paths (no fonts to fetch), and every id
prefixed so that several figures on one page never share an id.
"""

from __future__ import annotations

import io
import itertools
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from attunement.measures.synchrony.statespace import StateSpaceGridResult
from attunement.measures.turns import TurnResult
from attunement.report.grid_plot import grid_figure
from attunement.report.turns_plot import draw_hourly, draw_latency

_serial = itertools.count(1)
_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*|<!--.*?-->", re.S)  # comments echo text
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_IDS = re.compile(r'\bid="([^"]+)"')
_REFS = re.compile(r'(href="#|url\(#)([^")]+)')


def svg(fig: Figure) -> str:
    """``fig`` as inline SVG text (the figure is closed)."""
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue(), count=1))
    text = _NAMESPACES.sub("", text)
    prefix = f"f{next(_serial)}"
    text = _IDS.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _REFS.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    return text.replace("<svg ", '<svg role="img" ', 1)


def hourly_figure(result: TurnResult) -> Figure:
    """Turns per recorded hour in each clock hour (``turns_plot.draw_hourly``)."""
    fig, ax = plt.subplots(figsize=(9, 3.2), constrained_layout=True)
    draw_hourly(ax, result)
    return fig


def latency_figure(result: TurnResult) -> Figure:
    """Adult answer latencies after child serves (``turns_plot.draw_latency``)."""
    fig, ax = plt.subplots(figsize=(6, 3.2), constrained_layout=True)
    draw_latency(ax, result)
    return fig


def grid_svg(result: StateSpaceGridResult) -> str:
    """The state space grid (``grid_plot.grid_figure``) as inline SVG."""
    return svg(grid_figure(result))
