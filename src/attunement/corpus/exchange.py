"""Parquet export and import of a store: one ``<table>.parquet`` per table, zstd-compressed.

The export is written inside one read transaction, so it is a consistent snapshot that readers
(dashboards, notebooks, other tools) can open at any time, also while a writer holds the store.
Import merges an export into a store: recordings whose content hash or id the store already
holds are skipped, with their segments and results; failures of paths the store does not know
are added. It runs in one transaction.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import duckdb

from attunement.corpus import dataset as dataset_tables
from attunement.corpus.ingest import insert_frame
from attunement.corpus.measure import ensure_tables
from attunement.corpus.results import schemas
from attunement.corpus.store import guarded, open_store
from attunement.errors import ReadError
from attunement.measures.registry import families as registered
from attunement.outputs import atomic, make_folder

DATA_TABLES = ("recordings", "segments", "failures")


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    return [t for t in names if t != "store_info"]


def export_store(db: str | Path, folder: str | Path) -> list[Path]:
    """Write every table of the store to ``folder`` (created if needed, its parent must exist),
    each file renamed into place when complete; returns the files."""
    folder = make_folder(folder)
    written = []
    with guarded(db), closing(open_store(db, read_only=True)) as con:
        con.execute("BEGIN")
        for table in _tables(con):
            order = {"segments": "recording_id, seq", "recordings": "recording_id"}.get(table)
            query = f"SELECT * FROM {table}" + (f" ORDER BY {order}" if order else "")
            target = folder / f"{table}.parquet"
            with atomic(target) as temp:
                con.execute(
                    f"COPY ({query}) TO '{_literal(temp)}' (FORMAT parquet, COMPRESSION zstd)"
                )
            written.append(target)
        con.execute("COMMIT")
    return written


def import_store(db: str | Path, folder: str | Path) -> dict[str, int]:
    """Merge the export in ``folder`` into the store ``db``; returns rows added per table."""
    folder = Path(folder)
    missing = [t for t in DATA_TABLES if not (folder / f"{t}.parquet").is_file()]
    if missing:
        raise ReadError(
            folder, f"not a store export (missing {', '.join(t + '.parquet' for t in missing)})"
        )
    with guarded(db), closing(open_store(db, verify=True)) as con:
        con.execute("BEGIN")
        try:
            added = _merge(con, folder)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return added


def _merge(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """The rows of the export in ``folder`` that the store lacks, added; rows added per table."""
    added: dict[str, int] = {}
    exported = {p.stem for p in folder.glob("*.parquet")}
    families = [f for f in registered() if exported & set(schemas(f))]
    if families or "measure_log" in exported:
        ensure_tables(con, families)
    before = _count(con, "recordings")
    recordings = str(folder / "recordings.parquet")
    columns = [c for c, *_ in con.execute("DESCRIBE FROM read_parquet(?)", [recordings]).fetchall()]
    numbered = (  # an export made before file_index: each file's recordings in id order
        ""
        if "file_index" in columns
        else ", row_number() OVER (PARTITION BY content_hash ORDER BY recording_id) - 1 "
        "AS file_index"
    )
    con.execute(
        f"CREATE TEMP TABLE _new AS SELECT *{numbered} FROM read_parquet(?) WHERE content_hash "
        "NOT IN (SELECT content_hash FROM recordings) AND recording_id NOT IN "
        "(SELECT recording_id FROM recordings)",
        [recordings],
    )
    con.execute("INSERT INTO recordings BY NAME SELECT * FROM _new")
    added["recordings"] = _count(con, "recordings") - before
    for parquet in sorted(folder.glob("*.parquet")):
        table = parquet.stem
        if table in ("recordings", "failures", "store_info", *dataset_tables.TABLES):
            continue
        frame = con.sql(
            "SELECT * FROM read_parquet($p) WHERE recording_id IN (SELECT recording_id FROM _new)",
            params={"p": str(parquet)},
        ).pl()
        if table not in _tables(con):
            con.register("_shape", frame.clear())
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM _shape")
            con.unregister("_shape")
        insert_frame(con, table, frame, add_columns=True)
        added[table] = frame.height
    before = _count(con, "failures")
    con.execute(
        "INSERT INTO failures BY NAME SELECT * FROM read_parquet(?) WHERE path NOT IN "
        "(SELECT path FROM failures) AND path NOT IN (SELECT path FROM recordings)",
        [str(folder / "failures.parquet")],
    )
    added["failures"] = _count(con, "failures") - before
    added |= dataset_tables.merge(con, folder)
    con.execute("DROP TABLE _new")
    return added


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")
