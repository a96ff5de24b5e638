"""Incremental measures over the store: compute only what is new or changed.

A request is a family and one configuration. For each request the store's ``measure_log``
records, per recording, the content hash and configuration it was computed for; a run computes
only the recordings without a matching row (new recordings, changed files, new parameters), and
drops results of recordings that are no longer in the store. The workers get the recordings'
segments from this process (the store's only reader-writer) in chunks, and each chunk's results
and log rows commit in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from attunement.corpus import rebuild
from attunement.corpus.executor import run_tasks
from attunement.corpus.ingest import insert_frame
from attunement.corpus.results import KEY_COLUMNS, config_key, rows, schemas
from attunement.corpus.store import guarded, open_store
from attunement.errors import ParameterError
from attunement.measures.base import jsonable
from attunement.measures.registry import Family, ensure
from attunement.outputs import atomic, check_file

CHUNK_SEGMENTS = 500_000
CHUNK_RECORDINGS = 32
LOG_DDL = """CREATE TABLE IF NOT EXISTS measure_log (
    family VARCHAR NOT NULL, config_key VARCHAR NOT NULL, recording_id VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL, config VARCHAR NOT NULL, computed_at TIMESTAMP NOT NULL)"""

Request = tuple[Family, dict[str, Any]]


@dataclass
class MeasureSummary:
    """Recording x configuration pairs computed now, already up to date, and failed."""

    computed: int = 0
    up_to_date: int = 0
    failed: list[str] = field(default_factory=list)
    keys: dict[str, list[str]] = field(default_factory=dict)  # family -> config keys asked for


def ensure_tables(con: duckdb.DuckDBPyConnection, families: list[Family]) -> None:
    """The log and every table of ``families`` (``corpus.results.schemas``); a table made
    before its family's catalogue grew gets the new columns (null in the old rows)."""
    con.execute(LOG_DDL)
    for family in families:
        for table, schema in schemas(family).items():
            empty = pl.DataFrame(schema={**KEY_COLUMNS, **schema})  # noqa: F841
            con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM empty")
            for column, dtype, *_ in con.execute("DESCRIBE SELECT * FROM empty").fetchall():
                con.execute(f'ALTER TABLE {table} ADD COLUMN IF NOT EXISTS "{column}" {dtype}')


def measure(
    db: str,
    requests: list[Request],
    *,
    jobs: int | None = None,
    dask: str | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
) -> MeasureSummary:
    """Bring the results of ``requests`` up to date for every recording in the store ``db``.

    ``on_plan`` gets the number of recordings to compute; ``on_chunk(recordings, segments)`` is
    called after each chunk commits.
    """
    with guarded(db), closing(open_store(db, verify=True)) as con:
        families = list({f.name: f for f, _ in requests}.values())
        ensure_tables(con, families)
        _drop_orphans(con)
        summary = MeasureSummary()
        keyed = [(f, cfg, config_key(f.name, cfg)) for f, cfg in requests]
        for f, _, key in keyed:
            summary.keys.setdefault(f.name, []).append(key)
        todo: dict[str, list[tuple[str, dict, str]]] = {}
        sizes: dict[str, int] = {}
        for family, cfg, key in keyed:
            rows = con.execute(
                "SELECT r.recording_id, r.n_segments, l.recording_id IS NOT NULL FROM recordings r "
                "LEFT JOIN measure_log l ON l.recording_id = r.recording_id "
                "AND l.family = ? AND l.config_key = ? AND l.content_hash = r.content_hash "
                "ORDER BY r.recording_id",
                [family.name, key],
            ).fetchall()
            for rid, n, done in rows:
                if done:
                    summary.up_to_date += 1
                else:
                    todo.setdefault(rid, []).append((family, cfg, key))
                    sizes[rid] = n
        if on_plan is not None:
            on_plan(len(todo))
        tasks = _tasks(con, todo, sizes)
        for results in run_tasks(compute_chunk, tasks, jobs=jobs, dask=dask):
            _write(con, results, summary, families)
            if on_chunk is not None:
                on_chunk(len({r[0] for r in results}), sum(r[6] for r in results))
        return summary


def _tasks(con, todo: dict[str, list], sizes: dict[str, int]):
    """Chunks of recordings (payloads read from the store lazily, one chunk at a time)."""
    chunk: list[str] = []
    total = 0
    for rid in todo:
        if chunk and (len(chunk) >= CHUNK_RECORDINGS or total + sizes[rid] > CHUNK_SEGMENTS):
            yield ([(m, f, todo[m["recording_id"]]) for m, f in rebuild.fetch(con, chunk)],)
            chunk, total = [], 0
        chunk.append(rid)
        total += sizes[rid]
    if chunk:
        yield ([(m, f, todo[m["recording_id"]]) for m, f in rebuild.fetch(con, chunk)],)


