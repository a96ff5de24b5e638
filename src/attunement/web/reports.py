"""The report of an uploaded recording: ``attunement.report``'s builder, built once and kept
beside the upload, and the headline figures of every measure family the recording supports.

The families, their parameters and their figures come from the measure registry
(``attunement.measures.registry.run_all``) with every family's defaults, the command line's
too (``attunement turns``: rule ``lena``, chance baseline of 100 circular shifts, seed 0), so
the page and the CLI agree; the labels are the catalogue's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from attunement.measures.registry import run_all
from attunement.recording import Recording
from attunement.report.build import recording_report
from attunement.web.plots import RENDER_LOCK


def headline(rec: Recording) -> dict[str, Any]:
    """The recording's summary and, per family, its parameters and headline figures (name,
    label, value shown with its unit's precision), or why the recording cannot support it."""
    summary = rec.summary()
    summary.pop("path", None)
    families = []
    for outcome in run_all(rec):
        entry: dict[str, Any] = {"family": outcome.family.name, "title": outcome.family.title}
        if outcome.result is None:
            entry["reason"] = outcome.reason
        else:
            values = outcome.result.figures()
            entry["key"] = outcome.result.identity()
            entry["figures"] = [
                {"name": f.name, "label": f.label, "shown": f.display(values[f.name])}
                for f in outcome.family.scalars
                if f.headline and values[f.name] is not None
            ]
        families.append(entry)
    return {"summary": summary, "families": families}


def report_html(rec: Recording, cache: Path, *, coach_view: bool = False) -> str:
    """The report page for ``rec`` (the coach view first when ``coach_view``), from ``cache``
    when built before, with every family's defaults as in ``headline``."""
    if cache.is_file():
        return cache.read_text(encoding="utf-8")
    with RENDER_LOCK:  # the report draws with matplotlib, which is not thread-safe
        text = recording_report(rec, coach_view=coach_view)
    tmp = cache.with_name(cache.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, cache)
    return text
