"""Boker et al. (2002) peak picking: hand-made rows with the peak nearest lag 0, the
confirmation span, edge peaks, NaN rows, and the mean / SD summary."""

import math

import numpy as np
import pytest

from attunement.measures.synchrony import peaks, wcc
from attunement.measures.synchrony.wcc import WCCResult
from tests.conftest import REFERENCE, need

LAGS = np.arange(-5, 6, dtype=float)  # 1 Hz, lags -5..5 s


def result(*rows) -> WCCResult:
    matrix = np.array(rows, dtype=float)
    starts = np.arange(len(rows), dtype=float)
    params = {"rate_hz": 1.0, "lag_samples": 5}
    return WCCResult(matrix, LAGS, starts, starts + 10, ("s1", "s2"), 100, params)


HUMP_AT_PLUS_2 = 0.5 - 0.1 * np.abs(LAGS - 2)  # single maximum 0.5 at lag +2
#                   lag: -5   -4   -3   -2   -1    0    1    2    3    4    5
NEAR_AND_FAR = np.array([0.0, 0.0, 0.1, 0.2, 0.3, 0.2, 0.1, 0.05, 0.0, 0.9, 0.5])


def test_single_hump():
    # widths: 1 -> max 0.4 (lag +1); 2 -> 0.5 (lag +2) new; 3, 4 -> no increase: stop (S = 2)
    res = peaks(result(HUMP_AT_PLUS_2), search_s=2)
    assert res.peak_r[0] == pytest.approx(0.5) and res.peak_lag_s[0] == 2.0


def test_the_peak_nearest_lag_zero_wins_over_the_global_maximum():
    res = peaks(result(NEAR_AND_FAR), search_s=2)
    assert res.peak_r[0] == pytest.approx(0.3) and res.peak_lag_s[0] == -1.0
    # rMEA's best lag is the global maximum instead
    assert result(NEAR_AND_FAR).best_lag_s[0] == 4.0
    # with S = 3 the search goes on to 0.9 at +4, but +4 > L - S = 2 lags: no peak
    wider = peaks(result(NEAR_AND_FAR), search_s=3)
    assert math.isnan(wider.peak_r[0]) and wider.n_without_peak == 1


def test_rising_edge_and_nan_rows_have_no_peak():
    rising = LAGS / 10
    with_nan = HUMP_AT_PLUS_2.copy()
    with_nan[0] = np.nan
    res = peaks(result(rising, with_nan, HUMP_AT_PLUS_2), search_s=1)
    assert np.isnan(res.peak_r[:2]).all() and res.peak_lag_s[2] == 2.0
    assert (res.n_peaks, res.n_without_peak) == (1, 2)


def test_ties_take_the_leftmost_lag_of_the_final_region():
    flat_top = np.array([0.0, 0.0, 0.0, 0.1, 0.4, 0.2, 0.4, 0.1, 0.0, 0.0, 0.0])
    res = peaks(result(flat_top), search_s=2)
    assert res.peak_lag_s[0] == -1.0 and res.peak_r[0] == pytest.approx(0.4)


def test_summary_mean_and_sd():
    res = peaks(result(HUMP_AT_PLUS_2, NEAR_AND_FAR), search_s=2)
    summary = res.figures()
    # peaks 0.5 at +2 s and 0.3 at -1 s
    assert summary["mean_peak_r"] == pytest.approx(0.4)
    assert summary["sd_peak_r"] == pytest.approx(math.sqrt(0.02))
    assert summary["mean_peak_lag_s"] == pytest.approx(0.5)
    assert summary["sd_peak_lag_s"] == pytest.approx(math.sqrt(4.5))
    data = res.to_dict()
    assert data["parameters"]["search_s"] == 2 and data["parameters"]["search_steps"] == 2
    assert data["parameters"]["smoothing"] is None and data["parameters"]["lag_samples"] == 5
    assert data["peak_lag_s"] == [2.0, -1.0]
    assert res.to_frame().columns == ["window", "peak_r", "peak_lag_s"]


def test_search_must_fit_the_lag_range():
    with pytest.raises(ValueError, match="longer than the lag range"):
        peaks(result(HUMP_AT_PLUS_2), search_s=6)
    with pytest.raises(ValueError, match="whole number"):
        peaks(result(HUMP_AT_PLUS_2), search_s=0.5)


def test_shifted_copy_peaks_at_its_lag():
    rng = np.random.default_rng(5)
    base = np.convolve(rng.normal(size=1200), np.ones(5) / 5, mode="same")
    follower = 3 * np.roll(base, 4) + rng.normal(scale=0.05, size=1200)
    res = peaks(wcc(base, follower, rate=10, lag_s=2, window_s=20, step_s=10), search_s=0.5)
    assert res.n_peaks == res.peak_r.size and np.all(res.peak_lag_s == 0.4)


def test_reference_file_has_a_peak_in_every_window():
    from attunement.io.signals import read_signals

    signals = read_signals(need(REFERENCE / "rmea" / "200_01.txt"))
    res = peaks(wcc(signals.s1, signals.s2, rate=25, lag_s=5, window_s=60, step_s=30), search_s=1)
    assert res.n_peaks == 18
    assert res.peak_lag_s[1] == -1.56  # window 2: the peak nearest 0 is also the best lag
    assert np.all(np.abs(res.peak_lag_s) <= 4)  # L - S = 5 - 1 s
