"""The read budgets (``attunement.limits``) applied to what a reader found.

``check_time`` refuses one time (in ms) beyond the span limit, naming its line: readers call it
where they turn a number from the file into milliseconds, before it can overflow int64.
``check_count`` refuses a count (recordings, segments) over its limit as soon as it is passed.
``check_recordings`` applies every budget to a file's Recordings: ``read_file`` runs it on what
every reader returns.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from attunement.limits import DAY_MS, current
from attunement.recording import Recording


def _days(ms: float) -> str:
    return f"{ms / DAY_MS:,.4g} days"


def check_time(path: Path, ms: float, line: int | None, what: str) -> None:
    """Refuse ``ms`` beyond the span limit (which also keeps it inside int64 ms)."""
    limits = current()
    if ms > limits.max_span_ms:
        raise limits.refuse(path, "max_span_days", f"{what} at {_days(ms)}", line)


def check_count(path: Path, name: str, n: int, what: str, line: int | None = None) -> None:
    """Refuse ``n`` (recordings or segments) above limit ``name``."""
    limits = current()
    if n > getattr(limits, name):
        raise limits.refuse(path, name, f"more than {getattr(limits, name):,} {what}", line)


def check_recordings(path: Path, recordings: list[Recording]) -> None:
    """Every budget on a file's Recordings: how many, how many segments, and each one's span
    (its last offset, its stated duration and its recorded pieces)."""
    check_count(path, "max_recordings", len(recordings), "recordings in one file")
    check_count(
        path, "max_segments", sum(r.segments.height for r in recordings), "segments in one file"
    )
    span = current().max_span_ms
    for rec in recordings:
        frame = rec.segments
        late = frame.filter(pl.col("segment_offset") > span)
        if late.height:
            row = late.row(0, named=True)
            check_time(path, row["segment_offset"], row["source_line"], "a segment ending")
        pieces = rec.extra.get("recordings") or []
        ends = [rec.duration_ms or 0] + [int(p.get("end_ms") or 0) for p in pieces]
        check_time(path, max(ends), None, "a recording ending")  # its id may be file content
