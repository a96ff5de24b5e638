"""Ingest: files into the store, one transaction per file, resumable.

Files are found with ``attunement.io.expand`` (folders recursively), named by their real path
(symbolic links resolved), hashed here (BLAKE2b of the bytes) and compared with the store: a file
whose hash is already stored is skipped, a file that failed before with the same hash is not read
again (its failure stays listed), anything else is read by the workers (``executor``) and written
by this process, the store's only writer. Each file's recordings, segments and failure row change
in one transaction, so a run killed at any point (even SIGKILL) leaves whole files only, and the
next run goes on where it stopped.

A file is stored once: identical content under another path counts as already present, and when
two ingests run at once on the same files, the store's unique index on (content hash, position in
the file) makes the second writer's transaction fail, which counts as already present too. A file
whose content changed replaces what the store held for its path (recordings, segments, failure).
A recording id already used by another file gets the suffix ``~<8 hex of its path's hash>``.

Privacy: ``keep_text=False`` on a file the store holds with its words is refused before anything
is read (``StoreError``): deleted rows stay in a DuckDB file until their blocks are reused, so the
words cannot be taken out in place; ingest into a new store instead.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from attunement import limits
from attunement.corpus.executor import run_tasks
from attunement.corpus.hashing import content_hash
from attunement.corpus.parse import FileOutcome, read_files
from attunement.corpus.store import guarded, is_damage, open_store
from attunement.errors import ParameterError, ReadError, StoreError
from attunement.io.childproject import Dataset, add_import_list, split

if TYPE_CHECKING:
    from attunement.corpus.dataset import Item
    from attunement.io.entries import DatasetSummary

CHUNK_FILES = 16
CHUNK_BYTES = 32 << 20


@dataclass(frozen=True)
class Failure:
    path: str
    line: int | None
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.problem}"
            if self.line
            else f"{self.path}: {self.problem}"
        )


@dataclass
class IngestSummary:
    """What a run did: files stored, skipped as already present, failed (now or before with the
    same content), files no reader claims, the segments written, and the datasets found
    (``corpus.dataset``: a dataset's recordings count as files here)."""

    stored: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    unsupported: list[Path] = field(default_factory=list)
    recordings: int = 0
    segments: int = 0
    datasets: list[DatasetSummary] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """Files (or a dataset's items, ``corpus.dataset.Item``) to read, with their sizes, and
    what was decided without reading."""

    to_read: list[tuple[str | Item, int]]
    present: list[str]
    known_failures: list[Failure]
    unsupported: list[Path]
    datasets: list[DatasetSummary] = field(default_factory=list)


def plan(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    keep_text: bool = True,
    *,
    prefer: str = "converted",
    annotations: Iterable[str | Path] = (),
) -> Plan:
    """What to read: files outside datasets by content hash, and each dataset found
    (``io.childproject.split``) by its items, after storing its metadata. ``annotations``:
    import lists whose clips are added to the dataset they sit in (or to the only one)."""
    from attunement.corpus.dataset import plan_dataset

    found, files, unsupported = split(list(paths))
    _add_import_lists(found, annotations)
    stored = dict(
        con.execute(
            "SELECT content_hash, bool_or(keep_text) FROM recordings GROUP BY content_hash"
        ).fetchall()
    )
    failed = {
        p: (h, line, problem)
        for p, h, line, problem in con.execute(
            "SELECT path, content_hash, line, problem FROM failures"
        ).fetchall()
    }
    to_read, present, known, with_words = [], [], [], []
    for path in dict.fromkeys(os.path.realpath(f) for f in files):
        digest = content_hash(path)
        if digest and digest in stored:
            present.append(path)
            if stored[digest] and not keep_text:
                with_words.append(path)
        elif digest and path in failed and failed[path][0] == digest:
            known.append(Failure(path, failed[path][1], failed[path][2]))
        else:
            size = Path(path).stat().st_size if Path(path).is_file() else 0
            to_read.append((path, size))
    summaries = []
    for ds in found:
        items, summary = plan_dataset(con, ds, prefer, keep_text)
        summaries.append(summary)
        for item in items:
            if item.digest in stored:
                present.append(item.path)
                if stored[item.digest] and not keep_text:
                    with_words.append(item.path)
            elif item.path in failed and failed[item.path][0] == item.digest:
                known.append(Failure(item.path, failed[item.path][1], failed[item.path][2]))
            else:
                to_read.append((item, item.size))
    if with_words:
        raise StoreError(
            f"{len(with_words)} file(s) are stored with their words (first: {with_words[0]}); "
            "--no-words cannot take words out of a store in place (DuckDB keeps deleted rows in "
            "the file): ingest with --no-words into a new store"
        )
    return Plan(to_read, present, known, unsupported, summaries)


def _add_import_lists(found: list[Dataset], annotations: Iterable[str | Path]) -> None:
    """Add each import list to the dataset it sits in, or to the only dataset found."""
    for listed in map(Path, annotations):
        real = Path(os.path.realpath(listed))
        home = [d for d in found if real.is_relative_to(d.root)]
        if not home and len(found) == 1:
            home = found
        if len(home) != 1:
            raise ParameterError(
                f"{listed}: --annotations needs the dataset it belongs to: give the dataset's "
                "folder and an import list inside it (or a single dataset)"
            )
        add_import_list(home[0], listed)


def chunks(files: list[tuple[str, int]]) -> list[list[str]]:
    """Consecutive files grouped up to ``CHUNK_FILES`` files or ``CHUNK_BYTES`` bytes."""
    out: list[list[str]] = []
    size = 0
    for path, n in files:
        if not out or len(out[-1]) >= CHUNK_FILES or size + n > CHUNK_BYTES:
            out.append([])
            size = 0
        out[-1].append(path)
        size += n
    return out


def ingest(
    paths: Iterable[str | Path],
    db: str | Path,
    *,
    jobs: int | None = None,
    dask: str | None = None,
    roles: Mapping[str, str] | None = None,
    keep_text: bool = True,
    on_plan: Callable[[Plan], None] | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    release_every: float = 2.0,
    prefer: str = "converted",
    annotations: Iterable[str | Path] = (),
) -> IngestSummary:
    """Read every supported file under ``paths`` into the store ``db`` (see module docstring).

    ``roles`` overrides the readers' role maps; ``keep_text=False`` stores no transcript text.
    ``on_plan`` sees the plan before reading starts, ``on_file`` each file once it is committed.
    ``release_every``: seconds after which the writer lets readers in between two commits.
    A dataset among ``paths`` (``corpus.dataset``) is stored with its metadata: ``prefer``
    (``converted`` or ``raw``) chooses which of a clip's twin files is read, ``annotations``
    adds import lists to its annotation index.
    """
    with guarded(db), closing(Writer(db, hold_s=release_every)) as writer:
        work = plan(writer.connection(), paths, keep_text, prefer=prefer, annotations=annotations)
        writer.close()  # the store is free while the first files are read
        if on_plan is not None:
            on_plan(work)
        summary = IngestSummary(
            present=work.present,
            failed=list(work.known_failures),
            unsupported=work.unsupported,
            datasets=work.datasets,
        )
        role_map = dict(roles) if roles is not None else None
        tasks = [(chunk, role_map, keep_text, limits.current()) for chunk in chunks(work.to_read)]
        for outcomes in run_tasks(read_files, tasks, jobs=jobs, dask=dask):
            for outcome in outcomes:
                outcome, stored = _store(writer.connection(), outcome)
                if not stored:  # another writer stored this file first
                    summary.present.append(outcome.path)
                elif outcome.error is not None:
                    e = outcome.error
                    summary.failed.append(Failure(outcome.path, e.line, e.problem))
                else:
                    summary.stored.append(outcome.path)
                    summary.recordings += len(outcome.recordings)
                    summary.segments += outcome.n_segments
                if on_file is not None:
                    on_file(outcome)
                writer.let_go_if_due()
        summary.failed.sort(key=lambda f: f.path)
        return summary


def _store(con: duckdb.DuckDBPyConnection, outcome: FileOutcome) -> tuple[FileOutcome, bool]:
    """``write`` one file; one the store cannot take (a column type clash) becomes its failure,
    so the file fails, not the run. DuckDB's message is left out: it may quote a value."""
    try:
        return outcome, write(con, outcome)
    except duckdb.Error as exc:
        if is_damage(exc):
            raise
        problem = ReadError(
            outcome.path,
            f"could not be stored ({type(exc).__name__}): a column holds values of another type "
            "than the store's column of that name",
        )
        failed = FileOutcome(outcome.path, outcome.content_hash, [], None, problem)
        return failed, write(con, failed)


FIRST_WAIT_S = 30.0  # a store busy this long at the start is another writer's: say so
HANDOFF_S = 0.05  # after letting go, a pause in which a process waiting for the store gets in


class Writer:
    """The ingest's one read-write connection, let go between commits at least every ``hold_s``
    seconds so that readers waiting for the lock get a consistent view during a long run (see
    ``store``). Reopening waits up to ``wait_s`` for readers to finish. Letting go costs a
    checkpoint, which DuckDB would write anyway: 200 synthetic days (10 M segments) took 18.4 s
    letting go every 2 s and 18.2 s never letting go (runs on one idle machine vary by ~2 s)."""

    def __init__(self, db: str | Path, hold_s: float = 2.0, wait_s: float = 60.0) -> None:
        self.db, self.hold_s, self.wait_s = db, hold_s, wait_s
        self._con: duckdb.DuckDBPyConnection | None = open_store(
            db, wait_s=FIRST_WAIT_S, verify=True
        )
        self._opened = time.monotonic()

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = open_store(self.db, wait_s=self.wait_s)
            self._opened = time.monotonic()
        return self._con

    def let_go_if_due(self) -> None:
        if self._con is not None and time.monotonic() - self._opened >= self.hold_s:
            self.close()
            time.sleep(HANDOFF_S)  # else this process takes the store back before they poll

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def write(con: duckdb.DuckDBPyConnection, outcome: FileOutcome) -> bool:
    """Replace what the store holds for this file's path with another content, in one
    transaction; False (nothing changed) when the store already holds this content."""
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN")
    try:
        _forget(con, outcome.path, outcome.content_hash)
        if outcome.error is None:
            _insert(con, outcome, now)
        else:
            e = outcome.error
            con.execute(
                "INSERT INTO failures VALUES (?, ?, ?, ?, ?)",
                [outcome.path, outcome.content_hash or None, e.line, e.problem, now],
            )
        con.execute("COMMIT")
    except duckdb.ConstraintException:  # the unique index: another writer stored it first
        con.execute("ROLLBACK")
        return False
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def _forget(con: duckdb.DuckDBPyConnection, path: str, digest: str) -> None:
    """Remove what the store holds for ``path`` with another content than ``digest``. The
    segments table is only touched when the path has such recordings: a DELETE on it scans every
    stored segment, which on a growing store made each new file cost more than the last."""
    query = "SELECT recording_id FROM recordings WHERE path = ? AND content_hash <> ?"
    ids = [i for (i,) in con.execute(query, [path, digest]).fetchall()]
    if ids:
        con.execute("DELETE FROM segments WHERE recording_id IN (SELECT unnest(?))", [ids])
        con.execute("DELETE FROM recordings WHERE recording_id IN (SELECT unnest(?))", [ids])
    con.execute("DELETE FROM failures WHERE path = ?", [path])


def _insert(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, now: datetime) -> None:
    rows = [dict(r) for r in outcome.recordings]
    segments = outcome.segments
    taken = {
        i
        for (i,) in con.execute(
            "SELECT recording_id FROM recordings WHERE recording_id IN (SELECT unnest(?))",
            [[r["recording_id"] for r in rows]],
        ).fetchall()
    }
    if taken:
        suffix = "~" + hashlib.blake2b(outcome.path.encode(), digest_size=4).hexdigest()
        renamed = {i: i + suffix for i in taken}
        for r in rows:
            r["recording_id"] = renamed.get(r["recording_id"], r["recording_id"])
        segments = segments.with_columns(pl.col("recording_id").replace(renamed))
    for r in rows:
        r["ingested_at"] = now
    meta = pl.DataFrame(rows).with_columns(pl.col("ingested_at").cast(pl.Datetime("us")))
    insert_frame(con, "recordings", meta)
    insert_frame(con, "segments", segments, add_columns=True)


def insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, *, add_columns: bool = False
) -> None:
    """Insert ``frame`` by column name through Arrow (no per-row inserts; DuckDB scans the local
    polars frame ``incoming`` by name); with ``add_columns``, columns the table lacks are added
    first with DuckDB's type for them. Columns that are null on every row carry no type and no
    data, so they are left out (they come back absent)."""
    incoming = frame.select([c for c, t in frame.schema.items() if t != pl.Null])  # noqa: F841
    if add_columns:
        known = {
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]
            ).fetchall()
        }
        for column, dtype, *_ in con.execute("DESCRIBE SELECT * FROM incoming").fetchall():
            if column not in known:
                con.execute(f"ALTER TABLE {table} ADD COLUMN {_q(column)} {dtype}")
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
