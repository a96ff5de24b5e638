"""The simulation page's slider settings and what the page shows for one setting: light enough
for the server to import (the simulating and drawing is ``attunement.web.simulation``'s, in a
worker process)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SLIDER_STEP = 0.05


@dataclass(frozen=True)
class Outcome:
    """What the page shows for one slider setting: parameters, the headline figures of the
    measures the registry runs on the simulated day and dyad, SVG plots."""

    parameters: dict[str, float | int | str]
    day: list[dict[str, str]]  # the day's headline figures: name, label, shown
    dyad: list[dict[str, str]]  # the coded dyad's
    turns_svg: str
    repair_svg: str
    development_svg: str | None
    development_note: str


def snap(value: float) -> float:
    """A slider value rounded to the slider's step and kept inside (0, 1)."""
    return min(max(round(round(value / SLIDER_STEP) * SLIDER_STEP, 2), SLIDER_STEP), 0.95)


def load(path: Path) -> Outcome:
    """An outcome written by ``attunement.web.simulation.write_outcome``."""
    return Outcome(**json.loads(path.read_text(encoding="utf-8")))
