"""Windowed cross-correlation: the rMEA oracle (reference README §4), hand-computed cells,
shifted copies, NaN rules, Fisher z / absolute, properties, and the `attunement synchrony`
command."""

import json
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from typer.testing import CliRunner

from attunement.cli import app
from attunement.io.signals import read_signals
from attunement.measures.synchrony import wcc
from tests.conftest import REFERENCE, need

RMEA_FILE = REFERENCE / "rmea" / "200_01.txt"
runner = CliRunner()


def naive(x, y, win, lag, step):
    """rMEA's loops written out plainly (no NaN in the inputs, no identical rule)."""
    n_win = math.ceil((len(x) - win - lag + 1) / step)
    out = np.full((n_win, 2 * lag + 1), np.nan)
    for w in range(n_win):
        a = w * step
        for j, k in enumerate(range(-lag, lag + 1)):
            xs = x[a + max(0, -k) : a + max(0, -k) + win]
            ys = y[a + max(0, k) : a + max(0, k) + win]
            if xs.std() > 0 and ys.std() > 0:
                out[w, j] = np.corrcoef(xs, ys)[0, 1]
    return out


# --- the oracle: rMEA 1.2.2 on its own example file (reference README §4) ---


def test_rmea_oracle_200_01():
    signals = read_signals(need(RMEA_FILE))
    res = wcc(signals.s1, signals.s2, rate=25, lag_s=5, window_s=60, step_s=30)
    assert (res.n_windows, res.n_lags) == (18, 251)
    assert abs(res.grand_average - 0.0011686759) <= 5e-11  # 10 decimals as published
    assert abs(res.lag_zero[0] - (-0.0495854964)) <= 5e-11
    assert res.lags_s[0] == -5.0 and res.lags_s[125] == 0.0 and res.lags_s[-1] == 5.0
    assert res.n_missing_cells == 0
    expected = naive(signals.s1, signals.s2, 1500, 125, 750)
    assert np.max(np.abs(res.matrix - expected)) < 1e-12
    assert res.window_start_s[-1] == 510.0 and res.window_end_s[-1] == 570.0


def test_rmea_summaries_follow_its_column_ranges():
    signals = read_signals(need(RMEA_FILE))
    res = wcc(signals.s1, signals.s2, rate=25, lag_s=5, window_s=60, step_s=30)
    m = res.matrix
    np.testing.assert_allclose(res.s1_lead, m[:, 126:].mean(axis=1), rtol=0, atol=1e-15)
    np.testing.assert_allclose(res.s2_lead, m[:, :125].mean(axis=1), rtol=0, atol=1e-15)
    np.testing.assert_allclose(res.s1_lead_0, m[:, 125:].mean(axis=1), rtol=0, atol=1e-15)
    np.testing.assert_allclose(res.all_lags, m.mean(axis=1), rtol=0, atol=1e-15)
    assert res.best_lag_s.tolist() == res.lags_s[np.argmax(m, axis=1)].tolist()
    assert res.best_lag_s[0] == -4.52  # window 1: r peaks where the therapist leads


# --- hand-computed cells ---


def test_hand_computed_tiny_grid():
    # x = 2..7, y = 3 1 2 5 4 0; 1 Hz, window 3, lag 1, step 1 -> ceil((6-3-1+1)/1) = 3 windows
    x = np.array([2, 3, 4, 5, 6, 7], float)
    y = np.array([3, 1, 2, 5, 4, 0], float)
    res = wcc(x, y, rate=1, lag_s=1, window_s=3, step_s=1)
    assert res.matrix.shape == (3, 3)
    assert res.lags_s.tolist() == [-1.0, 0.0, 1.0]
    # window 1, lag 0: r([2,3,4],[3,1,2]) = -1 / sqrt(2 * 2) = -0.5
    assert res.matrix[0, 1] == pytest.approx(-0.5, abs=1e-15)
    # lag +1: x[0:3] = [2,3,4] with y[1:4] = [1,2,5]: r = 4 / sqrt(2 * 78/9) = sqrt(12/13)
    assert res.matrix[0, 2] == pytest.approx(math.sqrt(12 / 13), abs=1e-15)
    # lag -1: x[1:4] = [3,4,5] with y[0:3] = [3,1,2]: r = -0.5 (two pairs differ: not blanked)
    assert res.matrix[0, 0] == pytest.approx(-0.5, abs=1e-15)
    # window 2 starts one sample later: lag 0 pairs [3,4,5] with [1,2,5]
    assert res.matrix[1, 1] == pytest.approx(math.sqrt(12 / 13), abs=1e-15)
    assert res.best_lag_s[0] == 1.0
    assert res.s1_lead[0] == pytest.approx(math.sqrt(12 / 13))
    assert res.s2_lead[0] == pytest.approx(-0.5)
    assert res.all_lags[0] == pytest.approx((math.sqrt(12 / 13) - 1) / 3)
    assert res.window_start_s.tolist() == [0.0, 1.0, 2.0]
    # rMEA's identical rule: x = 1..6 pairs [1,2,3] with [1,2,5] at lag +1; one pair differs
    shifted = wcc(x - 1, y, rate=1, lag_s=1, window_s=3, step_s=1)
    assert math.isnan(shifted.matrix[0, 2]) and shifted.best_lag_s[0] == -1.0


