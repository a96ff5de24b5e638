"""Link a recording to its dataset's metadata: child, session, date, start and age.

``Link`` holds what the metadata says of one recording (``recordings.csv`` and its child's row in
``children.csv``); ``apply`` puts it on a ``Recording`` read from a file, beside what the file's
own header says (CHAT's ``@ID`` age and ``@Date``, LENA's date of birth and clock):

- **age** in days: ``date_iso - child_dob`` when the metadata gives both (ChildProject's
  ``compute_ages``, in days); with a date of birth but no ``date_iso``, the header's date minus
  it; otherwise the header's age. When header and metadata differ by more than
  ``AGE_TOLERANCE_DAYS`` (CHAT's ``y;m.d`` ages are converted with 30.4375-day months, up to
  about 2.5 days off the calendar), the metadata's value is used and a warning names both;
- **date**: ``date_iso``, else the header's (first ``@Date``, LENA's clock); a disagreement is a
  warning naming both;
- **start** (clock time of ``segment_onset == 0``): the file's own when it has one (LENA); else
  ``date_iso`` + ``start_time`` (local time, as ChildProject records it). A disagreement of more
  than a minute is a warning naming both.

The link travels in ``Recording.extra["link"]`` (``dataset``, ``recording_name``,
``annotation_set``, ``child_id``, ``session_id``, ``date``); the corpus store keeps it as columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from attunement.io.childproject import Dataset, Row, date_of
from attunement.recording import Recording

AGE_TOLERANCE_DAYS = 3
START_TOLERANCE_S = 60


@dataclass(frozen=True)
class Link:
    """What a dataset's metadata says of one recording (picklable: it travels to workers)."""

    dataset: str
    recording_name: str
    annotation_set: str | None = None
    child_id: str | None = None
    session_id: str | None = None
    date_iso: str | None = None
    start_time: str | None = None
    duration_ms: int | None = None
    child_dob: str | None = None

    @property
    def date(self) -> date | None:
        return date_of(self.date_iso)

    @property
    def start(self) -> datetime | None:
        """``date_iso`` + ``start_time`` (``H:MM`` or ``H:MM:SS``), naive local time."""
        clock = _clock(self.start_time)
        return datetime.combine(self.date, clock) if self.date and clock else None

    def columns(self) -> dict[str, Any]:
        """The store's link columns."""
        return {
            "dataset": self.dataset,
            "recording_name": self.recording_name,
            "annotation_set": self.annotation_set,
            "child_id": self.child_id,
            "session_id": self.session_id,
            "date": self.date_iso if self.date else None,
        }


def link(
    ds: Dataset, recording_name: str, row: Row | None, annotation_set: str | None = None
) -> Link:
    """The ``Link`` of a recording called ``recording_name`` whose recordings.csv row is
    ``row`` (None when it has none); ``child_id`` falls back to ``row``-less guesses by the
    caller."""
    row = row or {}
    child = ds.child_of(row) or {}
    duration = row.get("duration")
    try:
        duration_ms = int(float(duration)) if duration else None
    except ValueError:
        duration_ms = None
    return Link(
        dataset=str(ds.root),
        recording_name=recording_name,
        annotation_set=annotation_set,
        child_id=row.get("child_id"),
        session_id=row.get("session_id"),
        date_iso=row.get("date_iso"),
        start_time=row.get("start_time"),
        duration_ms=duration_ms,
        child_dob=child.get("child_dob"),
    )


def apply(rec: Recording, lk: Link) -> Recording:
    """``rec`` with the metadata's child, date, start and age (module docstring)."""
    warnings = list(rec.warnings)
    header_date = _header_date(rec)
    day = lk.date or header_date
    if lk.date and header_date and lk.date != header_date:
        warnings.append(
            f"recording date: recordings.csv gives {lk.date}, the file's header {header_date}; "
            "using recordings.csv's"
        )
    age = rec.child_age_days
    dob = date_of(lk.child_dob)
    if dob and day:
        metadata_age = (day - dob).days
        if age is not None and abs(age - metadata_age) > AGE_TOLERANCE_DAYS:
            warnings.append(
                f"child age: the metadata gives {metadata_age} days (child_dob {dob}, date "
                f"{day}), the file's header {age} days; using the metadata's"
            )
        age = metadata_age
    start = rec.start
    if lk.start is not None:
        if start is None:
            start = lk.start
        elif abs((start.replace(tzinfo=None) - lk.start).total_seconds()) > START_TOLERANCE_S:
            warnings.append(
                f"start: recordings.csv gives {lk.start.isoformat()}, the file's clock "
                f"{start.replace(tzinfo=None).isoformat()}; keeping the file's clock"
            )
    columns = lk.columns()
    columns["date"] = day.isoformat() if day else None
    return replace(
        rec,
        start=start,
        child_age_days=age,
        warnings=warnings,
        extra={**rec.extra, "link": columns},
    )


def _header_date(rec: Recording) -> date | None:
    """The date the file itself gives: its clock's, else its first ``@Date`` (CHAT)."""
    if rec.start is not None:
        return rec.start.date()
    for entry in rec.extra.get("dates") or []:
        found = date_of(entry.get("date") if isinstance(entry, dict) else None)
        if found:
            return found
    return None


def _clock(text: str | None) -> time | None:
    if not text:
        return None
    for pattern in ("%H:%M:%S", "%H:%M"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    return None
