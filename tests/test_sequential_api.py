"""The public entry points (`sequential`, `sequential_timed`), the interval-table converter and
the `attunement sequential` command."""

import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from attunement.cli import app
from attunement.io.intervals import from_binary_table
from attunement.measures.sequential import sequential, sequential_timed
from tests.conftest import REAL, need
from tests.test_sequential_lag import BQ as BAKEMAN_QUERA
from tests.turn_helpers import rec

BQ = [str(code) for code in BAKEMAN_QUERA]
runner = CliRunner()


def test_per_sequence_indices_and_average_matrix():
    a, b = ["x", "y", "x", "y", "x"], ["y", "y", "x", "x", "y"]
    res = sequential([a, b])
    assert res.lag.n_pairs == 8
    first, second = res.per_sequence
    assert first["frequencies"] == [[0.0, 2.0], [2.0, 0.0]]
    assert second["frequencies"] == [[1.0, 1.0], [1.0, 1.0]]
    # average of each sequence's transitional probabilities: x->y is 1.0 and 0.5
    assert res.average_probabilities.tolist() == [[0.25, 0.75], [0.75, 0.25]]
    assert res.lag.frequencies.tolist() == [[1, 3], [3, 1]]


def test_segments_give_one_sequence_per_recording_in_onset_order():
    r1 = rec([(2, 3, "FEM"), (0, 1, "CHI"), (4, 5, "CHI")])
    r2 = rec([(0, 1, "FEM"), (1, 2, "CHI")])
    r2.id = "second"
    res = sequential([r1, r2])
    assert res.lag.codes == ("CHI", "FEM")
    assert res.lag.frequencies.tolist() == [[0, 1], [2, 0]]  # never across the two recordings


def test_timed_pooled_table_is_the_sum_and_shift_null_is_seeded():
    rng = np.random.default_rng(5)
    rows, t = [], 0.0
    for _ in range(30):  # aperiodic, so that no shift lines the streams up again
        rows += [(t, t + 1, "CHI"), (t + 1.5, t + 2, "FEM")]
        t += float(rng.uniform(12, 28))
    r = rec(rows, duration_s=t)
    kw = {"window_s": 2.0, "unit_s": 0.5, "n_resamples": 100, "seed": 3}
    res = sequential_timed([r, r], {"speaker_type": "CHI"}, {"speaker_type": "FEM"}, **kw)
    one = res.per_recording[0].table
    assert res.pooled.a == 2 * one.a == 60
    assert one.yules_q == 1.0
    again = sequential_timed(r, {"speaker_type": "CHI"}, {"speaker_type": "FEM"}, **kw)
    assert again.circular_shift[0].test.p == res.circular_shift[0].test.p < 0.05


def test_from_binary_table_merges_runs_into_segments():
    frame = pl.DataFrame({"Mpos": [1, 1, 0, 1], "Cneg": [0, 1, 1, 1]})
    r = from_binary_table(frame, interval_s=2.0, role_map={"Mpos": "FEM", "Cneg": "CHI"})
    got = r.segments.select("segment_onset", "segment_offset", "code").rows()
    assert got == [(0, 4000, "Mpos"), (2000, 8000, "Cneg"), (6000, 8000, "Mpos")]
    assert r.duration_ms == 8000 and r.warnings == []
    with pytest.raises(ValueError, match=r"column 'Mpos', data row 2: 2 is not 0/1"):
        from_binary_table(pl.DataFrame({"Mpos": [1, 2]}), interval_s=1.0)


def test_attachment_data_durations_equal_coded_intervals():
    frame = pl.read_csv(need(REAL / "connect/AttachmentData.csv"))
    r = from_binary_table(frame, interval_s=2.0)
    seconds = r.segments.group_by("code").agg(
        ((pl.col("segment_offset") - pl.col("segment_onset")).sum() / 1000).alias("s")
    )
    assert dict(seconds.iter_rows()) == {
        k: 2.0 * v for k, v in frame.sum().row(0, named=True).items()
    }
    assert "7 label(s)" in r.warnings[0] or "not in the interval table role map" in r.warnings[0]