@pytest.mark.parametrize("k", [1, 3, 7])
def test_shifted_copy_gives_best_lag_k_with_the_right_sign(k):
    rng = np.random.default_rng(k)
    base = rng.normal(size=400)
    follower = 2.0 * np.roll(base, k) + 1.0  # follower[t] = base[t - k]: follows by k samples
    res = wcc(base, follower, rate=10, lag_s=1.0, window_s=5, step_s=2.5)
    assert np.all(res.best_lag_s == k / 10)
    assert np.allclose(res.matrix[:, 10 + k], 1.0)
    swapped = wcc(follower, base, rate=10, lag_s=1.0, window_s=5, step_s=2.5)
    assert np.all(swapped.best_lag_s == -k / 10)


def test_identical_segments_are_missing_as_in_rmea_unless_asked():
    rng = np.random.default_rng(0)
    base = rng.normal(size=300)
    copy = np.roll(base, 2)
    rmea = wcc(base, copy, rate=1, lag_s=4, window_s=50, step_s=50)
    assert np.isnan(rmea.matrix[:, 4 + 2]).all()  # x == y at lag +2: fewer than 2 pairs differ
    assert not np.isnan(np.delete(rmea.matrix, 6, axis=1)).any()
    kept = wcc(base, copy, rate=1, lag_s=4, window_s=50, step_s=50, identical_is_missing=False)
    assert np.allclose(kept.matrix[:, 6], 1.0) and np.all(kept.best_lag_s == 2.0)


def test_constant_window_is_nan_and_left_out_of_the_means():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=200), rng.normal(size=200)
    x[:60] = 3.0  # window 1 (samples 0..54) constant in s1 -> the whole row NaN
    res = wcc(x, y, rate=1, lag_s=5, window_s=50, step_s=50)
    assert np.isnan(res.matrix[0]).all()
    assert math.isnan(res.best_lag_s[0]) and math.isnan(res.all_lags[0])
    assert math.isnan(res.lag_zero[0])
    rest = res.matrix[1:]
    assert not np.isnan(rest).any()
    assert res.grand_average == pytest.approx(rest.mean(), abs=1e-15)
    assert res.to_dict()["best_lag_s"][0] is None  # NaN -> JSON null


def test_missing_samples_complete_pairs_and_half_window_rule():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=120), rng.normal(size=120)
    x[3] = np.nan  # window 1 (0..59 incl. lag): one NaN -> pairs with it are dropped
    x[70:101] = np.nan  # window 2 (60..119): 31 of 60 samples missing (> half) -> row NaN
    res = wcc(x, y, rate=1, lag_s=10, window_s=50, step_s=60)
    assert res.n_windows == 2
    keep = ~np.isnan(x[:50])
    expected = np.corrcoef(x[:50][keep], y[:50][keep])[0, 1]
    assert res.lag_zero[0] == pytest.approx(expected, abs=1e-14)
    assert np.isnan(res.matrix[1]).all()
    lenient = wcc(x, y, rate=1, lag_s=10, window_s=50, step_s=60, max_missing=0.6)
    assert not np.isnan(lenient.matrix[1]).all()


def test_fisher_z_then_absolute_in_rmea_order():
    x = np.array([2, 3, 4, 5, 6, 7], float)
    y = np.array([3, 1, 2, 5, 4, 0], float)
    z = wcc(x, y, rate=1, lag_s=1, window_s=3, step_s=1, fisher_z=True)
    assert z.matrix[0, 1] == pytest.approx(math.atanh(-0.5), abs=1e-15)
    za = wcc(x, y, rate=1, lag_s=1, window_s=3, step_s=1, fisher_z=True, absolute=True)
    assert za.matrix[0, 1] == pytest.approx(math.atanh(0.5), abs=1e-15)
    assert za.grand_average == pytest.approx(np.abs(z.matrix).mean(), abs=1e-15)
    # r = 1 -> atanh = inf -> clipped to 10, as rMEA's fisher.r2z
    base = np.random.default_rng(3).normal(size=100)
    one = wcc(base, 2 * base, rate=1, lag_s=0, window_s=50, step_s=50, fisher_z=True)
    assert one.matrix[:, 0].tolist() == [10.0, 10.0]
    assert one.parameters["fisher_z_bound"] == 10.0


