"""Visits: several recordings of one child, in the order they were made, each with what the
coach view needs (turn figures with their errors, strength moments, the data-quality gate).

- **Order**: by recording date when every recording has one (its clock start, or a date given
  for it); otherwise in the order the files were given, and ``ordered_by`` says so.
- **Age** at each visit: the recording's own child age, else the days from the birth date given
  to the recording date, else unknown.
- **Data quality** (``quality``): ``ok``; ``short`` when less than ``min_hours`` of audio was
  recorded (default ``MIN_HOURS``, 4 h: a day's picture needs most of a waking day; LENA's
  own reports ask for at least 10 h, which a home visit cannot always have); ``no_child`` when
  the key child's voice was not found; ``no_turns`` when turns cannot be counted at all
  (coded streams only). A visit that is not ``ok`` gets no per-hour figures and no comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from attunement.recording import Recording
from attunement.report import progress, strengths
from attunement.report.recording_section import Analysis, analyse

MIN_HOURS = 4.0


@dataclass
class Visit:
    """One visit: the recording's analysis, its date and how it was known, the child's age in
    days, the data-quality verdict, the figures' estimates and the strength moments."""

    analysis: Analysis
    date: date | None
    dated_by: str | None  # "recording" or "given"
    age_days: int | None
    quality: str
    estimates: dict[str, progress.Estimate] = field(default_factory=dict)
    moments: list[strengths.Moment] = field(default_factory=list)
    changes: dict[str, str] = field(default_factory=dict)

    @property
    def recording(self) -> Recording:
        return self.analysis.recording

    @property
    def turns(self):
        return self.analysis.results.get("turns")

    @property
    def hours(self) -> float:
        t = self.turns
        seconds = t.recorded_s if t is not None else (self.recording.duration_ms or 0) / 1000
        return seconds / 3600


def visits(
    recordings: Sequence[Recording],
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    common: Mapping[str, Any] | None = None,
    dates: Mapping[str, date] | None = None,
    birth_date: date | None = None,
    min_hours: float = MIN_HOURS,
) -> tuple[list[Visit], str]:
    """The visits of ``recordings`` (``dates`` by recording id fill in or replace the
    recordings' own dates) and how they are ordered: ``"date"`` or ``"file order"``."""
    out = []
    for rec in recordings:
        given = (dates or {}).get(rec.id)
        day = given or (rec.start.date() if rec.start is not None else None)
        age = rec.child_age_days
        if age is None and birth_date is not None and day is not None:
            age = (day - birth_date).days
        analysis = analyse(rec, settings=settings, common=common)
        visit = Visit(
            analysis=analysis,
            date=day,
            dated_by=None if day is None else "given" if given else "recording",
            age_days=age,
            quality=_quality(analysis, min_hours),
        )
        if visit.quality == "ok":
            hours = progress.hour_figures(rec, visit.turns.parameters)
            visit.estimates = {
                name: progress.estimate(visit.turns, name, hours) for name in progress.FIGURES
            }
        if visit.turns is not None:
            visit.moments = strengths.moments(rec, visit.turns)
        out.append(visit)
    ordered_by = "date" if out and all(v.date is not None for v in out) else "file order"
    if ordered_by == "date":
        out.sort(key=lambda v: v.date)  # stable: same-day visits keep the files' order
    _compare(out)
    return out, ordered_by


def _quality(analysis: Analysis, min_hours: float) -> str:
    t = analysis.results.get("turns")
    if t is None:
        return "no_turns"
    if t.child_units == 0:
        return "no_child"
    if t.recorded_s < min_hours * 3600:
        return "short"
    return "ok"


def _compare(out: list[Visit]) -> None:
    """Each visit's change against the first, figure by figure (``progress.change``)."""
    for i, visit in enumerate(out):
        for name in progress.FIGURES:
            if i == 0:
                visit.changes[name] = "first" if visit.quality == "ok" else "not_enough_data"
                continue
            first = out[0].estimates.get(name)
            visit.changes[name] = progress.change(first, visit.estimates.get(name))
