"""One store entry per file whatever the writers do; a damaged store is one line and exit 2 from
every command; a FIFO never blocks ingest or inspect."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import REAL, need
from tests.corpus_helpers import make_days, query

CLI = [sys.executable, "-m", "attunement"]


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_two_ingests_at_once_under_two_spellings_store_each_file_once(tmp_path):
    """The Brent corpus (179 transcripts) through a symbolic link and through its target, by two
    processes at once, three times: the store's unique index lets each file in once."""
    target = need(REAL / "chat/brent-corpus")
    link = tmp_path / "brent-link"
    link.symlink_to(target, target_is_directory=True)
    n_files = sum(1 for p in target.rglob("*.cha") if p.is_file())
    for run in range(3):
        db = tmp_path / f"run{run}.duckdb"
        procs = [
            subprocess.Popen(
                [*CLI, "ingest", str(spelling), "--db", str(db)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for spelling in (link, target)
        ]
        outputs = [p.communicate(timeout=600) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outputs
        stored = [int(out.split()[0]) for out, _ in outputs]  # "N file(s) stored ..."
        assert sum(stored) == n_files, outputs  # the rest: "skipped as already present"
        rows = query(
            db,
            "SELECT count(*), count(DISTINCT content_hash), count(DISTINCT path), "
            "count(*) FILTER (WHERE recording_id LIKE '%~%'), sum(n_segments), "
            "(SELECT count(*) FROM segments) FROM recordings",
        )
        recordings, hashes, paths, renamed, declared, segments = rows[0]
        assert (recordings, hashes, paths, renamed) == (n_files, n_files, n_files, 0), run
        assert declared == segments
        assert not query(db, f"SELECT path FROM recordings WHERE path LIKE '{link}%'")


def _unreadable(db) -> bool:
    """Whether reading every table of the store ``db`` fails (DuckDB checks block checksums)."""
    try:
        con = duckdb.connect(str(db), read_only=True)
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            con.execute(f'SELECT * FROM "{table}"').fetchall()
        con.close()
    except duckdb.Error:
        return True
    return False


BLOCK, HEADER = 256 * 1024, 3 * 4096  # DuckDB's block size and file header


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """A store of 12 generated days with measures, and three damaged copies of it: cut to half
    its length, random bytes over its middle third, and 64 random bytes in the used block
    nearest the middle."""
    folder = tmp_path_factory.mktemp("damaged")
    files = make_days(folder / "days", 12, segments=3000, hours=1)
    db = folder / "good.duckdb"
    assert _run("ingest", str(folder / "days"), "--db", str(db)).returncode == 0
    assert _run("measure", "turns:n_resamples=0", "--db", str(db)).returncode == 0
    size = db.stat().st_size
    cut = folder / "truncated.duckdb"
    shutil.copy(db, cut)
    os.truncate(cut, size // 2)
    noise = folder / "overwritten.duckdb"
    shutil.copy(db, noise)
    with open(noise, "r+b") as handle:
        handle.seek(size // 3)
        handle.write(random.Random(20).randbytes(size // 3))
    block = folder / "block.duckdb"
    blocks = (size - HEADER) // BLOCK
    for k in sorted(range(blocks), key=lambda k: abs(k - blocks // 2)):
        shutil.copy(db, block)
        with open(block, "r+b") as handle:
            handle.seek(HEADER + k * BLOCK + 4096)
            handle.write(random.Random(k).randbytes(64))
        if _unreadable(block):  # a block in use, not a free one
            break
    damaged = {"truncated": cut, "overwritten": noise, "block": block}
    assert all(_unreadable(copy) for copy in damaged.values())  # the damage is real
    return files[0], damaged


@pytest.mark.parametrize("damage", ["truncated", "overwritten", "block"])
@pytest.mark.parametrize("command", ["ingest", "measure", "report", "export"])
def test_a_damaged_store_is_one_line_and_exit_2(damaged, damage, command, tmp_path):
    one_file, stores = damaged
    db = tmp_path / "store.duckdb"
    shutil.copy(stores[damage], db)
    before = db.read_bytes()
    args = {
        "ingest": ["ingest", str(one_file), "--db", str(db)],
        "measure": ["measure", "--db", str(db)],
        "report": ["report", "--db", str(db), "-o", str(tmp_path / "r.html")],
        "export": ["ingest", "--db", str(db), "--export", str(tmp_path / "export")],
    }[command]
    done = _run(*args, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"error: {db}: the store is damaged: "), lines
    assert "restore it from its Parquet export" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    assert "skipped as already present" not in done.stdout
    assert db.read_bytes() == before  # nothing written to a damaged store


def test_a_fifo_is_refused_promptly_by_ingest_and_inspect(tmp_path):
    fifo = tmp_path / "pipe.cha"
    os.mkfifo(fifo)
    for args in (["inspect", str(fifo)], ["ingest", str(fifo), "--db", str(tmp_path / "s.duckdb")]):
        done = _run(*args, timeout=60)  # a FIFO opened for reading would wait for a writer
        assert done.returncode in (1, 2), done
        named = [line for line in done.stderr.splitlines() if str(fifo.name) in line]
        assert len(named) == 1 and "not a regular file" in named[0], done.stderr
        assert "Traceback" not in done.stderr


def test_a_store_made_before_file_index_gets_it_when_next_written(tmp_path):
    from attunement.corpus import ingest

    files = make_days(tmp_path / "days", 3, segments=50)
    db = tmp_path / "old.duckdb"
    ingest(files[:2], db, jobs=1)
    con = duckdb.connect(str(db))  # as the store was before: no file_index, no unique indexes
    con.execute("DROP INDEX recordings_file")
    con.execute("DROP INDEX failures_path")
    con.execute("ALTER TABLE recordings DROP COLUMN file_index")
    con.close()
    summary = ingest(files, db, jobs=1)
    assert (len(summary.present), len(summary.stored)) == (2, 1)
    assert query(db, "SELECT count(*), max(file_index) FROM recordings") == [(3, 0)]
    names = {i for (i,) in query(db, "SELECT index_name FROM duckdb_indexes()")}
    assert {"recordings_file", "failures_path"} <= names