def test_cli_json_fields_on_a_code_csv(tmp_path):
    path = tmp_path / "codes.csv"
    pl.DataFrame({"code": BQ}).write_csv(path)
    result = runner.invoke(app, ["sequential", str(path), "--json", "--n-resamples", "200"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["codes"] == ["1", "2", "3", "4", "5"]
    assert d["frequencies"][4][1] == 5
    assert round(d["g2"], 2) == 30.95 and d["df"] == 16 and round(d["p"], 5) == 0.01364
    assert round(d["adjusted_residuals"][4][1], 2) == 2.90
    assert round(d["yules_q"][1][3], 2) == -1.00
    assert len(d["permutation_p"]) == 5 and all(
        0 < p <= 1 for row in d["permutation_p"] for p in row
    )
    assert len(d["expected"]) == 5


def test_cli_no_repeats_and_sequences_column(tmp_path):
    path = tmp_path / "codes.csv"
    pl.DataFrame({"sequence": ["s"] * len(BQ), "code": BQ}).write_csv(path)
    result = runner.invoke(app, ["sequential", str(path), "--json", "--no-repeats"])
    d = json.loads(result.stdout)
    assert round(d["g2"], 2) == 21.06 and d["df"] == 11 and round(d["p"], 5) == 0.03276


def test_cli_kappa_expected_exact_changes_the_diagonal_only(tmp_path):
    """Bakeman & Quera's sequence: Chat (1) has 16 events of 75 and 1 Chat -> Chat repeat;
    exact e = 16 * 15 / 75 = 3.2 (O'Connor: 16² / 75 = 3.413); x < e, so kappa = (x - e) / e."""
    path = tmp_path / "codes.csv"
    pl.DataFrame({"code": BQ}).write_csv(path)
    args = ["sequential", str(path), "--json"]
    default = json.loads(runner.invoke(app, args).stdout)
    exact = json.loads(runner.invoke(app, [*args, "--kappa-expected", "exact"]).stdout)
    assert exact["parameters"]["kappa_expected"] == "exact"
    assert default["parameters"]["kappa_expected"] == "oconnor1999"
    assert BQ.count("1") == 16
    assert exact["kappa"][0][0] == pytest.approx((1 - 3.2) / 3.2)
    assert default["kappa"][0][0] == pytest.approx((1 - 16 * 16 / 75) / (16 * 16 / 75))
    assert exact["kappa"][0][1] == pytest.approx(default["kappa"][0][1])
    bad = runner.invoke(app, [*args, "--kappa-expected", "nope"])
    assert bad.exit_code == 2 and "kappa_expected must be one of oconnor1999, exact" in bad.stderr


def test_cli_sdis_and_window_on_recordings(tmp_path):
    sds = tmp_path / "bq.sds"
    sds.write_text("Event ;\n" + " ".join(BQ) + " /\n")
    d = json.loads(runner.invoke(app, ["sequential", str(sds), "--json"]).stdout)
    assert round(d["g2"], 2) == 30.95
    rttm = tmp_path / "a.rttm"
    lines, t, rng = [], 0.0, np.random.default_rng(2)
    for _ in range(30):
        lines.append(f"SPEAKER a 1 {t:.1f} 1.0 <NA> <NA> KCHI <NA> <NA>")
        lines.append(f"SPEAKER a 1 {t + 1.5:.1f} 1.0 <NA> <NA> FEM <NA> <NA>")
        t += round(float(rng.uniform(6, 14)), 1)
    rttm.write_text("\n".join(lines) + "\n")
    result = runner.invoke(
        app,
        [
            "sequential",
            str(rttm),
            "--window-s",
            "2",
            "--unit-s",
            "0.5",
            "--n-resamples",
            "50",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["a_window_target"] == 30 and d["yules_q"] == 1.0
    assert d["p"] == pytest.approx(1 / 51) and "circular_shift" not in d  # one recording


def test_cli_errors_are_one_line(tmp_path):
    path = tmp_path / "codes.csv"
    pl.DataFrame({"code": ["a", "b"]}).write_csv(path)
    result = runner.invoke(app, ["sequential", str(path), "--window-s", "2"])
    assert result.exit_code == 2 and "--window-s needs timed data" in result.stderr
    result = runner.invoke(app, ["sequential", str(path), "--codes", "a"])
    assert result.exit_code == 2 and "b" in result.stderr
