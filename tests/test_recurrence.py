"""Categorical cross-recurrence: hand-computed matrices, a brute-force reference on the full
matrix, multiSyncPy as an oracle where definitions agree, and the ConNEcT attachment dyad."""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.measures.synchrony.recurrence import (
    _run_ends,
    _scan_cells,
    _scan_runs,
    cross_recurrence,
    cross_recurrence_matrix,
    encode_pair,
)
from tests.conftest import REAL, need

# Hand example. R[i, j] = x_i == y_j, rows x = a a b b a b, columns y = a b b b a a:
#   1 0 0 0 1 1 / 1 0 0 0 1 1 / 0 1 1 1 0 0 / 0 1 1 1 0 0 / 1 0 0 0 1 1 / 0 1 1 1 0 0
# 18 points. Diagonals (lag = j - i): 0: 1 0 1 1 1 0 -> lines 1, 3; +1: 0 0 1 0 1 -> 1, 1;
# +2: none; +3: 1; +4: 2; +5: 1; -1: 1 1 1 0 0 -> 3; -2: 0 1 0 1 -> 1, 1; -3: 1; -4: 2; -5: none.
# Lengths: 1 x 8, 2 x 2, 3 x 2. Vertical lines (row fixed): rows of a -> 1, 2; rows of b -> 3:
# 1 x 3, 2 x 3, 3 x 3.
X, Y = list("aabbab"), list("abbbaa")


def brute(x, y, lmin=2, vmin=2):
    """Reference: the full matrix, every diagonal and column scanned in plain Python."""
    r = cross_recurrence_matrix(x, y)
    n = r.shape[0]

    def runs(seq):
        out, run = [], 0
        for v in [*seq, False]:
            if v:
                run += 1
            elif run:
                out.append(run)
                run = 0
        return out

    diag = [length for d in range(-(n - 1), n) for length in runs(np.diagonal(r, d))]
    vert = [length for i in range(n) for length in runs(r[i, :])]
    points = int(r.sum())
    dl = [v for v in diag if v >= lmin]
    vl = [v for v in vert if v >= vmin]
    counts = {k: dl.count(k) for k in set(dl)}
    return {
        "points": points,
        "det": sum(dl) / points if points else None,
        "l_mean": sum(dl) / len(dl) if dl else None,
        "l_max": max(dl, default=0),
        "entr": -sum(c / len(dl) * math.log(c / len(dl)) for c in counts.values()) if dl else None,
        "lam": sum(vl) / points if points else None,
        "tt": sum(vl) / len(vl) if vl else None,
        "v_max": max(vl, default=0),
        "profile": [float(np.diagonal(r, d).mean()) for d in range(-(n - 1), n)],
    }


def test_hand_example_every_measure():
    res = cross_recurrence(X, Y, max_lag=2)
    assert res.recurrence_points == 18 and res.rr == 0.5
    assert res.diagonal_lengths == {1: 8, 2: 2, 3: 2}
    assert res.det == pytest.approx(10 / 18)
    assert res.l_mean == 2.5 and res.l_max == 3 and res.diagonal_lines == 4
    assert res.entr == pytest.approx(math.log(2))
    assert res.vertical_lengths == {1: 3, 2: 3, 3: 3}
    assert res.lam == pytest.approx(15 / 18) and res.tt == 2.5 and res.v_max == 3
    assert res.lags.tolist() == [-2, -1, 0, 1, 2]
    assert res.profile_points.tolist() == [2, 3, 4, 2, 0]
    assert res.profile.tolist() == pytest.approx([2 / 4, 3 / 5, 4 / 6, 2 / 5, 0.0])
    assert res.profile_peak_lags() == [0]
    assert res.to_frame()["length"].to_list() == [4, 5, 6, 5, 4]
    out = res.to_dict()
    assert out["parameters"] == {"lmin": 2, "vmin": 2, "max_lag": 2, "missing": ["", None, "NaN"]}
    assert out["diagonal_lengths"] == {"1": 8, "2": 2, "3": 2}
    assert "Marwan" in out["source"] and "lag > 0: the child leads" in out["definition"]


def test_lmin_three_and_one():
    res = cross_recurrence(X, Y, lmin=3, vmin=3)
    assert res.det == pytest.approx(6 / 18) and res.l_mean == 3 and res.entr == 0.0
    assert res.lam == pytest.approx(9 / 18) and res.tt == 3
    one = cross_recurrence(X, Y, lmin=1)
    assert one.det == 1.0 and one.l_mean == 18 / 12


