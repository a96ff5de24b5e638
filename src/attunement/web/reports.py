"""The report of an uploaded recording: ``attunement.report``'s builder, built once and kept
beside the upload.

The headline numbers (``headline``) are the ``lena`` rule's turn figures with the command
line's defaults (``attunement turns``: chance baseline of 100 circular shifts, seed 0), so the
page and the CLI agree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from attunement.measures.turns import turns
from attunement.recording import Recording
from attunement.report.build import recording_report
from attunement.web.plots import RENDER_LOCK

RULE = "lena"
CHANCE = 100
SEED = 0
HEADLINE = (
    "turns",
    "turns_per_hour",
    "child_serves",
    "adult_serves",
    "response_rate",
    "latency_median_s",
    "exchanges",
    "longest_exchange",
    "chance_ratio",
)


def headline(rec: Recording) -> dict[str, Any]:
    """The recording's summary and its headline turn figures (``turns_error`` instead when the
    recording has nothing the turn rule can count, e.g. a coded affect stream)."""
    summary = rec.summary()
    summary.pop("path", None)
    try:
        result = turns(rec, RULE, n_resamples=CHANCE, seed=SEED)
    except ValueError as exc:
        return {"summary": summary, "turns": None, "turns_error": str(exc)}
    figures = result.to_dict(bins=False)
    return {
        "summary": summary,
        "turns": {k: figures[k] for k in HEADLINE},
        "turn_parameters": {"rule": RULE, "chance": CHANCE, "seed": SEED, **result.parameters},
    }


def report_html(rec: Recording, cache: Path, *, coach_view: bool = False) -> str:
    """The report page for ``rec`` (the coach view first when ``coach_view``), from ``cache``
    when built before, with the same rule, chance baseline and seed as ``headline``."""
    if cache.is_file():
        return cache.read_text(encoding="utf-8")
    with RENDER_LOCK:  # the report draws with matplotlib, which is not thread-safe
        text = recording_report(
            rec, rule=RULE, n_resamples=CHANCE, seed=SEED, coach_view=coach_view
        )
    tmp = cache.with_name(cache.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, cache)
    return text
