"""The corpus store: what ingest writes, re-runs, changed and bad files, privacy, Parquet
round trip, and refusing files that are not a store."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from attunement.corpus import StoreBusy, StoreError, export_store, import_store, ingest, open_store
from attunement.corpus.rebuild import fetch, recording
from attunement.io import read_file
from tests.conftest import REAL, need
from tests.corpus_helpers import corpus_app, make_days, query

BRENT = REAL / "chat" / "brent-corpus"
BRENT_FILES = ("c1/c1-0902.cha", "c1/c1-0917.cha", "c1/c1-0930.cha")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    make_days(folder, 4)
    (folder / "sub").mkdir()
    (folder / "sub" / "empty.cha").write_text("")
    (folder / "sub" / "broken.csv").write_text("a,b\n1,2\n")
    (folder / "notes.txt").write_text("not a recording")
    return folder


def test_ingest_stores_every_file_once_with_whole_recordings(tmp_path, corpus):
    db = tmp_path / "c.duckdb"
    summary = ingest([corpus], db, jobs=1)
    assert len(summary.stored) == 4 and summary.segments == 4 * 400
    assert sorted(Path(f.path).name for f in summary.failed) == ["broken.csv", "empty.cha"]
    assert [p.name for p in summary.unsupported] == ["notes.txt"]
    rows = query(
        db,
        "SELECT r.recording_id, r.format, r.n_segments, count(s.seq), length(r.content_hash) "
        "FROM recordings r JOIN segments s USING (recording_id) GROUP BY ALL ORDER BY 1",
    )
    assert rows == [(f"day{i:03d}", "table", 400, 400, len("blake2b-") + 32) for i in range(4)]
    failures = dict(query(db, "SELECT regexp_extract(path, '[^/]+$'), problem FROM failures"))
    assert failures == {
        "empty.cha": "the file is empty",
        "broken.csv": "no 'segment_onset' column among the 2 column(s)",
    }


def test_segments_come_back_exactly_as_read(tmp_path, corpus):
    db = tmp_path / "c.duckdb"
    its = need(REAL / "lena" / "test.its")
    ingest([corpus, its], db, jobs=1)
    con = open_store(db, read_only=True)
    try:
        stored = {m["recording_id"]: recording(m, f) for m, f in fetch(con, ["day002", "test"])}
    finally:
        con.close()
    for rid, path in (("day002", corpus / "day002.csv"), ("test", its)):
        original = read_file(path)[0]
        assert stored[rid].segments.equals(original.segments)
        assert stored[rid].segments.schema == original.segments.schema
        assert stored[rid].extra == json.loads(json.dumps(original.extra, default=str))
        assert stored[rid].duration_ms == original.duration_ms
        assert stored[rid].start == original.start


def test_rerun_is_idempotent_and_a_changed_file_replaces_its_rows(tmp_path, corpus):
    db = tmp_path / "c.duckdb"
    ingest([corpus], db, jobs=1)
    before = query(db, "SELECT recording_id, content_hash, ingested_at FROM recordings ORDER BY 1")
    again = ingest([corpus], db, jobs=1)
    assert again.stored == [] and len(again.present) == 4 and len(again.failed) == 2
    assert (
        query(db, "SELECT recording_id, content_hash, ingested_at FROM recordings ORDER BY 1")
        == before
    )
    # change one file (fewer rows) and fix the broken one
    pl.read_csv(corpus / "day001.csv").head(100).write_csv(corpus / "day001.csv")
    shutil.copy(corpus / "day003.csv", corpus / "sub" / "broken.csv")
    third = ingest([corpus], db, jobs=1)
    assert sorted(Path(p).name for p in third.stored) == ["day001.csv"]
    assert [Path(p).name for p in third.present].count("broken.csv") == 1  # same bytes as day003
    assert [Path(f.path).name for f in third.failed] == ["empty.cha"]
    assert query(
        db,
        "SELECT n_segments, (SELECT count(*) FROM segments WHERE recording_id = "
        "'day001') FROM recordings WHERE recording_id = 'day001'",
    ) == [(100, 100)]
    assert query(db, "SELECT count(*) FROM recordings") == [(4,)]


def test_a_fixed_file_replaces_its_failure_row(tmp_path, corpus):
    db = tmp_path / "c.duckdb"
    ingest([corpus], db, jobs=1)
    make_days(tmp_path / "other", 6)
    shutil.copy(tmp_path / "other" / "day005.csv", corpus / "sub" / "broken.csv")
    summary = ingest([corpus], db, jobs=1)
    assert [Path(p).name for p in summary.stored] == ["broken.csv"]
    assert query(db, "SELECT regexp_extract(path, '[^/]+$') FROM failures") == [("empty.cha",)]
    assert query(db, "SELECT n_segments FROM recordings WHERE recording_id = 'broken'") == [(400,)]


def test_real_files_and_bad_cases(tmp_path):
    files = [need(BRENT / f) for f in BRENT_FILES] + [need(REAL / "lena" / "test.its")]
    bad = tmp_path / "bad.its"
    bad.write_text("<ITS><ProcessingUnit><Recording")
    db = tmp_path / "c.duckdb"
    summary = ingest([*files, bad], db, jobs=1)
    assert len(summary.stored) == 4 and [Path(f.path).name for f in summary.failed] == ["bad.its"]
    rows = query(
        db,
        "SELECT recording_id, format, child_age_days, n_segments, "
        "(SELECT count(*) FROM segments s WHERE s.recording_id = r.recording_id) "
        "FROM recordings r ORDER BY 1",
    )
    for (rid, fmt, age, n, counted), path in zip(rows, files, strict=True):
        original = read_file(path)[0]
        assert (rid, fmt, age, n) == (
            original.id,
            original.format,
            original.child_age_days,
            original.segments.height,
        )
        assert counted == n
    assert query(db, "SELECT line IS NOT NULL, problem <> '' FROM failures") == [(True, True)]


def test_every_real_recording_format_goes_into_one_store(tmp_path):
    """Readers add different extra columns (RTTM's confidence is empty in one file and numeric in
    another): all files are stored, each recording whole."""
    folders = [need(REAL / "lena"), need(REAL / "rttm"), need(REAL / "elan")]
    db = tmp_path / "c.duckdb"
    summary = ingest(folders, db, jobs=1)
    assert summary.failed == []
    read = [rec for path in summary.stored for rec in read_file(path)]
    assert len(summary.stored) == 6 and summary.recordings == len(read) == 6
    assert summary.segments == sum(rec.segments.height for rec in read) == 45_585
    mismatched = query(
        db,
        "SELECT count(*) FROM recordings r WHERE n_segments <> "
        "(SELECT count(*) FROM segments s WHERE s.recording_id = r.recording_id)",
    )
    assert mismatched == [(0,)]


def test_no_words_leaves_no_text_anywhere(tmp_path):
    cha = need(BRENT / BRENT_FILES[0])
    words = read_file(cha)[0].segments["text"].drop_nulls()
    word = max(" ".join(words.to_list()).split(), key=len)
    db = tmp_path / "c.duckdb"
    result = CliRunner().invoke(
        corpus_app(), ["ingest", str(cha), "--db", str(db), "--no-words", "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT count(*) FROM segments WHERE text IS NOT NULL") == [(0,)]
    export_store(db, tmp_path / "export")
    con = duckdb.connect()
    for parquet in (tmp_path / "export").glob("*.parquet"):
        dump = con.sql(f"SELECT * FROM '{parquet}'").pl().write_csv()
        assert word not in dump, parquet.name
    assert word.encode() not in db.read_bytes()


def test_parquet_export_import_round_trip_is_exact(tmp_path, corpus):
    db = tmp_path / "c.duckdb"
    ingest([corpus, need(REAL / "lena" / "test.its")], db, jobs=1)
    app = corpus_app()
    assert (
        CliRunner()
        .invoke(
            app,
            ["measure", "turns:n_resamples=5", "sequential", "--db", str(db), "--jobs", "1"],
        )
        .exit_code
        == 0
    )
    result = CliRunner().invoke(app, ["ingest", "--db", str(db), "--export", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    copy = tmp_path / "copy.duckdb"
    result = CliRunner().invoke(app, ["ingest", "--db", str(copy), "--import", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    a, b = duckdb.connect(str(db), read_only=True), duckdb.connect(str(copy), read_only=True)
    for table in (
        "recordings",
        "segments",
        "failures",
        "turns",
        "turns_bins",
        "sequential",
        "measure_log",
    ):
        left = a.sql(f"SELECT * FROM {table} ORDER BY ALL").pl()
        right = b.sql(f"SELECT * FROM {table} ORDER BY ALL").pl()
        assert left.height > 0 and left.equals(right), table
        assert left.schema == right.schema, table
    a.close()
    b.close()
    assert import_store(copy, tmp_path / "x") == {
        "recordings": 0,
        "measure_log": 0,
        "segments": 0,
        "sequential": 0,
        "sequential_cells": 0,
        "turns": 0,
        "turns_bins": 0,
        "failures": 0,
    }


@pytest.mark.parametrize("kind", ["random", "sqlite", "foreign-duckdb"])
def test_a_file_that_is_not_a_store_is_refused_untouched(tmp_path, kind):
    db = tmp_path / "x.db"
    if kind == "random":
        db.write_bytes(bytes(range(256)) * 40)
    elif kind == "sqlite":
        with sqlite3.connect(db) as lite:
            lite.execute("CREATE TABLE t (x)")
    else:
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE customers (id INTEGER)")
        con.close()
    before = db.read_bytes()
    make_days(tmp_path / "f", 1)
    for args in (["ingest", str(tmp_path / "f"), "--db", str(db)], ["measure", "--db", str(db)]):
        result = CliRunner().invoke(corpus_app(), args)
        assert result.exit_code == 2
        said = " ".join(result.output.split())
        assert str(db) in said and "not a corpus store" in said
    assert db.read_bytes() == before
    with pytest.raises(StoreError, match=r"x\.db"):
        open_store(db)


def test_readers_are_refused_while_a_writer_holds_the_store(tmp_path, corpus):
    db = tmp_path / "c.duckdb"
    ingest([corpus], db, jobs=1)
    writer = open_store(db)
    try:
        import subprocess
        import sys

        probe = (
            "import sys\nfrom attunement.corpus import open_store, StoreBusy\n"
            f"try:\n    open_store({str(db)!r}, read_only=True)\n"
            "except StoreBusy as e:\n    print('busy', e)\n"
        )
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        assert done.stdout.startswith("busy") and str(db) in done.stdout
    finally:
        writer.close()
    reader = open_store(db, read_only=True)  # free again: a consistent, committed view
    try:
        assert reader.execute("SELECT count(*) FROM recordings").fetchall() == [(4,)]
    finally:
        reader.close()
    assert StoreBusy.__mro__[1] is StoreError
