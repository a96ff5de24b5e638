"""The corpus report's hourly figure: clock hours only when every recording has a clock time,
else hours from each recording's start; a store mixing both builds a report (issue 13, item 6)."""

from __future__ import annotations

import json
from datetime import datetime

import polars as pl
from typer.testing import CliRunner

from attunement.cli import app
from attunement.report.corpus_hourly import CLOCK_AXIS, ELAPSED_AXIS, hourly_matrix
from tests.conftest import REAL, need
from tests.corpus_helpers import query
from tests.report_helpers import Page

SCHEMA = {
    "recording_id": pl.String,
    "bin_start": pl.Datetime("ms"),
    "elapsed_s": pl.Float64,
    "recorded_s": pl.Float64,
    "turns": pl.Int64,
}
CLOCKED = [  # 09:30-11:00 on the clock: half of the 09:00 bin, all of the 10:00 bin
    ("a", datetime(2024, 1, 1, 9), None, 1800.0, 10),
    ("a", datetime(2024, 1, 1, 10), None, 3600.0, 30),
]
UNCLOCKED = [  # 1.5 h from its start; the third bin has an event but no audio
    ("b", None, 0.0, 3600.0, 12),
    ("b", None, 3600.0, 1800.0, 3),
    ("b", None, 7200.0, 0.0, 0),
]


def _bins(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def test_clock_hours_when_every_recording_has_a_clock():
    ids, hours, matrix, axis = hourly_matrix(_bins(CLOCKED))
    assert (ids, hours, axis) == (["a"], [9, 10], CLOCK_AXIS)
    assert matrix.tolist() == [[20.0, 30.0]]


def test_mixed_bins_count_hours_from_each_start():
    ids, hours, matrix, axis = hourly_matrix(_bins(CLOCKED + UNCLOCKED))
    assert (ids, hours, axis) == (["a", "b"], [0, 1], ELAPSED_AXIS)
    assert matrix.tolist() == [[20.0, 30.0], [12.0, 6.0]]


def test_no_recorded_time_gives_an_empty_matrix():
    ids, hours, matrix, _ = hourly_matrix(_bins(UNCLOCKED[2:]))
    assert (ids, hours, matrix.shape) == ([], [], (0, 0))


def test_brent_files_with_and_without_date_build_a_corpus_report(tmp_path):
    """s3-1209 has no @Date, s3-1112 has one: the date is kept, no midnight start is made up;
    with a LENA file that has a clock time, the report draws hours from each start and says so."""
    folder = REAL / "chat/brent-corpus/s3"
    chat = [need(folder / "s3-1209.cha"), need(folder / "s3-1112.cha")]
    files = [str(p) for p in (*chat, need(REAL / "lena/test.its"))]
    db, out = tmp_path / "c.duckdb", tmp_path / "corpus.html"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", *files, "--db", str(db)]).exit_code == 0
    stored = dict(query(db, "SELECT recording_id, start FROM recordings"))
    assert stored == {"s3-1209": None, "s3-1112": None, "test": "2017-11-07T11:16:13+01:00"}
    (extra,) = query(db, "SELECT extra FROM recordings WHERE recording_id = 's3-1112'")[0]
    assert [d["date"] for d in json.loads(extra)["dates"]] == ["2000-05-22"]
    measured = runner.invoke(app, ["measure", "turns:n_resamples=0", "--db", str(db)])
    assert measured.exit_code == 0, measured.output
    result = runner.invoke(app, ["report", "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = Page(out.read_text(encoding="utf-8"))
    assert page.figures()[0] == "corpus-hourly"
    said = "Not every recording has a clock time, so hours count from each recording's start"
    assert said in page.captions[0]
    bins = query(
        db,
        "SELECT recording_id, bin_start, elapsed_s, turns FROM turns_bins "
        "WHERE bin_minutes = 60 ORDER BY ALL",
    )
    assert bins == [
        ("s3-1112", None, 0.0, 7),
        ("s3-1112", None, 3600.0, 0),
        ("s3-1209", None, 0.0, 0),
        ("s3-1209", None, 3600.0, 0),
        ("test", datetime(2017, 11, 7, 11), None, 0),
    ]
