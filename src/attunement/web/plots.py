"""Matplotlib figures as inline SVG text for the pages.

Figures are built with the object API (``Figure``), never pyplot's global state, and drawn only
in a worker process (``attunement.web.workers``), one analysis at a time.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

_XML_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


def svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML declaration or doctype), ready to inline."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return _XML_HEAD.sub("", buffer.getvalue(), count=1)
