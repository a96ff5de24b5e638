"""Clip lists: which stretches of which recordings were annotated.

Two layouts are read:

- ChildProject's annotation index (``metadata/annotations.csv``, or an import list such as
  ``annotations/input.csv``; a dataset folder stands for its ``metadata/annotations.csv``):
  ``recording_filename``, ``range_onset``, ``range_offset`` in integer milliseconds, optional
  ``set`` and ``raw_filename``;
- a plain list: ``onset_s``, ``offset_s`` in seconds, optional ``recording``.

A clip belongs to a recording when its ``recording_filename``, ``raw_filename`` or ``recording``
(any extension) names the recording's file or id, or when it names none.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from attunement.errors import ReadError
from attunement.recording import Recording

MAX_BYTES = 10_000_000


@dataclass(frozen=True)
class Clip:
    onset_s: float
    offset_s: float
    names: tuple[str, ...] = ()
    set: str | None = None


def read_clips(path: str | Path) -> list[Clip]:
    """Every clip of a clip list (see the module docstring); ``ReadError`` otherwise."""
    path = Path(path)
    if path.is_dir():
        path = path / "metadata" / "annotations.csv"
    if not path.is_file():
        raise ReadError(path, "no such clip list")
    if path.stat().st_size > MAX_BYTES:
        raise ReadError(path, f"a clip list is at most {MAX_BYTES:,} bytes")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError(path, "not UTF-8 text") from None
    rows = csv.DictReader(io.StringIO(text))
    header = rows.fieldnames or []
    if {"range_onset", "range_offset"} <= set(header):
        scale, on_col, off_col = 1000.0, "range_onset", "range_offset"
    elif {"onset_s", "offset_s"} <= set(header):
        scale, on_col, off_col = 1.0, "onset_s", "offset_s"
    else:
        raise ReadError(
            path, "a clip list needs range_onset and range_offset (ms) or onset_s and offset_s"
        )
    out = []
    for line, row in enumerate(rows, start=2):
        onset, offset = (_number(path, line, row.get(c), c) / scale for c in (on_col, off_col))
        if not 0 <= onset < offset:
            raise ReadError(path, f"{off_col} must be greater than {on_col} >= 0", line)
        names = tuple(
            _stem(row[c]) for c in ("recording_filename", "raw_filename", "recording") if row.get(c)
        )
        out.append(Clip(onset, offset, names, row.get("set") or None))
    if not out:
        raise ReadError(path, "the clip list has no clip")
    return out


def for_recording(clips: list[Clip], rec: Recording, clip_set: str | None = None) -> list[Clip]:
    """The clips of ``rec`` (of ``clip_set`` when given)."""
    own = {rec.id, _stem(Path(rec.path).name)} if rec.path else {rec.id}
    return [
        c
        for c in clips
        if (clip_set is None or c.set == clip_set) and (not c.names or own & set(c.names))
    ]


def _stem(name: str) -> str:
    return Path(name.strip()).name.rsplit(".", 1)[0]


def _number(path: Path, line: int, text: str | None, column: str) -> float:
    try:
        value = float(text or "")
    except ValueError:
        raise ReadError(path, f"{column} is not a number", line) from None
    if not math.isfinite(value) or value > 1e12:
        raise ReadError(path, f"{column} must be a finite time", line)
    return value
