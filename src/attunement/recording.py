"""A Recording: metadata plus its segments table (DESIGN.md, "data model")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from attunement import segments as seg


@dataclass(frozen=True)
class Participant:
    """One speaker as the source names it: ``id`` (MOT, FAN, FA1, KCHI ...), the source's ``role``
    (Mother, Target_Child ...; may be empty) and the ``speaker_type`` it maps to."""

    id: str
    role: str
    speaker_type: str
    name: str | None = None


@dataclass
class Recording:
    """One recording and its segments.

    ``duration_ms`` is the length of the recorded audio when the source states it, otherwise the
    last segment offset. ``start`` is the clock time of ``segment_onset == 0`` (timezone-aware
    when the source says so). ``extra`` holds source-specific metadata (LENA's recorder pieces,
    CHAT's ``@Date`` headers ...). ``warnings`` are the reader's messages to the researcher.
    """

    id: str
    path: str
    format: str
    segments: pl.DataFrame
    start: datetime | None = None
    duration_ms: int | None = None
    child_age_days: int | None = None
    participants: list[Participant] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    keep_text: bool = True

    def __post_init__(self) -> None:
        seg.validate(self.segments)
        if self.duration_ms is None:
            offsets = self.segments["segment_offset"].drop_nulls()
            self.duration_ms = int(offsets.max()) if len(offsets) else 0

    @property
    def n_timed(self) -> int:
        return int(self.segments["segment_onset"].is_not_null().sum())

    @property
    def n_untimed(self) -> int:
        return self.segments.height - self.n_timed

    def summary(self) -> dict[str, Any]:
        """A JSON-ready overview: format, duration, counts per speaker type and kind, warnings."""
        frame = self.segments

        def counts(column: str) -> dict[str, int]:
            table = frame.get_column(column).cast(pl.String).value_counts(sort=True)
            return {str(k): int(v) for k, v in table.iter_rows()}

        return {
            "path": self.path,
            "id": self.id,
            "format": self.format,
            "duration_s": round((self.duration_ms or 0) / 1000, 3),
            "start": self.start.isoformat() if self.start else None,
            "child_age_days": self.child_age_days,
            "segments": frame.height,
            "timed": self.n_timed,
            "untimed": self.n_untimed,
            "speaker_type": counts("speaker_type"),
            "kind": counts("kind"),
            "participants": [
                {"id": p.id, "role": p.role, "speaker_type": p.speaker_type}
                for p in self.participants
            ],
            "warnings": list(self.warnings),
        }
