"""Small recordings for turn-rule tests, written as (onset s, offset s, speaker_type[, kind])."""

from datetime import datetime

from attunement import segments as seg
from attunement.recording import Recording


def rec(rows, *, start: datetime | None = None, duration_s=None, extra=None, ids=None, **cols):
    onsets = [round(r[0] * 1000) for r in rows]
    offsets = [round(r[1] * 1000) for r in rows]
    types = [r[2] for r in rows]
    kinds = [r[3] if len(r) > 3 else "vocal" for r in rows]
    frame = seg.build(
        {
            "segment_onset": onsets,
            "segment_offset": offsets,
            "speaker_type": types,
            "speaker_id": ids or types,
            "kind": kinds,
            **cols,
        }
    )
    return Recording(
        id="t",
        path="t",
        format="test",
        segments=frame,
        start=start,
        duration_ms=None if duration_s is None else round(duration_s * 1000),
        extra=extra or {},
    )