def compute_chunk(payload: list[tuple[dict, pl.DataFrame, list]]) -> list[tuple]:
    """Worker task: every requested family and configuration for each recording of a chunk.

    Returns ``(recording_id, content_hash, family, key, config, tables or error, n_segments)``.
    Families travel with the payload, so a family registered in the parent process (a lab's own
    measure) runs in workers too.
    """
    out = []
    for meta, segments, wanted in payload:
        rec = rebuild.recording(meta, segments)
        for family, cfg, key in wanted:
            ensure(family)
            try:
                tables: Any = rows(family, rec, cfg)
            except Exception as exc:  # recorded and reported, the run goes on
                tables = f"{rec.path}: {family.name}: {type(exc).__name__}: {exc}"
            out.append(
                (rec.id, meta["content_hash"], family.name, key, cfg, tables, segments.height)
            )
    return out


def _write(con, results: list[tuple], summary: MeasureSummary, families: list[Family]) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    columns = {table: schema for f in families for table, schema in schemas(f).items()}
    frames: dict[str, list[pl.DataFrame]] = {}
    log = []
    for rid, digest, name, key, cfg, tables, _ in results:
        if isinstance(tables, str):
            summary.failed.append(tables)
            continue
        summary.computed += 1
        log.append((name, key, rid, digest, json.dumps(jsonable(cfg), sort_keys=True), now))
        for table, frame in tables.items():
            frames.setdefault(table, []).append(
                frame.select(
                    pl.lit(rid, pl.String).alias("recording_id"),
                    pl.lit(key, pl.String).alias("config_key"),
                    *[pl.col(c).cast(t) for c, t in columns[table].items()],
                )
            )
    con.execute("BEGIN")
    try:
        done = [(row[2], row[1]) for row in log]
        if done:
            pairs = pl.DataFrame(done, schema=["recording_id", "config_key"], orient="row")
            con.register("_done", pairs)
            for table in [*columns, "measure_log"]:
                con.execute(
                    f"DELETE FROM {table} t USING _done d "
                    "WHERE t.recording_id = d.recording_id AND t.config_key = d.config_key"
                )
            con.unregister("_done")
        for table, parts in frames.items():
            insert_frame(con, table, pl.concat(parts))
        if log:
            con.executemany("INSERT INTO measure_log VALUES (?, ?, ?, ?, ?, ?)", log)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _drop_orphans(con: duckdb.DuckDBPyConnection) -> None:
    """Results of recordings that are gone from the store (a changed file's old ids)."""
    tables = [
        t
        for (t,) in con.execute(
            "SELECT DISTINCT table_name FROM duckdb_columns() WHERE column_name = 'config_key'"
        ).fetchall()
    ]
    con.execute("BEGIN")
    for table in [*tables, "measure_log"]:
        con.execute(
            f"DELETE FROM {table} WHERE recording_id NOT IN (SELECT recording_id FROM recordings)"
        )
    con.execute("COMMIT")


def export_results(
    db: str, keys: dict[str, list[str]], out: str, families: list[Family]
) -> list[str]:
    """Write each result table of ``families`` (rows of the configurations ``keys``) joined with
    the recordings' path, format and child age: the first table to ``out``, the others next to it
    as ``<stem>_<table><suffix>``. CSV or Parquet by suffix; nested values are JSON text."""
    from pathlib import Path

    target = Path(out)
    if target.suffix.lower() not in (".csv", ".parquet"):
        raise ParameterError(f"{out}: --out must end in .csv or .parquet")
    written = []
    with guarded(db), closing(open_store(db, read_only=True)) as con:
        first = True
        for family in families:
            for table in schemas(family):
                frame = con.sql(
                    f"SELECT r.path, r.format, r.child_age_days, t.* FROM {table} t "
                    "JOIN recordings r USING (recording_id) WHERE t.config_key IN "
                    "(SELECT unnest($keys)) ORDER BY ALL",
                    params={"keys": keys.get(family.name, [])},
                ).pl()
                path = (
                    target if first else target.with_name(f"{target.stem}_{table}{target.suffix}")
                )
                first = False
                with atomic(check_file(path, [db])) as temp:
                    if target.suffix.lower() == ".csv":
                        frame.write_csv(temp)
                    else:
                        frame.write_parquet(temp, compression="zstd")
                written.append(str(path))
    return written
