"""The ingest task that runs in a worker: read files into Arrow-ready tables.

A worker reads each file with the project's readers and hands back, per file, either the
recordings' metadata rows and one segments table (columns ``recording_id``, ``seq`` and the
segments-table columns plus any a reader adds) or the read error. Workers never touch the store:
the single writer process inserts what they return.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from attunement.corpus.hashing import content_hash
from attunement.errors import ReadError
from attunement.io import read_file
from attunement.limits import Limits
from attunement.recording import Recording


@dataclass
class FileOutcome:
    """One file read by a worker: its recordings and segments, or why it failed."""

    path: str
    content_hash: str
    recordings: list[dict[str, Any]]
    segments: pl.DataFrame | None
    error: ReadError | None = None

    @property
    def n_segments(self) -> int:
        return 0 if self.segments is None else self.segments.height


def read_files(
    paths: list, roles: dict[str, str] | None, keep_text: bool, limits: Limits | None = None
) -> list[FileOutcome]:
    """Read each file within ``limits`` (a worker process does not see the caller's); a bad file
    gives an outcome with ``error`` set (never an exception). An item of a dataset
    (``corpus.dataset.Item``, anything but a path string) reads itself."""
    return [
        _read_one(Path(p), roles, keep_text, limits)
        if isinstance(p, str)
        else p.read(roles, keep_text, limits)
        for p in paths
    ]


def _read_one(
    path: Path, roles: dict[str, str] | None, keep_text: bool, limits: Limits | None
) -> FileOutcome:
    digest = content_hash(path)
    try:
        recordings = read_file(path, roles=roles, keep_text=keep_text, limits=limits)
        if not recordings:
            raise ReadError(path, "the file holds no recording")
    except ReadError as exc:
        return FileOutcome(str(path), digest, [], None, exc)
    except Exception as exc:  # a reader bug must not sink a whole corpus run
        detail = f": {exc}" if keep_text else ""  # the message may quote the file
        problem = f"internal error {type(exc).__name__}{detail} (please report)"
        return FileOutcome(str(path), digest, [], None, ReadError(path, problem))
    rows = [_metadata(rec, digest, i) for i, rec in enumerate(recordings)]
    frames = [_segments(rec) for rec in recordings]
    segments = frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")
    return FileOutcome(str(path), digest, rows, segments)


def _metadata(rec: Recording, digest: str, file_index: int) -> dict[str, Any]:
    return {
        "recording_id": rec.id,
        "path": rec.path,
        "content_hash": digest,
        "format": rec.format,
        "duration_ms": rec.duration_ms,
        "start": rec.start.isoformat() if rec.start else None,
        "child_age_days": rec.child_age_days,
        "participants": json.dumps(
            [
                {"id": p.id, "role": p.role, "speaker_type": p.speaker_type, "name": p.name}
                for p in rec.participants
            ],
            ensure_ascii=False,
        ),
        "warnings": json.dumps(list(rec.warnings), ensure_ascii=False),
        "extra": json.dumps(rec.extra, ensure_ascii=False, default=str),
        "keep_text": rec.keep_text,
        "n_segments": rec.segments.height,
        "file_index": file_index,
    }


def _segments(rec: Recording) -> pl.DataFrame:
    """The recording's table keyed for the store; Enum/Categorical columns a reader adds are
    stored as text (their categories differ from file to file)."""
    frame = rec.segments
    extras = [
        pl.col(c).cast(pl.String)
        for c, dtype in frame.schema.items()
        if c not in ("speaker_type", "kind") and isinstance(dtype, pl.Enum | pl.Categorical)
    ]
    return frame.with_columns(*extras).select(
        pl.lit(rec.id, pl.String).alias("recording_id"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
        pl.all(),
    )