def test_multisyncpy_differs_on_mean_length_and_triangle():
    msp = pytest.importorskip("multiSyncPy.synchrony_metrics", reason="multiSyncPy not installed")
    # Given R itself, multiSyncPy reads only lags +1..+5: runs 1,1 | 1 | 2 | 1 -> 6 points on
    # 15 upper cells, DET 2/6, and mean length over ALL runs 6/5 (ours: lines >= 2 only).
    rec, det, mean_length, max_length = msp.rqa_metrics(cross_recurrence_matrix(X, Y), 2)
    assert (rec, det, mean_length, max_length) == pytest.approx((6 / 15, 2 / 6, 6 / 5, 2))
    ours = cross_recurrence(X, Y)
    assert (ours.rr, ours.det, ours.l_mean) == pytest.approx((0.5, 10 / 18, 2.5))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from("abc"), min_size=2, max_size=14),
    st.integers(0, 2**32 - 1),
    st.integers(1, 3),
)
def test_multisyncpy_oracle_on_block_embedding(x, seed, lmin):
    """Put R in the upper-right block of a 2n x 2n zero matrix: every diagonal of R becomes an
    upper diagonal, so multiSyncPy's DET and Lmax must equal ours, and its RR rescales."""
    msp = pytest.importorskip("multiSyncPy.synchrony_metrics", reason="multiSyncPy not installed")
    y = list(np.random.default_rng(seed).choice(list("abc"), len(x)))
    n = len(x)
    block = np.zeros((2 * n, 2 * n), dtype=bool)
    block[:n, n:] = cross_recurrence_matrix(x, y)
    rec, det, _, max_length = msp.rqa_metrics(block, lmin)
    ours = cross_recurrence(x, y, lmin=lmin)
    assert ours.rr == pytest.approx(rec * n * (2 * n - 1) / n**2)
    if ours.recurrence_points:
        assert ours.det == pytest.approx(det)
        if ours.diagonal_lines:
            assert ours.l_max == max_length


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", ""]), min_size=1, max_size=25),
    st.integers(0, 2**32 - 1),
    st.integers(1, 4),
    st.integers(1, 4),
)
def test_matches_brute_force_and_swapping_transposes(x, seed, lmin, vmin):
    y = list(np.random.default_rng(seed).choice(["a", "b", "c", ""], len(x)))
    res = cross_recurrence(x, y, lmin=lmin, vmin=vmin)
    ref = brute(x, y, lmin, vmin)
    assert res.recurrence_points == ref["points"]
    for key in ("det", "l_mean", "entr", "lam", "tt"):
        got, want = getattr(res, key), ref[key]
        assert (got is None) == (want is None) and (got is None or got == pytest.approx(want))
    assert (res.l_max, res.v_max) == (ref["l_max"], ref["v_max"])
    assert res.profile == pytest.approx(ref["profile"])
    assert 0 <= res.rr <= 1 and all(0 <= v <= 1 for v in (res.det or 0, res.lam or 0))
    swapped = cross_recurrence(y, x, lmin=lmin, vmin=vmin)
    for key in ("rr", "det", "l_mean", "l_max", "entr", "diagonal_lengths"):
        assert getattr(swapped, key) == pytest.approx(getattr(res, key))
    assert swapped.profile[::-1] == pytest.approx(res.profile)
    assert swapped.lam == (brute(y, x, lmin, vmin)["lam"])  # horizontal lines of R
    assert (cross_recurrence_matrix(y, x) == cross_recurrence_matrix(x, y).T).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=1, max_size=40), st.integers(0, 2**32 - 1))
def test_both_kernels_agree_and_det_falls_with_lmin(x, seed):
    y = np.random.default_rng(seed).integers(0, 3, len(x))
    cx, cy = encode_pair(np.asarray(x), y, ())
    lag = len(x) - 1
    runs, cells = _scan_runs(cx, cy, _run_ends(cx), _run_ends(cy), lag), _scan_cells(cx, cy, lag)
    assert all(np.array_equal(a, b) for a, b in zip(runs, cells, strict=True))
    dets = [cross_recurrence(x, y, lmin=k).det for k in (1, 2, 3, 4)]
    if dets[0] is not None:
        assert dets[0] == 1.0 and all(a >= b for a, b in itertools.pairwise(dets))


def test_no_recurrence_full_recurrence_one_category():
    none = cross_recurrence(list("aaaa"), list("bbbb"))
    assert none.recurrence_points == 0 and none.rr == 0.0
    assert none.det is None and none.l_mean is None and none.entr is None
    assert none.lam is None and none.l_max == 0 and none.profile.tolist() == [0.0] * 7
    full = cross_recurrence(list("aaaa"), list("aaaa"))
    assert full.rr == 1.0 and full.lam == 1.0
    # diagonals of lengths 1, 2, 3, 4, 3, 2, 1: lines >= 2 are 2, 3, 4, 3, 2; the two corner
    # points are lines of length 1, so DET < 1 even for full recurrence
    assert full.diagonal_lengths == {1: 2, 2: 2, 3: 2, 4: 1}
    assert full.det == pytest.approx(14 / 16)
    assert full.l_mean == pytest.approx(14 / 5) and full.l_max == 4
    assert full.entr == pytest.approx(-(2 * 0.4 * math.log(0.4) + 0.2 * math.log(0.2)))
    assert full.tt == 4.0 and full.vertical_lengths == {4: 4}


