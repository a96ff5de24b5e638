"""The corpus store: one DuckDB file holding recordings, their segments and measure results.

Tables (created on first use): ``store_info`` (what this file is), ``recordings`` (one row per
recording, ``recording_id`` unique; a recording is the ``file_index``-th of the file whose content
hash it has, and a unique index on the two holds every file once, whatever the writers do;
``keep_text`` says whether it was stored with its words; ``LINK_COLUMNS`` place it in a
dataset: its child, session, annotation set, date), ``segments`` (the segments table of
every recording, keyed by ``recording_id`` and ``seq``, the row's position in the reader's table;
columns a reader adds after the core ones are added to the table as they first appear),
``failures`` (one row per file that could not be read, its path unique) and the measure tables
(see ``attunement.corpus.registry``).

Consistency: DuckDB allows one read-write process per file, and that process holds the file
locked. The ingest and measure runs commit each file (or each chunk of results) in its own
transaction, so whenever the writer is gone the file holds whole files only. An ingest also
lets go of the file at least every ``Writer.hold_s`` seconds, between two commits, so a reader
that waits for the lock (``open_store(read_only=True, wait_s=...)``) gets in during a long run
and sees every file committed so far, whole. Without waiting, ``open_store`` raises
``StoreBusy`` while a writer holds the file. A Parquet export (``attunement ingest --export
DIR``) is a snapshot taken inside one transaction.

Damage: every command opens a store with ``open_store`` and uses it inside ``guarded``, which turn
what DuckDB says of a damaged file (a bad checksum, a truncated file, unreadable metadata) into one
``StoreDamaged`` line. ``open_store(verify=True)`` reads every stored value once (0.4 s for 20 M
segments), so a writer finds damage before it adds to the file.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from attunement import segments as seg
from attunement.errors import StoreBusy, StoreDamaged, StoreError

STORE_FORMAT = "attunement-corpus"
STORE_VERSION = "1"
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
CORE_TABLES = ("store_info", "recordings", "segments", "failures")


def _enum(values: tuple[str, ...]) -> str:
    return "ENUM(" + ", ".join(f"'{v}'" for v in values) + ")"


# a recording's place in a dataset (``io.linking``): null for files read outside one
LINK_COLUMNS = {
    "dataset": "VARCHAR",
    "recording_name": "VARCHAR",
    "annotation_set": "VARCHAR",
    "child_id": "VARCHAR",
    "session_id": "VARCHAR",
    "date": "DATE",
}


DDL = (
    "CREATE TABLE IF NOT EXISTS store_info (key VARCHAR, value VARCHAR)",
    f"""CREATE TABLE IF NOT EXISTS recordings (
        recording_id VARCHAR NOT NULL,
        path VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,
        format VARCHAR NOT NULL,
        duration_ms BIGINT,
        start VARCHAR,
        child_age_days INTEGER,
        participants VARCHAR,
        warnings VARCHAR,
        extra VARCHAR,
        keep_text BOOLEAN NOT NULL,
        n_segments BIGINT NOT NULL,
        ingested_at TIMESTAMP NOT NULL,
        file_index INTEGER NOT NULL,
        {", ".join(f"{c} {t}" for c, t in LINK_COLUMNS.items())}
    )""",
    f"""CREATE TABLE IF NOT EXISTS segments (
        recording_id VARCHAR NOT NULL,
        seq BIGINT NOT NULL,
        segment_onset BIGINT,
        segment_offset BIGINT,
        speaker_type {_enum(seg.SPEAKER_TYPES)},
        speaker_id VARCHAR,
        kind {_enum(seg.KINDS)},
        code VARCHAR,
        words DOUBLE,
        text VARCHAR,
        source_line BIGINT
    )""",
    """CREATE TABLE IF NOT EXISTS failures (
        path VARCHAR NOT NULL,
        content_hash VARCHAR,
        line BIGINT,
        problem VARCHAR NOT NULL,
        failed_at TIMESTAMP NOT NULL
    )""",
)
# one entry per file, enforced by the store: a second writer's insert fails on these
INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS recordings_file ON recordings (content_hash, file_index)",
    "CREATE UNIQUE INDEX IF NOT EXISTS failures_path ON failures (path)",
)


def open_store(
    path: str | Path, *, read_only: bool = False, wait_s: float = 0.0, verify: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (and, when writable and new, create) the store at ``path``.

    Raises ``StoreError`` naming the file when it is not a DuckDB database, when it is a DuckDB
    database holding other tables than a store's, ``StoreDamaged`` when it is damaged (with
    ``verify``, anywhere in its stored values), and ``StoreBusy`` when another process still
    holds it open for writing after ``wait_s`` seconds of retrying. Nothing is written to a file
    that fails these checks.
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return _open(Path(path), read_only, verify)
        except StoreBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(RETRY_S)


DAMAGE_HINT = (
    "restore it from its Parquet export (attunement ingest --import DIR --db NEW.duckdb) or "
    "ingest the files again into a new store"
)


def is_damage(exc: duckdb.Error) -> bool:
    """Whether DuckDB's error says the file is damaged: a bad checksum (a plain ``duckdb.Error``),
    bytes missing, unreadable metadata or catalog."""
    kinds = (
        duckdb.IOException,
        duckdb.SerializationException,
        duckdb.CatalogException,
        duckdb.InternalException,
        duckdb.FatalException,
    )
    return type(exc) is duckdb.Error or isinstance(exc, kinds)


def damaged(path: str | Path, exc: BaseException | str) -> StoreDamaged:
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    return StoreDamaged(f"{path}: the store is damaged: {lines[0]}; {DAMAGE_HINT}")


@contextmanager
def guarded(path: str | Path) -> Iterator[None]:
    """Run a block that uses the store at ``path``; damage DuckDB finds becomes ``StoreDamaged``."""
    try:
        yield
    except duckdb.Error as exc:
        if is_damage(exc):
            raise damaged(path, exc) from None
        raise


RETRY_S = 0.02  # seconds between attempts to take a busy store


def _open(path: Path, read_only: bool, verify: bool) -> duckdb.DuckDBPyConnection:
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a store file")
    exists = path.exists() and path.stat().st_size > 0
    if exists:
        with open(path, "rb") as handle:
            head = handle.read(16)
        if head[8:12] != DUCKDB_MAGIC:
            kind = "an SQLite database" if head.startswith(b"SQLite format 3") else "not DuckDB"
            raise StoreError(f"{path}: not a corpus store ({kind}); give a new or existing store")
    elif read_only:
        raise StoreError(f"{path}: no such store")
    try:
        con = duckdb.connect(
            str(path),
            read_only=read_only,
            config={"autoload_known_extensions": False, "autoinstall_known_extensions": False},
        )
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreBusy(
                f"{path}: another process is writing to this store; read a Parquet export, or "
                "open it when that run has finished"
            ) from None
        raise damaged(path, exc) from None
    except duckdb.Error as exc:
        if is_damage(exc) or "corrupt" in str(exc).lower():
            raise damaged(path, exc) from None
        raise StoreError(f"{path}: not a usable DuckDB database ({exc})") from None
    try:
        with guarded(path):
            _check_or_create(con, path, read_only)
            if verify:
                _verify(con)
    except BaseException:
        con.close()
        raise
    return con


def _verify(con: duckdb.DuckDBPyConnection) -> None:
    """Read every stored value once: DuckDB checks each block's checksum as it reads it."""
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
        con.execute(f'SELECT bit_xor(hash(COLUMNS(*))) FROM "{table}"').fetchall()


