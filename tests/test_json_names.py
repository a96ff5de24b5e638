"""Every command's ``--json`` speaks the figure catalogue: each result object holds only the base's
metadata, its family's key parameters and its family's figures, with every scalar figure present
(``turns``, ``sequential`` on events and with ``--window-s``, ``repair``, ``synchrony``,
``score``), nested results (per recording, against shifts, against pseudo-dyads) included; and
the families without a command (``recurrence``) through their runner."""

import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from attunement.cli import app
from attunement.io.signals import Signals
from attunement.measures.registry import families, family
from tests.catalogue_helpers import assert_catalogue_names
from tests.coded_examples import STILL_FACE_ICEP_R
from tests.corpus_helpers import make_days
from tests.test_sequential_lag import BQ

runner = CliRunner()


def run_json(*args: str):
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def dyad(path, every: int = 1, seed: int = 2) -> str:
    """An RTTM dyad: 30 child vocalisations at aperiodic times, the mother starting 1.5 s after
    every ``every``-th one."""
    lines, t, rng = [], 0.0, np.random.default_rng(seed)
    for i in range(30):
        lines.append(f"SPEAKER {path.stem} 1 {t:.1f} 1.0 <NA> <NA> KCHI <NA> <NA>")
        if i % every == 0:
            lines.append(f"SPEAKER {path.stem} 1 {t + 1.5:.1f} 1.0 <NA> <NA> FEM <NA> <NA>")
        t += round(float(rng.uniform(6, 14)), 1)
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_turns(tmp_path):
    paths = make_days(tmp_path, 2, segments=200)
    results = run_json("turns", *map(str, paths), "--n-resamples", "5")
    assert [r["recording_id"] for r in results] == ["day000", "day001"]
    for r in results:
        assert_catalogue_names(r, "turns")


def test_sequential_events(tmp_path):
    path = tmp_path / "codes.csv"
    pl.DataFrame({"code": [str(c) for c in BQ]}).write_csv(path)
    data = run_json("sequential", str(path), "--n-resamples", "20")
    assert_catalogue_names(data, "sequential")
    assert round(data["g2"], 2) == 30.95 and data["df"] == 16  # Bakeman & Quera's table
    assert len(data["permutation"]["p_upper"]) == 5


def test_sequential_time_windows_with_both_nulls(tmp_path):
    a, b = dyad(tmp_path / "a.rttm"), dyad(tmp_path / "b.rttm", every=2, seed=3)
    args = ["--window-s", "2", "--unit-s", "0.5", "--n-resamples", "20", "--pseudo-dyads"]
    data = run_json("sequential", a, b, *args)
    assert_catalogue_names(data, "timed")
    nested = [*data["per_recording"], *data["circular_shift"], data["pseudo_dyads"]]
    nested += data["pseudo_dyads"]["per_recording"]
    for part in nested:
        assert_catalogue_names(part, "timed")
    one, two = data["per_recording"]
    assert (one["a_window_target"], one["c_outside_target"], one["yules_q"]) == (30, 0, 1.0)
    assert (two["antecedents"], two["targets"]) == (30, 15)
    assert data["recordings"] == 2 and data["antecedents"] == 60
    for cell in ("a_window_target", "b_window_no_target", "c_outside_target", "n_units"):
        assert data[cell] == one[cell] + two[cell]  # pooling sums the tables
    a_, b_, c_, d_ = (
        data[k]
        for k in (
            "a_window_target",
            "b_window_no_target",
            "c_outside_target",
            "d_outside_no_target",
        )
    )
    assert data["yules_q"] == pytest.approx((a_ * d_ - b_ * c_) / (a_ * d_ + b_ * c_))
    assert data["null_n"] == 20 and data["p"] == pytest.approx(1 / 21)  # pooled shifts
    assert data["circular_shift"][0]["p"] == pytest.approx(1 / 21)
    assert data["pseudo_dyads"]["null_n"] == 2 and data["pseudo_dyads"]["p"] is None


def test_repair(tmp_path):
    path = tmp_path / "dyad.csv"
    path.write_text(STILL_FACE_ICEP_R)
    data = run_json("repair", str(path))
    assert_catalogue_names(data, "repair")
    assert (data["match_s"], data["mismatch_s"]) == (12.0, 14.0)


def test_synchrony_with_its_surrogate_test(tmp_path):
    rng = np.random.default_rng(5)
    base = np.convolve(rng.normal(size=1200), np.ones(10) / 10, mode="same")
    follower = np.roll(base, 5) + rng.normal(scale=0.05, size=1200)
    path = tmp_path / "signals.csv"
    pl.DataFrame({"mother": base, "infant": follower}).write_csv(path)
    options = ["--rate", "10", "--lag-s", "2", "--window-s", "20", "--step-s", "10"]
    wcc, peaks = run_json(
        "synchrony", str(path), *options, "--n-resamples", "19", "--min-shift-s", "10"
    )
    assert_catalogue_names(wcc, "wcc")
    assert_catalogue_names(peaks, "peaks")
    assert (
        wcc["names"] == ["mother", "infant"] and wcc["n_windows"] == 10
    )  # ceil((1200 - 200 - 20 + 1) / 100)
    assert wcc["null_n"] == 19 and wcc["p"] == pytest.approx(1 / 20)  # a shifted copy
    assert wcc["effect"] == pytest.approx(
        (wcc["grand_average"] - wcc["null_mean"]) / wcc["null_sd"]
    )
    assert peaks["n_peaks"] == 10 and peaks["mean_peak_lag_s"] == pytest.approx(0.5)


def test_score(tmp_path):
    frame = pl.DataFrame({f"Q{i}": [4, 1, 7, 2] for i in range(1, 13)})
    path = tmp_path / "ecr-s.csv"
    frame.write_csv(path)
    data = run_json("score", "ecr-s", str(path))
    assert_catalogue_names(data, "score")
    assert data["respondents"] == 4


def test_recurrence_runs_on_signals():
    x, y = np.array([1.0, 1, 2, 2]), np.array([1.0, 2, 2, 1])
    result = family("recurrence").function()(
        Signals(("child", "mother"), x, y), lmin=2, vmin=2, max_lag=None
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert_catalogue_names(data, "recurrence")
    assert data["rr"] == 0.5  # each child state meets the mother's twice: 8 of 16 pairs
    assert data["profile_peak_lags"] == result.profile_peak_lags()


def test_measures_lists_the_new_families():
    listed = {f["family"]: f for f in run_json("measures")}
    assert {"timed", "wcc", "peaks", "recurrence"} <= set(listed)
    assert {f.name for f in families("signals")} == {"wcc", "peaks", "recurrence"}
    assert listed["wcc"]["figures"][0]["name"] == "n_samples"