def test_missing_labels_never_recur_and_are_counted():
    res = cross_recurrence(["a", "", "a", None], ["a", "", "", "a"])
    assert (res.missing_x, res.missing_y) == (2, 2)
    # x = a . a . ; y = a . . a -> points (0,0) (0,3) (2,0) (2,3)
    assert res.recurrence_points == 4
    nan = cross_recurrence(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert nan.recurrence_points == 1 and nan.missing_x == 1
    all_missing = cross_recurrence(["", ""], ["", ""])
    assert all_missing.recurrence_points == 0 and all_missing.vertical_lines == 0


def test_single_sample_and_numeric_labels():
    one = cross_recurrence(["a"], ["a"])
    assert (one.rr, one.det, one.l_max, one.lam) == (1.0, 0.0, 0, 0.0)
    assert cross_recurrence([1, 2, 1], [1.0, 2.0, 3.0]).recurrence_points == 3


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="same length"):
        cross_recurrence(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="empty"):
        cross_recurrence([], [])
    with pytest.raises(ValueError, match="lmin"):
        cross_recurrence(["a"], ["a"], lmin=0)
    with pytest.raises(ValueError, match="max_lag"):
        cross_recurrence(["a", "b"], ["a", "b"], max_lag=2)
    with pytest.raises(ValueError, match="one-dimensional"):
        cross_recurrence([["a"]], [["a"]])


def test_long_series_kernels_give_the_same_numbers():
    rng = np.random.default_rng(7)
    x = np.repeat(rng.integers(0, 4, 150), 20)  # long runs: the run-jumping kernel
    y = np.repeat(rng.integers(0, 4, 150), 20)
    res = cross_recurrence(x, y, max_lag=10)
    counts_x, counts_y = np.bincount(x, minlength=4), np.bincount(y, minlength=4)
    assert res.recurrence_points == int(counts_x @ counts_y)
    cx, cy = encode_pair(x, y, ())
    hist, profile, total = _scan_cells(cx, cy, 10)
    assert total == res.recurrence_points and profile.tolist() == res.profile_points.tolist()
    assert {int(k): int(hist[k]) for k in np.flatnonzero(hist)} == res.diagonal_lengths


# ConNEcT AttachmentData (Bodner et al. 2019): 90 two-second intervals of one mother-child dyad.
# State per partner from its positive / negative codes: both -> "mixed", pos only -> "pos",
# neg only -> "neg", neither -> "neutral" (child from Cpos/Cneg, mother from Mpos/Mneg).


def attachment_states() -> tuple[list[str], list[str]]:
    frame = pl.read_csv(need(REAL / "connect" / "AttachmentData.csv"))
    names = {(1, 1): "mixed", (1, 0): "pos", (0, 1): "neg", (0, 0): "neutral"}
    rows = frame.select("Cpos", "Cneg", "Mpos", "Mneg").rows()
    return [names[(r[0], r[1])] for r in rows], [names[(r[2], r[3])] for r in rows]


def test_real_attachment_dyad():
    child, mother = attachment_states()
    assert len(child) == 90
    res = cross_recurrence(child, mother, max_lag=5)
    # numbers checked against the plain-Python full-matrix recomputation below
    assert res.recurrence_points == 1892  # 3·2 + 51·10 + 25·37 + 11·41 (mixed, neg, neutral, pos)
    assert res.rr == pytest.approx(1892 / 8100)
    assert res.det == pytest.approx(1218 / 1892)
    assert res.l_mean == pytest.approx(1218 / 433) and res.l_max == 11
    assert res.entr == pytest.approx(1.2186719317031995)
    assert res.lam == pytest.approx(1706 / 1892) and res.tt == pytest.approx(1706 / 412)
    assert res.v_max == 11
    assert res.profile_points.tolist() == [23, 25, 31, 35, 29, 26, 25, 31, 26, 27, 25]
    assert res.profile_peak_lags() == [-2]  # mother's state 2 samples (4 s) earlier
    ref = brute(child, mother)
    assert ref["points"] == 1892 and ref["det"] == pytest.approx(res.det)
    assert ref["entr"] == pytest.approx(res.entr) and ref["tt"] == pytest.approx(res.tt)
    assert ref["profile"][89 - 5 : 89 + 6] == pytest.approx(res.profile.tolist())
