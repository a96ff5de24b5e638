"""Every query the faces (report, dashboard) run on a corpus store: the package's read SQL lives
here, named by what it answers. All take an open connection (read-only for faces) and return
polars frames or plain rows; none writes.

Measure tables follow ``corpus.results``: one table per family, keyed by ``recording_id`` and
``config_key``; ``measure_log`` says when each configuration was computed, so "the newest
configuration" of a family for a recording is well defined.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from attunement.corpus.results import KEY_COLUMNS, schemas
from attunement.measures.registry import Family


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the store's tables."""
    return {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """A query's rows as dicts (for templates)."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def recordings(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per recording: id, path, format, duration, child age, segments."""
    return con.sql(
        "SELECT recording_id, path, format, duration_ms, child_age_days, n_segments "
        "FROM recordings ORDER BY recording_id"
    ).pl()


def failures(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every file that could not be read: path, line, problem."""
    return con.sql("SELECT path, line, problem FROM failures ORDER BY path").pl()


def totals(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Recordings, segments and hours in the store."""
    return rows(
        con,
        "SELECT count(*) AS recordings, coalesce(sum(n_segments), 0) AS segments, "
        "coalesce(sum(duration_ms), 0) / 3.6e6 AS hours FROM recordings",
    )[0]


def formats(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Recordings per format, most first."""
    return rows(con, "SELECT format, count(*) AS n FROM recordings GROUP BY format ORDER BY n DESC")


def recording_page(con: duckdb.DuckDBPyConnection, limit: int, offset: int) -> list[dict]:
    """One page of recordings (id, path, format, hours, segments) in id order."""
    return rows(
        con,
        "SELECT recording_id, path, format, duration_ms / 3.6e6 AS hours, n_segments "
        "FROM recordings ORDER BY recording_id LIMIT ? OFFSET ?",
        [limit, offset],
    )


def recording_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every recording for a browsing table: id, path, format, hours, segments, child age in
    days, and the participants and extra metadata as stored (JSON text)."""
    return rows(
        con,
        "SELECT recording_id, path, format, duration_ms / 3.6e6 AS hours, n_segments, "
        "child_age_days, participants, extra FROM recordings ORDER BY recording_id",
    )


def recording(con: duckdb.DuckDBPyConnection, recording_id: str) -> dict | None:
    """The stored metadata of one recording, or None."""
    found = rows(con, "SELECT * FROM recordings WHERE recording_id = ?", [recording_id])
    return found[0] if found else None


def segment_counts(con: duckdb.DuckDBPyConnection, recording_id: str) -> list[dict]:
    """Segments per speaker type and kind of one recording, most first."""
    return rows(
        con,
        "SELECT CAST(speaker_type AS VARCHAR) AS speaker_type, CAST(kind AS VARCHAR) AS kind, "
        "count(*) AS n FROM segments WHERE recording_id = ? GROUP BY ALL ORDER BY n DESC",
        [recording_id],
    )


def key_values(con: duckdb.DuckDBPyConnection, family: Family) -> list[dict]:
    """The distinct key-parameter values measured for ``family`` (e.g. each turn rule)."""
    if family.name not in tables(con) or not family.key_parameters:
        return []
    keys = ", ".join(family.key_parameters)
    return rows(con, f"SELECT DISTINCT {keys} FROM {family.name} ORDER BY ALL")


def latest(
    con: duckdb.DuckDBPyConnection,
    family: Family,
    keys: dict[str, Any] | None = None,
    recording_ids: list[str] | None = None,
) -> pl.DataFrame:
    """Per recording, the newest measured row of ``family`` whose key parameters equal ``keys``
    (all rows of the family when ``keys`` is empty), optionally for some recordings only.
    Columns: ``recording_id``, ``config_key``, the key parameters, ``status`` and every scalar
    figure. Empty when the family was never measured."""
    if not {family.name, "measure_log"} <= tables(con):
        return pl.DataFrame(schema={**KEY_COLUMNS, **schemas(family)[family.name]}).drop(
            "parameters", "source", "warnings"
        )
    where = ["l.family = $family"]
    params: dict[str, Any] = {"family": family.name}
    for i, (name, value) in enumerate((keys or {}).items()):
        where.append(f"t.{family.parameter(name).name} = $k{i}")
        params[f"k{i}"] = str(value)
    if recording_ids is not None:
        where.append("t.recording_id IN (SELECT unnest($ids))")
        params["ids"] = recording_ids
    stored = {
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [family.name]
        ).fetchall()
    }  # a store measured before the catalogue grew lacks the newer figures: null
    columns = ", ".join(
        ["recording_id", "config_key", *family.key_parameters, "status"]
        + [f.name if f.name in stored else f"NULL AS {f.name}" for f in family.scalars]
    )
    return con.sql(
        f"SELECT {columns} FROM (SELECT t.*, row_number() OVER (PARTITION BY t.recording_id "
        f"ORDER BY l.computed_at DESC, t.config_key) AS newest FROM {family.name} t "
        "JOIN measure_log l ON l.recording_id = t.recording_id AND l.config_key = t.config_key "
        f"WHERE {' AND '.join(where)}) WHERE newest = 1 ORDER BY recording_id",
        params=params,
    ).pl()


def detail(
    con: duckdb.DuckDBPyConnection,
    table: str,
    chosen: pl.DataFrame,
    where: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Rows of a family's detail ``table`` for the (recording_id, config_key) pairs in
    ``chosen`` (e.g. from ``latest``), filtered by column equalities ``where``."""
    if table not in tables(con) or not chosen.height:
        return pl.DataFrame()
    pairs = chosen.select("recording_id", "config_key")  # noqa: F841 (scanned by DuckDB)
    clauses = "".join(f" AND d.{column} = $v{i}" for i, column in enumerate(where or {}))
    params = {f"v{i}": value for i, value in enumerate((where or {}).values())}
    return con.sql(
        f"SELECT d.* FROM {table} d JOIN pairs p USING (recording_id, config_key)"
        f" WHERE TRUE{clauses}",
        params=params,
    ).pl()
