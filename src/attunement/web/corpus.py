"""Browsing a corpus store (made by ``attunement ingest``), opened read-only for each request.

DuckDB lets one process write a store file; a dashboard only reads, so every request opens the
store with ``read_only=True`` (``attunement.corpus.open_store``), runs parameterised queries and
closes it again: an ingest can run between two page views, and ``StoreBusy`` while it writes
becomes a "try again" page, not a stale view.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

from attunement.corpus import open_store

PAGE_SIZE = 100
READ_WAIT_S = 3.0  # an ingest lets readers in at least every 2 s; then a 503 "try again"
TURN_COLUMNS = ("rule", "turns", "turns_per_hour", "response_rate", "latency_median_s")


@contextmanager
def _connection(store: Path):
    con = open_store(store, read_only=True, wait_s=READ_WAIT_S)
    try:
        yield con
    finally:
        con.close()


def _rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _tables(con) -> set[str]:
    return {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def overview(store: Path, page: int = 0) -> dict[str, Any]:
    """Counts, formats, one page of recordings (with their turn figures for the first rule in
    the store when turns were measured) and every failure."""
    page = max(page, 0)
    with _connection(store) as con:
        tables = _tables(con)
        totals = _rows(
            con,
            "SELECT count(*) AS recordings, coalesce(sum(n_segments), 0) AS segments, "
            "coalesce(sum(duration_ms), 0) / 3.6e6 AS hours FROM recordings",
        )[0]
        formats = _rows(
            con, "SELECT format, count(*) AS n FROM recordings GROUP BY format ORDER BY n DESC"
        )
        rule = None
        if "turns" in tables:
            found = con.execute("SELECT min(rule) FROM turns").fetchone()
            rule = found[0] if found else None
        join = (
            "LEFT JOIN (SELECT recording_id, turns, turns_per_hour, response_rate FROM turns "
            "WHERE rule = ?) t USING (recording_id)"
            if rule
            else ""
        )
        picked = ", t.turns, t.turns_per_hour, t.response_rate" if rule else ""
        params: list[Any] = [rule] if rule else []
        recordings = _rows(
            con,
            f"SELECT r.recording_id, r.path, r.format, r.duration_ms / 3.6e6 AS hours, "
            f"r.n_segments{picked} FROM recordings r {join} "
            "ORDER BY r.recording_id LIMIT ? OFFSET ?",
            [*params, PAGE_SIZE, page * PAGE_SIZE],
        )
        failures = _rows(con, "SELECT path, line, problem FROM failures ORDER BY path")
    return {
        "totals": totals,
        "formats": formats,
        "rule": rule,
        "recordings": recordings,
        "failures": failures,
        "page": page,
        "pages": max(1, -(-totals["recordings"] // PAGE_SIZE)),
    }


def recording(store: Path, recording_id: str) -> dict[str, Any] | None:
    """One recording's row, its segments per speaker type and kind, and its turn rows (every
    rule measured), or None when the store has no such recording."""
    with _connection(store) as con:
        found = _rows(con, "SELECT * FROM recordings WHERE recording_id = ?", [recording_id])
        if not found:
            return None
        counts = _rows(
            con,
            "SELECT CAST(speaker_type AS VARCHAR) AS speaker_type, CAST(kind AS VARCHAR) AS kind, "
            "count(*) AS n FROM segments WHERE recording_id = ? GROUP BY ALL ORDER BY n DESC",
            [recording_id],
        )
        turn_rows = []
        if "turns" in _tables(con):
            columns = ", ".join(TURN_COLUMNS)
            turn_rows = _rows(
                con,
                f"SELECT {columns} FROM turns WHERE recording_id = ? ORDER BY rule",
                [recording_id],
            )
    return {"recording": found[0], "counts": counts, "turns": turn_rows}
