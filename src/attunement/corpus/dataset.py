"""A dataset in the store: its children, recordings, annotation sets and clips, and its
recordings as ingest work.

Tables (created when a first dataset is ingested; ``dataset`` is its folder's real path):

- ``datasets``: ``layout`` (``childproject`` or ``folder``), which columns of
  ``children.csv`` / ``recordings.csv`` are confidential (JSON lists: the columns ChildProject's
  ``metadata/children/`` and ``metadata/recordings/`` files hold), ``warnings`` (JSON);
- ``children``: ``child_id``, ``child_dob``, ``discard``, ``metadata`` (JSON: every other column);
- ``dataset_recordings``: ``recording_filename``, ``child_id``, ``session_id``, ``date_iso``,
  ``start_time``, ``duration_ms``, ``discard``, ``metadata`` (JSON: every other column);
- ``annotation_sets``: ``set`` and its ``metannots`` (JSON);
- ``clips``: one row per annotation of the index (set, recording, range, ``time_seek``,
  ``raw_filename``, ``format``, ``filter``) with where it was read from (``source``:
  ``converted`` or ``raw``, ``file``), its ``status`` (``read``, ``missing``, ``discarded``), the
  ``problem`` when missing, and ``path``, the store recording it belongs to
  (``recordings.path``).

Every ingest of a dataset replaces its rows in these tables, in one transaction, and removes
the stored recordings of the dataset that it no longer holds. Values are stored merged with the
confidential files (ages need a confidential date of birth); exports leave confidential
columns out unless asked. With ``keep_text=False`` a row keeps only what
``io.childproject.private_row`` allows.

Work items (``Item``): a ChildProject dataset gives one per recording and set
(``io.entries.Entry``), a plain folder one per file (its ``Link``). An item's ``digest`` hashes
its files' bytes with the metadata that applies to it, so a changed ``children.csv`` re-links what
it changes, and an unchanged item is skipped like an unchanged file.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from attunement.corpus.hashing import content_hash
from attunement.corpus.ingest import insert_frame
from attunement.corpus.parse import FileOutcome, _metadata, _segments
from attunement.errors import ReadError
from attunement.io.childproject import Dataset, Row, date_of, discarded, private_row
from attunement.io.entries import (
    DatasetSummary,
    Entry,
    Plan,
    Source,
    file_link,
    is_metadata,
    plan,
    read_entry,
    summarise,
)
from attunement.io.linking import Link
from attunement.limits import Limits
from attunement.recording import Recording

DDL = (
    """CREATE TABLE IF NOT EXISTS datasets (dataset VARCHAR NOT NULL, layout VARCHAR NOT NULL,
        confidential_children VARCHAR, confidential_recordings VARCHAR, warnings VARCHAR,
        ingested_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS children (dataset VARCHAR NOT NULL, child_id VARCHAR NOT NULL,
        child_dob DATE, discard BOOLEAN, metadata VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS dataset_recordings (dataset VARCHAR NOT NULL,
        recording_filename VARCHAR NOT NULL, child_id VARCHAR, session_id VARCHAR,
        date_iso DATE, start_time VARCHAR, duration_ms BIGINT, discard BOOLEAN,
        metadata VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS annotation_sets (dataset VARCHAR NOT NULL,
        "set" VARCHAR NOT NULL, metannots VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS clips (dataset VARCHAR NOT NULL, "set" VARCHAR NOT NULL,
        recording_filename VARCHAR NOT NULL, range_onset BIGINT NOT NULL,
        range_offset BIGINT NOT NULL, time_seek BIGINT NOT NULL, raw_filename VARCHAR,
        annotation_filename VARCHAR, format VARCHAR, filter VARCHAR, source VARCHAR,
        file VARCHAR, status VARCHAR NOT NULL, problem VARCHAR, path VARCHAR)""",
)
TABLES = ("datasets", "children", "dataset_recordings", "annotation_sets", "clips")


@dataclass(frozen=True)
class Item:
    """One unit of ingest work from a dataset: an entry (a recording in a set) or a plain
    folder's file with its link. ``path`` is the store's path for it."""

    path: str
    digest: str
    size: int
    entry: Entry | None = None
    link: Link | None = None

    def read(self, roles, keep_text: bool, limits: Limits | None) -> FileOutcome:
        """Read in a worker: the item's recordings and segments, or its failure."""
        from attunement.io import read_file

        try:
            if self.entry is not None:
                recordings = [read_entry(self.entry, roles, keep_text, limits)]
            else:
                found = read_file(self.path, roles=roles, keep_text=keep_text, limits=limits)
                recordings = _linked(found, self.link)
                if not recordings:
                    raise ReadError(self.path, "the file holds no recording")
        except ReadError as exc:
            return FileOutcome(self.path, self.digest, [], None, self._failure(exc))
        except Exception as exc:  # a reader bug must not sink a whole corpus run
            detail = f": {exc}" if keep_text else ""  # the message may quote the file
            problem = f"internal error {type(exc).__name__}{detail} (please report)"
            return FileOutcome(self.path, self.digest, [], None, ReadError(self.path, problem))
        rows = [_row(rec, self.digest, i) for i, rec in enumerate(recordings)]
        frames = [_segments(rec) for rec in recordings]
        segments = frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")
        return FileOutcome(self.path, self.digest, rows, segments)

    def _failure(self, exc: ReadError) -> ReadError:
        """An entry's failure names the file that failed inside the entry."""
        if self.entry is None or exc.path == self.path:
            return exc
        where = Path(exc.path).name + (f":{exc.line}" if exc.line else "")
        return ReadError(self.path, f"{where}: {exc.problem}")


def _linked(recordings: list[Recording], lk: Link | None) -> list[Recording]:
    from dataclasses import replace

    from attunement.io.linking import apply

    if lk is None:
        return recordings
    several = len(recordings) > 1
    return [
        apply(r, replace(lk, recording_name=f"{lk.recording_name}#{r.id}") if several else lk)
        for r in recordings
    ]


def _row(rec: Recording, digest: str, index: int) -> dict:
    extra = {k: v for k, v in rec.extra.items() if k != "link"}
    row = _metadata(rec, digest, index)
    row["extra"] = json.dumps(extra, ensure_ascii=False, default=str)
    row.update(rec.extra.get("link") or {})
    return row


def plan_dataset(
    con: duckdb.DuckDBPyConnection, ds: Dataset, prefer: str, keep_text: bool
) -> tuple[list[Item], DatasetSummary]:
    """Store ``ds``'s metadata (one transaction) and list its items; recordings the store
    holds for this dataset but the dataset no longer gives are removed."""
    from attunement.io import expand

    sources: list[tuple[Source, str]] = []
    items: list[Item] = []
    work = plan(ds, prefer) if ds.layout == "childproject" else Plan()
    for entry in work.entries:
        sources += [(src, entry.path) for src in entry.sources]
        files = [s.path for s in entry.sources]
        size = sum(Path(f).stat().st_size for f in files)
        items.append(Item(entry.path, _digest(asdict(entry), files), size, entry=entry))
    if ds.layout == "folder":
        files, _ = expand(ds.root)
        for f in files:
            if is_metadata(ds, f):
                continue
            lk = file_link(ds, f)
            real = str(Path(os.path.realpath(f)))
            size = Path(real).stat().st_size if Path(real).is_file() else 0
            items.append(Item(real, _digest(asdict(lk), [real]), size, link=lk))
    summary = summarise(ds, work)
    con.execute("BEGIN")
    try:
        for statement in DDL:
            con.execute(statement)
        for table in TABLES:
            con.execute(f"DELETE FROM {table} WHERE dataset = ?", [str(ds.root)])
        _write_metadata(con, ds, keep_text, summary)
        _write_clips(con, ds, sources, work.missing, work.discarded)
        summary.removed = _remove_stale(con, str(ds.root), [i.path for i in items])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return items, summary


def _digest(context: dict, files: list[str]) -> str:
    """BLAKE2b of the item's metadata context and its files' content hashes."""
    text = json.dumps(
        {"context": context, "files": [content_hash(f) for f in files]},
        sort_keys=True,
        default=str,
    )
    return "blake2b-" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _write_metadata(
    con: duckdb.DuckDBPyConnection, ds: Dataset, keep_text: bool, summary: DatasetSummary
) -> None:
    root = str(ds.root)
    dropped = 0

    def kept(row: Row) -> Row:
        nonlocal dropped
        if keep_text:
            return row
        row, n = private_row(row)
        dropped += n
        return row

    children = []
    for child_id, row in ds.children.items():
        row = kept(row)
        rest = {k: v for k, v in row.items() if k not in ("child_id", "child_dob", "discard")}
        children.append(
            {
                "dataset": root,
                "child_id": child_id,
                "child_dob": date_of(row.get("child_dob")),
                "discard": discarded(row),
                "metadata": json.dumps(rest, ensure_ascii=False),
            }
        )
    standard = ("recording_filename", "child_id", "session_id", "date_iso", "start_time")
    recordings = []
    for name, row in ds.recordings.items():
        row = kept(row)
        rest = {k: v for k, v in row.items() if k not in (*standard, "duration", "discard")}
        duration = row.get("duration")
        recordings.append(
            {
                "dataset": root,
                "recording_filename": name,
                "child_id": row.get("child_id"),
                "session_id": row.get("session_id"),
                "date_iso": date_of(row.get("date_iso")),
                "start_time": row.get("start_time"),
                "duration_ms": int(float(duration)) if _number(duration) else None,
                "discard": discarded(row),
                "metadata": json.dumps(rest, ensure_ascii=False),
            }
        )
    if dropped:
        summary.warnings.append(
            f"privacy mode: {dropped} metadata value(s) that are neither ids, numbers, dates nor "
            "codes of a closed vocabulary were not stored"
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    info = {
        "dataset": root,
        "layout": ds.layout,
        "confidential_children": json.dumps(ds.confidential.get("children", [])),
        "confidential_recordings": json.dumps(ds.confidential.get("recordings", [])),
        "warnings": json.dumps(summary.warnings, ensure_ascii=False),
        "ingested_at": now,
    }
    _insert(con, "datasets", [info])
    _insert(con, "children", children)
    _insert(con, "dataset_recordings", recordings)
    sets = [
        {"dataset": root, "set": name, "metannots": json.dumps(meta, default=str)}
        for name, meta in ds.sets.items()
    ]
    _insert(con, "annotation_sets", sets)


def _number(text: str | None) -> bool:
    try:
        return text is not None and float(text) >= 0
    except ValueError:
        return False


def _write_clips(
    con, ds: Dataset, sources: list[tuple[Source, str]], missing: list[Source], skipped
) -> None:
    rows = []
    listed = [("read", s, p) for s, p in sources] + [("missing", s, None) for s in missing]
    for status, src, path in listed:
        rows.append(
            {
                **_clip(ds, src.clip),
                "source": src.kind,
                "file": src.path,
                "status": status,
                "problem": src.problem,
                "path": path,
            }
        )
    rows += [{**_clip(ds, clip), "status": "discarded"} for clip in skipped]
    _insert(con, "clips", rows)


def _clip(ds: Dataset, clip) -> dict:
    return {
        "dataset": str(ds.root),
        "set": clip.set,
        "recording_filename": clip.recording_filename,
        "range_onset": clip.range_onset,
        "range_offset": clip.range_offset,
        "time_seek": clip.time_seek,
        "raw_filename": clip.raw_filename,
        "annotation_filename": clip.annotation_filename,
        "format": clip.format,
        "filter": clip.filter,
    }


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if rows:
        insert_frame(con, table, pl.DataFrame(rows, infer_schema_length=None))


def _remove_stale(con: duckdb.DuckDBPyConnection, root: str, paths: list[str]) -> int:
    """Delete the dataset's stored recordings whose path is not among ``paths``."""
    stale = [
        i
        for (i,) in con.execute(
            "SELECT recording_id FROM recordings WHERE dataset = ? AND path NOT IN "
            "(SELECT unnest(?))",
            [root, paths],
        ).fetchall()
    ]
    if stale:
        con.execute("DELETE FROM segments WHERE recording_id IN (SELECT unnest(?))", [stale])
        con.execute("DELETE FROM recordings WHERE recording_id IN (SELECT unnest(?))", [stale])
    return len(stale)


def merge(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Add the dataset tables of a Parquet export in ``folder`` (``corpus.exchange``): the rows
    of datasets the store does not hold yet; rows added per table."""
    present = [t for t in TABLES if (folder / f"{t}.parquet").is_file()]
    if not present:
        return {}
    for statement in DDL:
        con.execute(statement)
    known = [d for (d,) in con.execute("SELECT DISTINCT dataset FROM datasets").fetchall()]
    added = {}
    for table in present:
        before = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?) "
            "WHERE dataset NOT IN (SELECT unnest(?))",
            [str(folder / f"{table}.parquet"), known],
        )
        added[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] - before
    return added
