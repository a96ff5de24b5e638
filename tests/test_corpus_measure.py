"""Incremental measures over the store: equal to ``attunement.turns`` per recording, computed
once, recomputed only for a changed file or changed parameters, exported per recording/bin."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from attunement.corpus import ingest, measure
from attunement.io import read_file
from attunement.measures.registry import family, request
from attunement.measures.sequential import sequential
from attunement.measures.turns import turns
from tests.coded_examples import STILL_FACE_ICEP_R
from tests.conftest import REAL, need
from tests.corpus_helpers import corpus_app, make_days, query

TURNS = family("turns")


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "files"
    make_days(folder, 3)
    db = tmp_path / "c.duckdb"
    ingest([folder, need(REAL / "lena" / "test.its")], db, jobs=1)
    return folder, db


def test_results_equal_turns_on_each_recording(store):
    folder, db = store
    requests = [(TURNS, TURNS.configure(rule=r, n_resamples=5)) for r in ("lena", "window")]
    measure(str(db), requests, jobs=1)
    paths = [folder / f"day{i:03d}.csv" for i in range(3)] + [REAL / "lena" / "test.its"]
    for path in paths:
        rec = read_file(path)[0]
        for rule in ("lena", "window"):
            expected = turns(rec, rule, n_resamples=5)
            row = pl.DataFrame(
                query(
                    db,
                    f"SELECT turns, turns_per_hour, response_rate, "
                    f"chance_turns, latency_median_s, exchanges, parameters "
                    f"FROM turns WHERE recording_id = '{rec.id}' "
                    f"AND rule = '{rule}'",
                ),
                orient="row",
            ).row(0)
            assert row[:6] == (
                expected.turns,
                expected.turns_per_hour,
                expected.response_rate,
                expected.chance_turns,
                expected.latency_median_s,
                expected.exchanges,
            )
            assert json.loads(row[6]) == expected.parameters
            bins = query(
                db,
                f"SELECT recorded_s, turns, child_units, adult_units FROM "
                f"turns_bins WHERE recording_id = '{rec.id}' AND rule = '{rule}' AND "
                f"bin_minutes = 5 ORDER BY coalesce(bin_start, TIMESTAMP '1970-01-01' "
                f"+ to_seconds(elapsed_s::BIGINT))",
            )
            assert bins == list(
                expected.bins_5min.select(
                    "recorded_s", "turns", "child_units", "adult_units"
                ).iter_rows()
            )


def test_measure_is_incremental(store):
    folder, db = store
    requests = [request("turns:rule=lena,n_resamples=0")]
    first = measure(str(db), requests, jobs=1)
    assert (first.computed, first.up_to_date) == (4, 0)
    stamp = query(db, "SELECT recording_id, computed_at FROM measure_log ORDER BY 1")
    second = measure(str(db), requests, jobs=1)
    assert (second.computed, second.up_to_date) == (0, 4)
    assert query(db, "SELECT recording_id, computed_at FROM measure_log ORDER BY 1") == stamp
    pl.read_csv(folder / "day001.csv").head(150).write_csv(folder / "day001.csv")
    ingest([folder], db, jobs=1)
    third = measure(str(db), requests, jobs=1)
    assert (third.computed, third.up_to_date) == (1, 3)
    changed = query(
        db,
        "SELECT recording_id FROM measure_log l JOIN (VALUES "
        + ", ".join(f"('{r}', TIMESTAMP '{t}')" for r, t in stamp)
        + ") old(rid, t) ON old.rid = l.recording_id WHERE l.computed_at <> old.t",
    )
    assert changed == [("day001",)]
    expected = turns(read_file(folder / "day001.csv")[0], "lena", n_resamples=0).turns
    assert query(db, "SELECT turns FROM turns WHERE recording_id = 'day001'") == [(expected,)]
    other = measure(str(db), [request("turns:n_resamples=0,window_s=2")], jobs=1)
    assert (other.computed, other.up_to_date) == (4, 0)  # new parameters: a new configuration
    assert query(db, "SELECT count(*) FROM turns") == [(8,)]


def test_sequential_family_equals_the_sequential_api(store):
    folder, db = store
    measure(str(db), [request("sequential")], jobs=1)
    rec = read_file(folder / "day002.csv")[0]
    events = rec.segments.filter(
        pl.col("kind") == "vocal", pl.col("speaker_type").is_in(["CHI", "FEM", "MAL", "ADU"])
    ).with_columns(
        code=pl.when(pl.col("speaker_type") == "CHI").then(pl.lit("CHI")).otherwise(pl.lit("ADU"))
    )
    lag = sequential(events, lag=1, codes=["CHI", "ADU"], by="code").lag
    assert query(db, "SELECT n_pairs, g2 FROM sequential WHERE recording_id = 'day002'") == [
        (lag.n_pairs, lag.g2)
    ]
    cells = query(
        db,
        "SELECT given, target, count, yules_q, adjusted_residual FROM sequential_cells "
        "WHERE recording_id = 'day002' ORDER BY given DESC, target DESC",
    )
    assert cells[1] == ("CHI", "ADU", int(lag.frequencies[0, 1]), lag.yules_q[0, 1], cells[1][4])
    assert cells[2][4] == pytest.approx(lag.adjusted_residuals[1, 0])


def test_cli_measure_exports_csv_per_recording_and_per_bin(store, tmp_path):
    _, db = store
    out = tmp_path / "results.csv"
    args = [
        "measure",
        "turns:rule=lena,n_resamples=0",
        "turns:rule=window,n_resamples=0",
        "--db",
        str(db),
        "--out",
        str(out),
        "--jobs",
        "2",
    ]
    result = CliRunner().invoke(corpus_app(), args)
    assert result.exit_code == 0, result.output
    assert "8 result(s) computed" in " ".join(result.output.split())
    per_recording = pl.read_csv(out)
    assert {f.name for f in TURNS.scalars} <= set(per_recording.columns)  # the catalogue's names
    assert per_recording.height == 8 and {"path", "child_age_days", "rule", "turns"} <= set(
        per_recording.columns
    )
    per_bin = pl.read_csv(tmp_path / "results_turns_bins.csv").filter(pl.col("bin_minutes") == 60)
    assert (
        per_bin.group_by("recording_id", "rule")
        .agg(pl.col("turns").sum())
        .sort("recording_id", "rule")["turns"]
        .to_list()
        == per_recording.sort("recording_id", "rule")["turns"].to_list()
    )
    again = CliRunner().invoke(corpus_app(), args)
    assert "0 result(s) computed, 8 already up to date" in " ".join(again.output.split())
    bad = CliRunner().invoke(corpus_app(), ["measure", "turns:rule=nope", "--db", str(db)])
    assert bad.exit_code == 2 and "rule must be one of lena, alternation" in bad.output


def test_repair_family_by_hand_and_a_reason_for_every_recording(tmp_path):
    """ICEP-R on a 30-s Still-Face dyad: matched 0-3, 6-10, 25-30 s (12 s); mismatched 3-6,
    14-20, 20-25 s (14 s); neutral 10-14 s. Three mismatch episodes (the SF one is cut at the
    phase change: censored), two repaired by the child after 3 s and 5 s; Kaplan-Meier over
    3, 6+ and 5 s gives S = 2/3 after 3 s and 1/3 after 5 s: median 5 s."""
    folder = tmp_path / "files"
    make_days(folder, 1)
    (folder / "dyad.csv").write_text(STILL_FACE_ICEP_R)
    db = tmp_path / "c.duckdb"
    assert ingest([folder], db, jobs=1).failed == []
    summary = measure(str(db), [request("repair:match_table=icep-r-reading-1")], jobs=1)
    assert summary.computed == 2
    rows = query(
        db,
        "SELECT recording_id, status, match_s, mismatch_s, neutral_s, matching_proportion, "
        "mismatch_episodes, repairs, censored, repair_latency_median_s, repaired_by_child "
        "FROM repair ORDER BY recording_id",
    )
    (day, day_status, *nothing), dyad = rows
    assert day == "day000" and "code" in day_status and set(nothing) == {None}
    assert dyad == ("dyad", "measured", 12.0, 14.0, 4.0, 12 / 26, 3, 2, 1, 5.0, 2)
    assert measure(str(db), [request("repair:match_table=icep-r-reading-1")], jobs=1).computed == 0
    # another match table is another configuration: both recordings are measured again
    valence = measure(str(db), [request("repair:match_table=valence")], jobs=1)
    assert valence.computed == 2
    statuses = query(db, "SELECT status FROM repair WHERE recording_id = 'dyad' ORDER BY 1")
    assert next(s for (s,) in statuses if s != "measured").startswith("match table 'valence'")


def test_a_store_made_before_a_figure_existed_reads_and_measures(tmp_path):
    """A repair table without the newer ended_unrepaired column (a store from before the
    figure): reading gives null for it, and the next measurement adds the column and fills it
    (0: no mismatch of the Still-Face dyad ends in neutral time)."""
    import duckdb

    from attunement.corpus.queries import latest

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "dyad.csv").write_text(STILL_FACE_ICEP_R)
    db = tmp_path / "c.duckdb"
    ingest([folder], db, jobs=1)
    measure(str(db), [request("repair:match_table=icep-r-reading-1")], jobs=1)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE repair DROP COLUMN ended_unrepaired")
    old = latest(con, family("repair"))
    con.close()
    assert old["ended_unrepaired"].to_list() == [None] and old["repairs"].to_list() == [2]
    done = measure(str(db), [request("repair:match_table=icep-r-reading-1,neutral=end")], jobs=1)
    assert done.computed == 1
    rows = query(db, "SELECT ended_unrepaired FROM repair ORDER BY ended_unrepaired NULLS FIRST")
    assert rows == [(None,), (0,)]


def test_a_malformed_dask_address_is_one_line(store):
    pytest.importorskip("distributed")
    _, db = store
    result = CliRunner().invoke(corpus_app(), ["measure", "--db", str(db), "--dask", "nonsense::x"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().startswith("error: --dask nonsense::x: cannot reach")
    assert len(result.output.strip().splitlines()) <= 2  # one line, wrapped at most once
