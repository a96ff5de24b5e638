"""Recordings back out of the store, exactly as the readers made them.

Segments come back in their original row order (``seq``) with the core columns in the
segments-table types; a reader's extra columns come back for the recordings that have them
(a column that is null on every row of a recording is left out, as the store cannot tell it
from a column that recording never had).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from attunement import segments as seg
from attunement.recording import Participant, Recording

META_COLUMNS = (
    "recording_id",
    "path",
    "content_hash",
    "format",
    "duration_ms",
    "start",
    "child_age_days",
    "participants",
    "warnings",
    "extra",
    "keep_text",
)


def fetch(
    con: duckdb.DuckDBPyConnection, ids: list[str]
) -> list[tuple[dict[str, Any], pl.DataFrame]]:
    """Metadata rows and segment tables of the recordings ``ids`` (one query for all)."""
    meta = con.execute(
        f"SELECT {', '.join(META_COLUMNS)} FROM recordings "
        "WHERE recording_id IN (SELECT unnest(?)) ORDER BY recording_id",
        [ids],
    ).fetchall()
    frame = con.sql(
        "SELECT * FROM segments WHERE recording_id IN (SELECT unnest($ids)) "
        "ORDER BY recording_id, seq",
        params={"ids": ids},
    ).pl()
    parts = frame.partition_by("recording_id", as_dict=True, maintain_order=True)
    out = []
    for row in meta:
        m = dict(zip(META_COLUMNS, row, strict=True))
        part = parts.get((m["recording_id"],), frame.clear())
        out.append((m, part))
    return out


def recording(meta: dict[str, Any], rows: pl.DataFrame) -> Recording:
    """The ``Recording`` for one metadata row and its stored segment rows."""
    core = [pl.col(name).cast(dtype) for name, dtype in seg.SCHEMA.items()]
    extras = [c for c in rows.columns if c not in seg.SCHEMA and c not in ("recording_id", "seq")]
    present = [c for c in extras if rows[c].null_count() < rows.height]
    segments = rows.select(*core, *present)
    return Recording(
        id=meta["recording_id"],
        path=meta["path"],
        format=meta["format"],
        segments=segments,
        start=datetime.fromisoformat(meta["start"]) if meta["start"] else None,
        duration_ms=meta["duration_ms"],
        child_age_days=meta["child_age_days"],
        participants=[Participant(**p) for p in json.loads(meta["participants"] or "[]")],
        warnings=json.loads(meta["warnings"] or "[]"),
        extra=json.loads(meta["extra"] or "{}"),
        keep_text=meta["keep_text"],
    )
