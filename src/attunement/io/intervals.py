"""Interval-coded tables: one row per fixed-length interval, one 0/1 column per code (partial-
interval or momentary time sampling, as in ConNEcT's ``AttachmentData`` coded every 2 s).

``from_binary_table(frame, interval_s=...)`` turns such a table into a Recording: each run of
consecutive 1s in a column becomes one segment ``[first * interval, (last + 1) * interval)``
with ``code`` = the column name, ``kind`` = ``behaviour``; ``speaker_type`` comes from the role
map (column name -> type; unknown columns become ``UNK`` and are counted in a warning).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl

from attunement import roles as role_maps
from attunement import segments as seg
from attunement.errors import DataError, ParameterError
from attunement.recording import Recording


def from_binary_table(
    frame: pl.DataFrame,
    *,
    interval_s: float,
    role_map: Mapping[str, str] | None = None,
    recording_id: str = "intervals",
    path: str | Path = "",
) -> Recording:
    """A Recording from a 0/1 table (rows: intervals of ``interval_s`` seconds; columns: codes).
    Values other than 0, 1 or empty raise ``DataError`` naming the column and row."""
    step = round(interval_s * 1000)
    if step <= 0:
        raise ParameterError(f"interval_s must be > 0, got {interval_s}")
    onsets, offsets, codes = [], [], []
    for name in frame.columns:
        values = frame[name].cast(pl.Int64, strict=False)
        bad = ~values.fill_null(0).is_in([0, 1]) | (values.is_null() & frame[name].is_not_null())
        if bad.any():
            row = int(bad.arg_true()[0])
            raise DataError(f"column {name!r}, data row {row + 1}: {frame[name][row]!r} is not 0/1")
        on = np.diff(np.concatenate(([0], values.fill_null(0).to_numpy(), [0])))
        starts, stops = np.flatnonzero(on == 1), np.flatnonzero(on == -1)
        onsets += (starts * step).tolist()
        offsets += (stops * step).tolist()
        codes += [name] * len(starts)
    types, unknown = role_maps.apply(codes, dict(role_map or {}))
    table = seg.build(
        {
            "segment_onset": onsets,
            "segment_offset": offsets,
            "speaker_type": types,
            "speaker_id": codes,
            "kind": ["behaviour"] * len(codes),
            "code": codes,
        }
    )
    return Recording(
        id=recording_id,
        path=str(path),
        format="intervals",
        segments=table,
        duration_ms=frame.height * step,
        warnings=role_maps.unknown_warning(unknown, "interval table"),
        extra={"interval_s": interval_s},
    )
