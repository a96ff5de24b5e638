"""The nulls module: the Monte Carlo p by hand (ties, NaN draws, 'less', cell by cell), the
circular-shift engine (bounds, seeds, wrapping), pseudo-dyad pairings and segment shuffles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.errors import ParameterError
from attunement.measures.nulls import (
    draw_shifts,
    monte_carlo_p,
    pseudo_pairs,
    rolled,
    shift_events,
    shuffled_segments,
)
from attunement.measures.nulls.within import permute_within


def test_monte_carlo_p_by_hand_with_a_tie():
    r = monte_carlo_p(3, [1, 3, 5, 2])  # 3 and 5 are >= 3: (2 + 1) / (4 + 1)
    assert (r.p, r.count, r.n, r.n_nan) == (0.6, 2, 4, 0)
    assert r.se == pytest.approx(math.sqrt(0.6 * 0.4 / 4))
    assert r.null_mean == 2.75
    assert r.null_sd == pytest.approx(math.sqrt((1.75**2 + 0.25**2 + 2.25**2 + 0.75**2) / 3))
    less = monte_carlo_p(3, [1, 3, 5, 2], "less")  # 1, 3 and 2 are <= 3: (3 + 1) / 5
    assert (less.p, less.count, less.alternative) == (0.8, 3, "less")


def test_monte_carlo_p_counts_rounding_noise_as_a_tie():
    assert monte_carlo_p(0.1 + 0.2, [0.3, 0.0]).count == 1
    assert monte_carlo_p(0.3, [0.1 + 0.2, 1.0], "less").count == 1


def test_monte_carlo_p_leaves_nan_draws_out_and_counts_them():
    r = monte_carlo_p(3.0, [1.0, np.nan, 3.0, np.nan, 5.0])
    assert (r.p, r.n, r.count, r.n_nan, r.null_mean, r.null_sd) == (0.75, 3, 2, 2, 3.0, 2.0)
    none = monte_carlo_p(1.0, [np.nan, np.nan])
    assert math.isnan(none.p) and none.n == 0 and none.n_nan == 2
    assert none.to_dict()["p"] is None and none.to_dict()["n_nan"] == 2
    assert math.isnan(monte_carlo_p(np.nan, [1.0, 2.0]).p)
    assert math.isnan(monte_carlo_p(1.0, [2.0]).null_sd)  # one draw: no SD


def test_monte_carlo_p_cell_by_cell():
    observed = np.array([[0.0, 2.0]])
    null = np.array([[[0.0, 1.0]], [[1.0, np.nan]], [[-1.0, 3.0]]])  # 3 draws of a 1 x 2 table
    r = monte_carlo_p(observed, null)
    assert r.p.shape == (1, 2)
    assert r.p.tolist() == [[3 / 4, 2 / 3]]  # (2 + 1) / (3 + 1) and (1 + 1) / (2 + 1)
    assert r.n.tolist() == [[3, 2]] and r.n_nan.tolist() == [[0, 1]]
    assert r.null_mean.tolist() == [[0.0, 2.0]]
    assert r.null_sd[0, 0] == 1.0 and r.null_sd[0, 1] == pytest.approx(math.sqrt(2))
    assert r.to_dict()["p"] == [[0.75, 2 / 3]]


def test_monte_carlo_p_refuses_bad_arguments():
    with pytest.raises(ParameterError, match="alternative"):
        monte_carlo_p(1.0, [1.0], "two-sided")
    with pytest.raises(ParameterError, match="shape"):
        monte_carlo_p([1.0, 2.0], [1.0, 2.0])


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-10, 10),
    st.lists(st.one_of(st.floats(-10, 10), st.just(math.nan)), min_size=1, max_size=40),
    st.sampled_from(["greater", "less"]),
)
def test_monte_carlo_p_is_never_zero(observed, null, alternative):
    r = monte_carlo_p(observed, null, alternative)
    n = sum(not math.isnan(x) for x in null)
    assert r.n == n and r.n_nan == len(null) - n
    if n:
        assert 1 / (n + 1) <= r.p <= 1
        assert r.p * (n + 1) == pytest.approx(round(r.p * (n + 1)))


def test_shift_draws_cover_both_bounds_and_are_seeded():
    shifts = draw_shifts(2000, 10, 3, seed=0)
    assert set(shifts.tolist()) == {3, 4, 5, 6, 7}  # [min_shift, length - min_shift]
    assert np.array_equal(shifts, draw_shifts(2000, 10, 3, seed=0))
    assert not np.array_equal(shifts, draw_shifts(2000, 10, 3, seed=1))
    rng = np.random.default_rng(5)
    assert np.array_equal(
        np.concatenate([draw_shifts(3, 100, 10, rng), draw_shifts(3, 100, 10, rng)]),
        draw_shifts(6, 100, 10, seed=5),
    )
    assert draw_shifts(4, 10, 5, seed=0).tolist() == [5, 5, 5, 5]
    with pytest.raises(ParameterError, match="too short"):
        draw_shifts(1, 9, 5)


def test_shifted_events_wrap_and_keep_their_length():
    onset, offset = np.array([0, 5, 8]), np.array([2, 7, 10])
    moved_on, moved_off = shift_events(onset, offset, 4, 10)
    assert moved_on.tolist() == [4, 9, 2] and moved_off.tolist() == [6, 11, 4]
    assert np.array_equal(moved_off - moved_on, offset - onset)


def test_rolled_grids():
    copies = list(rolled(np.arange(5), [1, 3]))
    assert [c.tolist() for c in copies] == [[4, 0, 1, 2, 3], [2, 3, 4, 0, 1]]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 10_000).flatmap(
        lambda d: st.tuples(
            st.just(d),
            st.lists(st.tuples(st.integers(0, d - 1), st.integers(0, 500)), max_size=30),
            st.integers(0, d),
        )
    )
)
def test_shifting_by_k_then_by_duration_minus_k_restores_the_times(case):
    duration, events, k = case
    onset = np.array([e[0] for e in events], np.int64)
    offset = onset + np.array([e[1] for e in events], np.int64)
    there = shift_events(onset, offset, k, duration)
    back_on, back_off = shift_events(*there, duration - k, duration)
    assert np.array_equal(back_on, onset) and np.array_equal(back_off, offset)


def test_pseudo_pairs_all_ordered_pairs_and_random_ones():
    every = pseudo_pairs(4)
    assert every.shape == (12, 2)
    assert {tuple(p) for p in every.tolist()} == {
        (i, j) for i in range(4) for j in range(4) if i != j
    }
    drawn = pseudo_pairs(4, 500, seed=3)
    assert drawn.shape == (500, 2) and (drawn[:, 0] != drawn[:, 1]).all()
    assert len({tuple(p) for p in drawn.tolist()}) == 12  # all 12 ordered pairs turn up
    assert np.array_equal(drawn, pseudo_pairs(4, 500, seed=3))


def test_pseudo_pairs_derangements():
    rows = pseudo_pairs(5, 300, seed=1, derangements=True)
    assert rows.shape == (300, 5)
    assert (np.sort(rows, axis=1) == np.arange(5)).all()  # each row a permutation
    assert (rows != np.arange(5)).all()  # nobody keeps a partner
    assert np.array_equal(rows, pseudo_pairs(5, 300, seed=1, derangements=True))
    assert pseudo_pairs(2, 3, derangements=True).tolist() == [[1, 0]] * 3
    with pytest.raises(ParameterError, match="two dyads"):
        pseudo_pairs(1)
    with pytest.raises(ParameterError, match="need n_resamples"):
        pseudo_pairs(3, derangements=True)


def test_shuffled_segments_move_whole_segments():
    copies = list(shuffled_segments(np.arange(7), 3, 50, seed=2))  # [0 1 2] [3 4 5] [6]
    pieces = {(0, 1, 2), (3, 4, 5), (6,)}
    for copy in copies:
        values, seen = copy.tolist(), set()
        while values:
            size = 1 if values[0] == 6 else 3
            seen.add(tuple(values[:size]))
            values = values[size:]
        assert seen == pieces
    assert len({tuple(c.tolist()) for c in copies}) == 6  # all 3! orders turn up
    again = list(shuffled_segments(np.arange(7), 3, 50, seed=2))
    assert all(np.array_equal(a, b) for a, b in zip(copies, again, strict=True))
    with pytest.raises(ParameterError, match="two segments"):
        shuffled_segments(np.arange(7), 4, 1)


def test_permute_within_keeps_each_sequence_and_its_boundaries():
    values, starts = np.array([0, 1, 1, 0, 2]), np.array([0, 2, 5])  # [0 1] [1 0 2]
    draws = permute_within(values, starts, 200, seed=0, no_repeats=True)
    assert draws.shape == (200, 5)
    assert (np.sort(draws[:, :2], axis=1) == [0, 1]).all()  # a repeat across the boundary is
    assert (np.sort(draws[:, 2:], axis=1) == [0, 1, 2]).all()  # allowed; within one, never
    assert (draws[:, 2:-1] != draws[:, 3:]).all() and (draws[:, 0] != draws[:, 1]).all()
    assert np.array_equal(draws, permute_within(values, starts, 200, seed=0, no_repeats=True))
    with pytest.raises(ParameterError, match="immediate repeats"):
        permute_within(np.array([0, 1, 1]), np.array([0, 3]), 1, no_repeats=True)
    with pytest.raises(ParameterError, match="n_resamples"):
        permute_within(values, starts, 0)
