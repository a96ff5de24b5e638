"""Shared pieces of the agreement tests: random annotations, a planted error model, and the
same annotations as pyannote.core objects for the oracles."""

from __future__ import annotations

import numpy as np

from attunement import segments as seg
from attunement.measures.agreement.error_model import ErrorModel
from attunement.recording import Recording

CLASSES = ("CHI", "FEM", "MAL", "OCH")


def random_recording(seed: int, n: int = 120, span_ms: int = 600_000, name: str = "a"):
    """``n`` segments of random classes, lengths and places: overlaps of every kind, same-class
    overlaps included; a few silence and noise rows that agreement ignores."""
    rng = np.random.default_rng(seed)
    onset = np.sort(rng.integers(0, span_ms - 5_000, n))
    offset = onset + rng.integers(50, 4_000, n)
    kinds = np.array([*CLASSES, "SIL", "NOI"])[
        rng.choice(6, n, p=[0.3, 0.3, 0.15, 0.15, 0.05, 0.05])
    ]
    frame = seg.build(
        {
            "segment_onset": onset,
            "segment_offset": offset,
            "speaker_type": kinds,
            "speaker_id": kinds,
            "kind": ["vocal"] * n,
        }
    )
    return Recording(
        id=name, path=f"{name}.csv", format="table", segments=frame, duration_ms=span_ms
    )


def planted() -> ErrorModel:
    """The error model the README's worked example plants in the ACLEW annotation."""
    return ErrorModel(
        classes=CLASSES,
        miss_rate={"CHI": 0.2, "FEM": 0.1, "MAL": 0.0, "OCH": 0.3},
        confusion={
            "CHI": {"CHI": 0.9, "FEM": 0.0, "MAL": 0.0, "OCH": 0.1},
            "FEM": {"CHI": 0.0, "FEM": 0.9, "MAL": 0.1, "OCH": 0.0},
            "MAL": {"CHI": 0.0, "FEM": 0.0, "MAL": 1.0, "OCH": 0.0},
            "OCH": {"CHI": 0.0, "FEM": 0.0, "MAL": 0.0, "OCH": 1.0},
        },
        false_alarm_ratio={"CHI": 0.1, "FEM": 0.2, "MAL": 0.0, "OCH": 0.0},
        false_alarm_duration_s={c: None for c in CLASSES},
        boundary_jitter_s=0.1,
        source="planted for the test and the README's worked example",
    )


def pyannote_annotation(rec: Recording, classes=CLASSES, merged: bool = True):
    """The recording's class segments as a pyannote Annotation, one track per segment;
    ``merged`` merges each class's overlapping segments first (our definition)."""
    from pyannote.core import Annotation, Segment

    from attunement.measures.agreement.timeline import class_intervals

    out = Annotation(uri=rec.id)
    if merged:
        for c, iv in zip(classes, class_intervals(rec.segments, classes), strict=True):
            for n, (a, b) in enumerate(iv):
                out[Segment(a / 1000, b / 1000), f"{c}{n}"] = c
        return out
    frame = rec.segments
    for n, row in enumerate(frame.iter_rows(named=True)):
        if str(row["speaker_type"]) in classes and row["segment_offset"] > row["segment_onset"]:
            out[Segment(row["segment_onset"] / 1000, row["segment_offset"] / 1000), n] = str(
                row["speaker_type"]
            )
    return out