def test_parameters_and_errors():
    x = np.random.default_rng(4).normal(size=100)
    res = wcc(x, x[::-1].copy(), rate=4, lag_s=1, window_s=10, step_s=5)
    assert res.parameters["lag_samples"] == 4 and res.parameters["window_samples"] == 40
    assert res.n_windows == math.ceil((100 - 40 - 4 + 1) / 20)
    assert res.to_frame().columns[:5] == ["window", "start_s", "end_s", "lag-1", "lag-0.75"]
    assert res.to_frame().height == res.n_windows
    with pytest.raises(ValueError, match="longer than the signal"):
        wcc(x, x, rate=4, lag_s=1, window_s=25, step_s=5)
    with pytest.raises(ValueError, match="whole number of samples"):
        wcc(x, x, rate=4, lag_s=0.1, window_s=10, step_s=5)
    with pytest.raises(ValueError, match="equal length"):
        wcc(x, x[:50], rate=4, lag_s=1, window_s=10, step_s=5)


# --- properties ---

signal = arrays(
    np.float64,
    st.integers(30, 60),
    elements=st.floats(-100, 100, allow_nan=False).map(lambda v: round(v, 2)),
)


@settings(max_examples=40, deadline=None)
@given(signal, st.integers(0, 3), st.integers(5, 12), st.integers(1, 6), st.integers(0, 99))
def test_swapping_s1_and_s2_flips_the_lags(x, lag, win, step, seed):
    y = np.random.default_rng(seed).permutation(x)
    a = wcc(x, y, rate=1, lag_s=lag, window_s=win, step_s=step)
    b = wcc(y, x, rate=1, lag_s=lag, window_s=win, step_s=step)
    np.testing.assert_allclose(a.matrix, b.matrix[:, ::-1], rtol=0, atol=1e-12)
    assert np.array_equal(np.isnan(a.s1_lead), np.isnan(b.s2_lead))
    np.testing.assert_allclose(a.s1_lead, b.s2_lead, rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(signal, st.integers(0, 3), st.integers(5, 12), st.integers(0, 99))
def test_agrees_with_the_plain_loop_and_fisher_z_is_monotone(x, lag, win, seed):
    y = np.random.default_rng(seed).normal(size=len(x))
    r = wcc(x, y, rate=1, lag_s=lag, window_s=win, step_s=2, identical_is_missing=False)
    np.testing.assert_allclose(r.matrix, naive(x, y, win, lag, 2), rtol=0, atol=1e-10)
    z = wcc(
        x, y, rate=1, lag_s=lag, window_s=win, step_s=2, fisher_z=True, identical_is_missing=False
    )
    ok = ~np.isnan(r.matrix)
    order = np.argsort(r.matrix[ok], kind="stable")
    assert np.all(np.diff(z.matrix[ok][order]) >= 0)
    assert np.all(np.abs(z.matrix[ok]) <= 10)


# --- the command ---


def test_cli_json_on_the_reference_file():
    path = need(RMEA_FILE)
    args = ["synchrony", str(path), "--rate", "25", "--lag-s", "5", "--window-s", "60"]
    result = runner.invoke(app, [*args, "--step-s", "30", "--json"])
    assert result.exit_code == 0, result.output
    data, peak = json.loads(result.stdout)
    assert (data["family"], peak["family"]) == ("wcc", "peaks")
    assert (data["n_windows"], data["n_lags"]) == (18, 251)
    assert abs(data["grand_average"] - 0.0011686759) <= 5e-11
    assert len(data["lag_zero"]) == 18 and abs(data["lag_zero"][0] + 0.0495854964) <= 5e-11
    assert data["best_lag_s"][0] == -4.52 and len(data["best_lag_s"]) == 18
    assert data["names"] == ["pat", "th"] and data["parameters"]["step_s"] == 30
    assert data["p"] is None  # no surrogates asked for
    assert peak["parameters"]["search_s"] == 1.0
    assert peak["n_peaks"] + peak["n_without_peak"] == 18
    assert "mean_peak_r" in peak and "sd_peak_lag_s" in peak


def test_cli_table_and_errors(tmp_path):
    path = need(RMEA_FILE)
    args = ["synchrony", str(path), "--rate", "25", "--lag-s", "5", "--step-s", "30"]
    table = runner.invoke(app, [*args, "--window-s", "60", "--fisher-z", "--absolute"])
    assert table.exit_code == 0, table.output
    assert "per window (|z|; positive lags: th follows pat)" in table.stdout
    assert re.search(r"│ windows +│ 18 +│", table.stdout)  # catalogue labels
    assert re.search(r"│ lags +│ 251 +│", table.stdout)
    too_long = runner.invoke(app, [*args, "--window-s", "600"])
    assert too_long.exit_code == 2 and "longer than the signal" in too_long.output
    bad = tmp_path / "bad.txt"
    bad.write_text("a b\n1 2\n3 x\n")
    options = ["--rate", "1", "--lag-s", "0", "--window-s", "2", "--step-s", "1"]
    failed = runner.invoke(app, ["synchrony", str(bad), *options])
    assert failed.exit_code == 1 and "bad.txt:3" in failed.output