def _check_or_create(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if tables:
        info = (
            dict(con.execute("SELECT key, value FROM store_info").fetchall())
            if "store_info" in tables
            else {}
        )
        if info.get("format") != STORE_FORMAT:
            listed = ", ".join(sorted(tables))
            raise StoreError(
                f"{path}: a DuckDB database that is not a corpus store (tables: {listed}); "
                "give a new file or an existing store"
            )
        if info.get("version") != STORE_VERSION:
            raise StoreError(
                f"{path}: store version {info.get('version')!r}; this attunement reads version "
                f"{STORE_VERSION}"
            )
        if not read_only:
            _index(con)
            _links(con)
        return
    if read_only:
        raise StoreError(f"{path}: an empty DuckDB database, not a corpus store")
    con.execute("BEGIN")
    for statement in (*DDL, *INDEXES):
        con.execute(statement)
    con.executemany(
        "INSERT INTO store_info VALUES (?, ?)",
        [("format", STORE_FORMAT), ("version", STORE_VERSION)],
    )
    con.execute("COMMIT")


def _index(con: duckdb.DuckDBPyConnection) -> None:
    """Give a store made before ``file_index`` its column (each file's recordings numbered in
    recording id order) and the unique indexes."""
    if con.execute(
        "SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'recordings_file'"
    ).fetchall()[0][0]:
        return
    con.execute("BEGIN")
    con.execute("ALTER TABLE recordings ADD COLUMN IF NOT EXISTS file_index INTEGER DEFAULT 0")
    con.execute(
        "UPDATE recordings SET file_index = n.i FROM (SELECT recording_id, row_number() OVER "
        "(PARTITION BY content_hash ORDER BY recording_id) - 1 AS i FROM recordings) n "
        "WHERE recordings.recording_id = n.recording_id"
    )
    for statement in INDEXES:
        con.execute(statement)
    con.execute("COMMIT")


def _links(con: duckdb.DuckDBPyConnection) -> None:
    """Give a store made before datasets were linked the ``LINK_COLUMNS`` of ``recordings``."""
    have = {
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'recordings'"
        ).fetchall()
    }
    for column, dtype in LINK_COLUMNS.items():
        if column not in have:
            con.execute(f"ALTER TABLE recordings ADD COLUMN {column} {dtype}")
