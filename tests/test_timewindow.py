import math

import numpy as np
import pytest

from attunement import segments as seg
from attunement.measures.sequential import timed_nulls, timewindow
from attunement.recording import Recording

CHILD = {"speaker_type": "CHI"}
MOTHER = {"speaker_type": "FEM"}


def _rec(rows, duration_ms, rec_id="r"):
    """rows: (onset_ms, offset_ms, speaker_type)."""
    frame = seg.build(
        {
            "segment_onset": [r[0] for r in rows],
            "segment_offset": [r[1] for r in rows],
            "speaker_type": [r[2] for r in rows],
            "speaker_id": [r[2] for r in rows],
            "kind": ["vocal"] * len(rows),
            "code": [r[3] if len(r) > 3 else None for r in rows],
        }
    )
    return Recording(rec_id, "mem", "test", frame, duration_ms=duration_ms)


def _cells(result):
    t = result.table
    return t.a, t.b, t.c, t.d


def test_onset_onset_table_and_window_edge():
    # child onsets at 10 s and 30 s: windows [10, 15) and [30, 35) -> 10 units of 40.
    # mother onsets at 12 s (inside) and exactly 15 s = onset + W (outside).
    rec = _rec(
        [
            (10_000, 11_500, "CHI"),
            (12_000, 13_000, "FEM"),
            (15_000, 16_000, "FEM"),
            (30_000, 31_000, "CHI"),
        ],
        40_000,
    )
    r = timewindow.time_window(rec, CHILD, MOTHER, window_s=5)
    assert _cells(r) == (1, 9, 1, 29)
    assert r.table.n_units == 40
    assert r.table.yules_q == pytest.approx((29 - 9) / (29 + 9))
    assert r.table.log_odds_ratio == pytest.approx(math.log(29 / 9))
    assert not r.table.zero_cell_corrected
    assert (r.antecedents, r.targets) == (2, 2)
    assert r.parameters == {
        "window_s": 5.0,
        "unit_s": 1.0,
        "antecedent_mode": "onset",
        "target_mode": "onset",
        "antecedent": "speaker_type=CHI",
        "target": "speaker_type=FEM",
    }
    # one millisecond earlier the second response falls inside the window
    rec2 = _rec(
        [
            (10_000, 11_500, "CHI"),
            (12_000, 13_000, "FEM"),
            (14_999, 16_000, "FEM"),
            (30_000, 31_000, "CHI"),
        ],
        40_000,
    )
    assert _cells(timewindow.time_window(rec2, CHILD, MOTHER, window_s=5)) == (2, 8, 0, 30)


def _dyad():
    # child [10, 12.5) s; mother [15.2, 17) s; 30 s recorded
    return _rec([(10_000, 12_500, "CHI"), (15_200, 17_000, "FEM")], 30_000)


def test_duration_window_with_occurrence_target():
    # window = units 10..12 occupied by the child + 3 units after = [10, 16): 6 units;
    # mother occupies units 15 and 16.
    r = timewindow.time_window(
        _dyad(), CHILD, MOTHER, window_s=3, antecedent_mode="duration", target_mode="occurrence"
    )
    assert _cells(r) == (1, 5, 1, 23)
    assert r.table.yules_q == pytest.approx(18 / 28)
    assert r.table.odds_ratio == pytest.approx(23 / 5)


def test_duration_window_with_onset_target_uses_zero_cell_rule():
    r = timewindow.time_window(_dyad(), CHILD, MOTHER, window_s=3, antecedent_mode="duration")
    assert _cells(r) == (1, 5, 0, 24)
    assert r.table.yules_q == 1.0  # raw counts: a zero cell gives Q = +1
    assert r.table.zero_cell_corrected
    assert r.table.odds_ratio == pytest.approx((1.5 * 24.5) / (5.5 * 0.5))
    assert r.table.log_odds_ratio == pytest.approx(math.log(36.75 / 2.75))


def test_onset_window_misses_a_late_response():
    # onset window [10, 13): the mother's onset at 15.2 s is outside
    r = timewindow.time_window(_dyad(), CHILD, MOTHER, window_s=3)
    assert _cells(r) == (0, 3, 1, 26)
    assert r.table.yules_q == -1.0
    assert r.table.log_odds_ratio == pytest.approx(math.log((0.5 * 26.5) / (3.5 * 1.5)))


def test_half_second_units_and_code_selectors():
    rec = _rec(
        [
            (1_200, 1_300, "CHI", "babble"),
            (1_900, 2_000, "FEM", "praise"),
            (2_600, 2_700, "FEM", "praise"),
            (4_000, 4_100, "CHI", "cry"),
        ],
        5_000,
    )
    r = timewindow.time_window(
        rec, {"speaker_type": "CHI", "code": ["babble"]}, {"code": "praise"}, window_s=1, unit_s=0.5
    )
    # 10 units of 0.5 s; window = units 2, 3 ([1.0, 2.0) s); targets in units 3 and 5
    assert _cells(r) == (1, 1, 1, 7)
    assert r.antecedents == 1


def test_zero_duration_targets_and_rows_outside_the_timeline():
    rec = _rec([(0, 0, "CHI"), (500, 500, "FEM"), (9_000, 9_500, "FEM")], 5_000)
    r = timewindow.time_window(rec, CHILD, MOTHER, window_s=2, target_mode="occurrence")
    assert _cells(r) == (1, 1, 0, 3)
    assert r.targets == 1
    assert any("after the end" in w for w in r.warnings)


