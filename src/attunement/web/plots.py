"""Matplotlib figures as inline SVG text for the pages.

Figures are built with the object API (``Figure``), never pyplot's global state, and rendering
is serialised with a lock: the server runs page handlers on a thread pool, and matplotlib's
text and font caches are not safe to use from two threads at once.
"""

from __future__ import annotations

import io
import re
import threading

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

RENDER_LOCK = threading.RLock()
_XML_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


def svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML declaration or doctype), ready to inline."""
    buffer = io.StringIO()
    with RENDER_LOCK:
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return _XML_HEAD.sub("", buffer.getvalue(), count=1)
