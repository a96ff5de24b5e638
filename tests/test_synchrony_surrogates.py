"""Surrogate nulls: reproducible by seed, each scheme does what it says (shift range, segment
order, derangements), the p-value formula, and a shifted copy is significant while independent
noise is not."""

import numpy as np
import pytest

from attunement.errors import ParameterError
from attunement.measures.synchrony import circular_shift, pseudo_dyads, segment_shuffle, wcc


def best_r(a, b):
    """Mean over windows of the largest r over lags (10 Hz, +-2 s, 20 s windows, 10 s step)."""
    m = wcc(a, b, rate=10, lag_s=2, window_s=20, step_s=10).matrix
    return float(np.nanmean(np.nanmax(m, axis=1)))


def ar1(rng, n, phi=0.8):
    noise = rng.normal(size=n)
    out = np.empty(n)
    out[0] = noise[0]
    for t in range(1, n):
        out[t] = phi * out[t - 1] + noise[t]
    return out


def test_same_seed_same_null_other_seed_other_null():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=200), rng.normal(size=200)

    def stat(a, b):
        return float(np.corrcoef(a, b)[0, 1])

    one = circular_shift(x, y, stat, rate=1, n_resamples=50, min_shift_s=20, seed=7)
    two = circular_shift(x, y, stat, rate=1, n_resamples=50, min_shift_s=20, seed=7)
    three = circular_shift(x, y, stat, rate=1, n_resamples=50, min_shift_s=20, seed=8)
    assert np.array_equal(one.null, two.null) and not np.array_equal(one.null, three.null)
    seg = [
        segment_shuffle(x, y, stat, rate=1, n_resamples=30, segment_s=25, seed=3) for _ in range(2)
    ]
    assert np.array_equal(seg[0].null, seg[1].null)
    dyads = [(rng.normal(size=100), rng.normal(size=100)) for _ in range(4)]
    pd = [pseudo_dyads(dyads, stat, n_resamples=20, seed=1) for _ in range(2)]
    assert np.array_equal(pd[0].null, pd[1].null)


def test_circular_shifts_stay_within_min_shift():
    n = 100
    x = np.arange(n, dtype=float)

    def shift_of(a, b):  # np.roll(x, k)[0] = x[-k] = n - k
        return float((n - b[0]) % n)

    res = circular_shift(x, x, shift_of, rate=2, n_resamples=500, min_shift_s=5, seed=0)
    assert res.null.min() >= 10 and res.null.max() <= 90  # 5 s = 10 samples at 2 Hz
    assert res.null.min() == 10 and res.null.max() == 90  # both ends are drawn
    assert res.observed == 0.0
    assert res.parameters == {"n_resamples": 500, "min_shift_s": 5, "rate_hz": 2, "seed": 0}
    with pytest.raises(ParameterError, match="min_shift_s"):
        circular_shift(x, x, shift_of, rate=2, n_resamples=5, min_shift_s=0, seed=0)
    with pytest.raises(ParameterError, match="at most half"):
        circular_shift(x, x, shift_of, rate=2, n_resamples=5, min_shift_s=25.5, seed=0)


def test_segment_shuffle_permutes_whole_segments():
    y = np.arange(23, dtype=float)  # segments of 5: 4 full and one of 3
    seen = []

    def record(a, b):
        seen.append(b.copy())
        return 0.0

    res = segment_shuffle(y, y, record, rate=4, n_resamples=20, segment_s=1.25, seed=2)
    assert res.parameters["n_segments"] == 5
    surrogates = seen[:-1]  # the observed pair comes last
    for b in surrogates:
        values, starts = b.tolist(), []
        while values:
            start = values[0]
            size = min(5, 23 - int(start))
            assert start % 5 == 0 and values[:size] == [start + i for i in range(size)]
            starts.append(start)
            values = values[size:]
        assert sorted(starts) == [0, 5, 10, 15, 20]
    assert any(not np.array_equal(b, y) for b in surrogates)


def test_pseudo_dyads_never_keep_a_partner_and_cut_to_the_shorter():
    dyads = [(np.full(50 + 10 * i, float(i)), np.full(40 + 10 * i, float(i))) for i in range(3)]
    lengths = set()

    def same_dyad(a, b):
        lengths.add((len(a), len(b)))
        return float(a[0] == b[0])

    res = pseudo_dyads(dyads, same_dyad, n_resamples=40, seed=0)
    assert res.observed == 1.0 and res.null.tolist() == [0.0] * 40
    assert res.p == pytest.approx(1 / 41)  # (0 + 1) / (40 + 1)
    assert res.effect is None  # null SD 0
    assert all(a == b for a, b in lengths)
    assert res.parameters["observed_per_dyad"] == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="at least two dyads"):
        pseudo_dyads(dyads[:1], same_dyad, n_resamples=5, seed=0)


def test_p_value_counts_ties_and_the_observed():
    x = np.arange(10, dtype=float)
    res = circular_shift(x, x, lambda a, b: 1.0, rate=1, n_resamples=9, min_shift_s=1, seed=0)
    assert res.p == 1.0  # (9 ties + 1) / (9 + 1)
    assert len(res.null) == 9 and res.difference == 0.0 and res.n_nan == 0


def test_shifted_copy_is_significant_and_independent_noise_is_not():
    rng = np.random.default_rng(11)
    leader = ar1(rng, 1500)
    follower = np.roll(leader, 5) + rng.normal(scale=0.5, size=1500)
    stranger = ar1(rng, 1500)
    real = circular_shift(leader, follower, best_r, rate=10, n_resamples=99, min_shift_s=10, seed=0)
    assert real.p == 0.01 and real.effect > 5
    null = circular_shift(leader, stranger, best_r, rate=10, n_resamples=99, min_shift_s=10, seed=0)
    assert null.p > 0.2
    shuffled = segment_shuffle(
        leader, follower, best_r, rate=10, n_resamples=49, segment_s=15, seed=0
    )
    assert shuffled.p == 0.02