def test_parameters_are_validated():
    rec = _dyad()
    with pytest.raises(ValueError, match="whole number"):
        timewindow.time_window(rec, CHILD, MOTHER, window_s=2.5, unit_s=1)
    with pytest.raises(ValueError, match="antecedent mode"):
        timewindow.time_window(rec, CHILD, MOTHER, window_s=2, antecedent_mode="offset")
    with pytest.raises(ValueError, match="selector keys"):
        timewindow.time_window(rec, {"role": "CHI"}, MOTHER, window_s=2)
    with pytest.raises(ValueError, match="empty"):
        timewindow.time_window(rec, {}, MOTHER, window_s=2)


def test_many_recordings_pool_by_summing_tables():
    recs = [_dyad(), _rec([(1_000, 2_000, "CHI"), (2_000, 3_000, "FEM")], 10_000, "b")]
    summary = timewindow.time_window_many(recs, CHILD, MOTHER, window_s=3)
    per = [_cells(r) for r in summary.per_recording]
    assert per == [(0, 3, 1, 26), (1, 2, 0, 7)]
    pooled = summary.pooled
    assert (pooled.a, pooled.b, pooled.c, pooled.d) == (1, 5, 1, 33)
    assert pooled.yules_q == pytest.approx((33 - 5) / (33 + 5))
    frame = summary.to_frame()
    assert frame["recording_id"].to_list() == ["r", "b", "(pooled)"]
    assert frame["a_window_target"].to_list() == [0, 1, 1]
    assert summary.to_dict()["parameters"]["window_s"] == 3.0


def _synthetic(seed, contingent, n_child=60, duration_s=1200, rec_id="d"):
    """Child vocalisations at random times; the mother answers 1-2 s after each (contingent)
    or at independent random times."""
    rng = np.random.default_rng(seed)
    child = np.sort(rng.choice(np.arange(0, duration_s - 10), n_child, replace=False)) * 1000
    if contingent:
        mother = child + rng.integers(1000, 2000, n_child)
    else:
        mother = np.sort(rng.integers(0, (duration_s - 5) * 1000, n_child))
    rows = [(int(c), int(c) + 800, "CHI") for c in child]
    rows += [(int(m), int(m) + 900, "FEM") for m in mother]
    rows.sort()
    return _rec(rows, duration_s * 1000, rec_id)


def test_circular_shift_is_seeded_and_detects_contingency():
    contingent = _synthetic(1, True)
    a = timed_nulls.circular_shift(contingent, CHILD, MOTHER, window_s=3, n_resamples=200, seed=7)
    b = timed_nulls.circular_shift(contingent, CHILD, MOTHER, window_s=3, n_resamples=200, seed=7)
    c = timed_nulls.circular_shift(contingent, CHILD, MOTHER, window_s=3, n_resamples=200, seed=8)
    assert np.array_equal(a.shifts_units, b.shifts_units)
    assert np.array_equal(a.null_q, b.null_q)
    assert not np.array_equal(a.shifts_units, c.shifts_units)
    assert a.shifts_units.min() >= 3 and a.shifts_units.max() <= 1200 - 3
    assert a.table.a == 60  # every answer falls in its window
    assert a.test.count == 0
    assert a.test.p == pytest.approx(1 / 201)
    assert a.test.se == pytest.approx(math.sqrt((1 / 201) * (200 / 201) / 200))
    assert a.test.null_mean < 0.3 < a.table.yules_q
    d = a.to_dict()
    assert d["null_n"] == 200 and d["parameters"]["seed"] == 7


def test_circular_shift_of_an_independent_dyad_is_not_significant():
    r = timed_nulls.circular_shift(
        _synthetic(2, False), CHILD, MOTHER, window_s=3, n_resamples=500, seed=3
    )
    assert r.test.p > 0.05
    assert abs(r.test.null_mean) < 0.2
    assert r.test.p == pytest.approx((r.test.count + 1) / 501)


def test_circular_shift_less_alternative_and_short_timeline():
    r = timed_nulls.circular_shift(
        _synthetic(1, True), CHILD, MOTHER, window_s=3, n_resamples=100, seed=1, alternative="less"
    )
    assert r.test.p == pytest.approx(1.0)
    with pytest.raises(ValueError, match="too short"):
        timed_nulls.circular_shift(_dyad(), CHILD, MOTHER, window_s=16, n_resamples=10)


def test_pseudo_dyads_all_pairs_and_random_pairs():
    recs = [_synthetic(s, True, rec_id=f"d{s}") for s in range(5)]
    res = timed_nulls.pseudo_dyads(recs, CHILD, MOTHER, window_s=3)
    assert len(res.null_q) == 20  # 5 * 4 ordered pairs
    assert {tuple(p) for p in res.pairs} == {(i, j) for i in range(5) for j in range(5) if i != j}
    assert all(r.test.p == pytest.approx(1 / 21) for r in res.per_recording)
    assert res.mean_q > 0.9 > res.null_mean_q
    frame = res.to_frame()
    assert frame["recording_id"].to_list() == ["d0", "d1", "d2", "d3", "d4", "(pooled)"]
    assert frame["null_n"].to_list() == [20] * 6
    random_a = timed_nulls.pseudo_dyads(recs, CHILD, MOTHER, window_s=3, n_resamples=50, seed=4)
    random_b = timed_nulls.pseudo_dyads(recs, CHILD, MOTHER, window_s=3, n_resamples=50, seed=4)
    assert np.array_equal(random_a.pairs, random_b.pairs)
    assert (random_a.pairs[:, 0] != random_a.pairs[:, 1]).all()
    assert random_a.to_dict()["null_n"] == 50


def test_pseudo_dyads_of_independent_recordings_are_not_significant():
    recs = [_synthetic(s, False, rec_id=f"i{s}") for s in range(10, 16)]
    res = timed_nulls.pseudo_dyads(recs, CHILD, MOTHER, window_s=3)
    assert min(r.p for r in res.per_recording) > 0.05
