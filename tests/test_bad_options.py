"""Every command refuses bad options in one line on stderr, exit 2, no traceback, before any
work starts (issue 20's list of option combinations that ended in tracebacks, plus click's
own usage errors, which the command line also turns into one line)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from attunement.cli import app
from attunement.simulate.daylong import day


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    day(200, hours=0.2, seed=1).write_csv(folder / "d.csv")
    (folder / "afile").write_text("x")
    return folder


CASES = [
    (["turns", "{d}", "--window-s", "inf"], "window_s must be a number of seconds"),
    (["turns", "{d}", "--n-resamples", "-5"], "n_resamples must be a whole number >= 0"),
    (["turns", "{d}", "--n-resamples", "1e8"], "Invalid value for '--n-resamples'"),
    (["turns", "{d}", "--n-resamples", "100000000"], "above the default cap"),
    (["turns", "{d}", "--seed", "-1"], "seed must be a whole number from 0"),
    (["turns", "{d}", "--rule", "nope"], "rule must be one of lena"),
    (["turns", "{d}", "--plot", "{f}/x.txt"], "a plot must end in .png"),
    (["turns", "{d}", "--bogus"], "No such option: --bogus"),
    (["sequential", "{d}", "--lag", "1000000"], "is not shorter than the longest sequence"),
    (["sequential", "{d}", "--n-resamples", "-1"], "n_resamples must be a whole number >= 0"),
    (["report", "{d}", "-o", "."], "is a folder"),
    (["report", "{d}", "-o", "{d}"], "is an input of this command"),
    (["report", "{d}", "-o", "{f}/no/dir/r.html"], "does not exist"),
    (["measure", "--db", "{f}/missing.duckdb"], "no such store"),
    (["serve", "--max-upload-mb", "1e308"], "Invalid value for '--max-upload-mb'"),
    (["serve", "--data-dir", "{f}/afile"], "is a file; give a folder"),
    (["serve", "--host", "0.0.0.0"], "set an access token"),
    (["ingest", "{d}", "--db", "{f}/s.duckdb", "--jobs", "1000"], "jobs must be a whole number"),
    (["simulate", "population", "--children", "1000000000000", "--out", "{f}/p.parquet"], "cap"),
    (
        ["synchrony", "{d}", "--rate", "1e308", "--lag-s", "1", "--window-s", "1", "--step-s", "1"],
        "rate",
    ),
    (["bogus"], "No such command 'bogus'"),
]


@pytest.mark.parametrize(("args", "said"), CASES, ids=[" ".join(a[:3]) for a, _ in CASES])
def test_bad_option_is_one_line_exit_2(files, args, said):
    argv = [a.format(d=files / "d.csv", f=files) for a in args]
    result = CliRunner().invoke(app, argv)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert said in " ".join(lines)
    assert not (files / "no").exists() and not (files / "s.duckdb").exists()
