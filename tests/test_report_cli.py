"""`attunement report` on a corpus store (read-only, stored numbers in the summary table), on a
score file (the anxiety x avoidance plane) and its usage errors."""

from __future__ import annotations

import polars as pl
from typer.testing import CliRunner

from attunement.corpus import ingest, measure
from attunement.measures.registry import request
from tests.conftest import REAL, need
from tests.corpus_helpers import make_days, query
from tests.report_helpers import Page, external_references, report_app


def test_corpus_report_reads_the_store_and_shows_top_n(tmp_path):
    make_days(tmp_path / "files", 3, segments=300, hours=0.5)
    db = tmp_path / "c.duckdb"
    ingest([tmp_path / "files"], db, jobs=1)
    measure(str(db), [request("turns:n_resamples=0")], jobs=1)
    log = query(db, "SELECT count(*) FROM measure_log")
    out = tmp_path / "corpus.html"
    args = ["report", "--db", str(db), "-o", str(out), "--top", "1", "--n-resamples", "0"]
    result = CliRunner().invoke(report_app(), args)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    stored = dict(query(db, "SELECT recording_id, turns FROM turns ORDER BY turns DESC"))
    assert len(stored) == 3
    for rid, n in stored.items():
        assert f"<td>{rid}</td>" in text and f'<td class="num">{n}</td>' in text
    assert "Numbers of 3 recordings read from the store, 0 measured now" in text
    assert "N = 1" in text
    busiest = max(stored, key=stored.get)
    assert text.count('<section class="recording">') == 1 and f"Recording {busiest}" in text
    assert page.figures()[0] == "corpus-hourly"
    assert len(page.captions) == page.count("svg") == len(page.figures())
    assert external_references(text) == []
    assert query(db, "SELECT count(*) FROM measure_log") == log  # nothing written
    total = sum(stored.values())
    assert f"took {total:,} conversational turns" in page.coach_text


def test_corpus_without_stored_results_is_measured_in_memory(tmp_path):
    make_days(tmp_path / "files", 2, segments=200, hours=0.25)
    db = tmp_path / "c.duckdb"
    ingest([tmp_path / "files"], db, jobs=1)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        report_app(), ["report", "--db", str(db), "-o", str(out), "--n-resamples", "0", "--coach"]
    )
    assert result.exit_code == 0, result.output
    assert "Numbers of 0 recordings read from the store, 2 measured now" in out.read_text()


def test_scores_report_plane_with_sample_and_midpoint(tmp_path):
    lines = need(REAL / "ecr" / "data.csv").read_text(encoding="utf-8").splitlines()[:61]
    responses = tmp_path / "ecr.csv"
    responses.write_text("\n".join(lines) + "\n", encoding="utf-8")  # 60 real respondents
    scores = tmp_path / "scores.csv"
    from attunement.cli import app

    args = ["score", "ecr", str(responses), "--missing", "0", "--scale-min", "1"]
    args += ["--scale-max", "5", "--styles", "midpoint", "--out", str(scores)]
    assert CliRunner().invoke(app, args).exit_code == 0
    frame = pl.read_csv(scores)
    both = frame.filter(pl.col("anxiety").is_not_null() & pl.col("avoidance").is_not_null())
    out = tmp_path / "s.html"
    cmd = ["report", str(scores), "-o", str(out), "--scale-min", "1", "--scale-max", "5"]
    result = CliRunner().invoke(report_app(), cmd)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert page.figures() == ["plane"] and page.count("svg") == 1
    assert f"Where each of the {both.height} scored people" in page.captions[0]
    assert "solid lines the scale midpoint" in page.captions[0]
    median = both["anxiety"].median()
    assert f'<td>anxiety</td><td class="num">{both.height}</td>' in text
    assert f"{median:,.3f}" in text
    counts = dict(frame["style"].value_counts().iter_rows())
    for style, n in counts.items():
        assert f'<td>{style}</td><td class="num">{n}</td>' in text
    assert f"{both.height} people shared how they feel" in page.coach_text
    # a questionnaire summary suited to the instrument, not the recording coach view
    assert "everyday conversations" not in text and "recording" not in page.coach_text
    assert "A summary of the answers to the Experiences in Close Relationships" in page.coach_text
    assert "two sides of close relationships" in page.coach_text
    assert "Questionnaire: Brennan, K. A., Clark, C. L., & Shaver" in page.coach_text
    assert "could not be fully checked" not in page.coach_text  # the ECR key is verified
    unchecked = tmp_path / "ecr12.csv"
    frame.with_columns(instrument=pl.lit("ecr-12"), verification=pl.lit("unverified")).write_csv(
        unchecked
    )
    assert (
        CliRunner().invoke(report_app(), ["report", str(unchecked), "-o", str(out)]).exit_code == 0
    )
    other = Page(out.read_text(encoding="utf-8")).coach_text
    assert "Experiences in Close Relationships-12" in other
    assert "The scoring key of this version (ecr-12) could not be fully checked" in other


def test_usage_errors(tmp_path):
    app, runner = report_app(), CliRunner()
    assert runner.invoke(app, ["report"]).exit_code == 2
    both = runner.invoke(app, ["report", str(tmp_path), "--db", str(tmp_path / "c.duckdb")])
    assert both.exit_code == 2 and "not both" in both.output
    bad_rule = runner.invoke(app, ["report", str(tmp_path), "--rule", "nope"])
    assert bad_rule.exit_code == 2 and "turns: rule must be one of lena" in bad_rule.output
    not_store = tmp_path / "x.duckdb"
    not_store.write_text("hello")
    result = runner.invoke(app, ["report", "--db", str(not_store)])
    assert result.exit_code == 1 and "not a corpus store" in result.output
    half = runner.invoke(app, ["report", str(tmp_path), "--scale-min", "1"])
    assert half.exit_code == 2 and "--scale-max" in half.output
