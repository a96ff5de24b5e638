"""Lag-sequential tables: the published Bakeman & Quera (2011, p. 159) and O'Connor (1999)
examples to their printed precision, edge cases, and properties."""

from __future__ import annotations

import itertools
import json

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.measures.sequential import indices, sequential
from attunement.measures.sequential import structural as quasi
from attunement.measures.sequential.lag import counts_by_sequence, lag_counts, lag_table
from attunement.measures.sequential.sequences import Sequences

# Bakeman & Quera (2011), p. 159, as run by LagSequential 0.1.1 (reference README §3).
NAMES = ("Chat", "Write", "Read", "Ask", "Attentive")
BQ = [
    2, 1, 4, 3, 3, 4, 3, 4, 2, 1, 4, 4, 5, 4, 1, 3, 4, 5, 3, 2, 2, 1, 4, 1, 2,
    5, 2, 1, 2, 3, 3, 1, 4, 4, 1, 4, 1, 3, 3, 3, 1, 5, 2, 1, 1, 3, 1, 4, 1, 2,
    3, 3, 4, 5, 5, 2, 3, 3, 5, 2, 5, 4, 4, 2, 3, 1, 5, 5, 2, 2, 1, 3, 3, 3, 3,
]  # fmt: skip
BQ_FREQ = [[1, 3, 4, 6, 2], [6, 2, 4, 0, 2], [4, 1, 9, 4, 1], [5, 2, 2, 3, 3], [0, 5, 1, 2, 2]]
BQ_ADJ = [
    [-1.69, 0.14, -0.21, 1.94, -0.13],
    [2.14, -0.36, 0.14, -2.10, 0.09],
    [-0.07, -1.63, 2.32, 0.10, -1.22],
    [1.23, -0.48, -1.34, -0.03, 0.82],
    [-1.79, 2.90, -1.30, -0.02, 0.65],
]
BQ_Q = [
    [-0.68, 0.05, -0.07, 0.53, -0.06],
    [0.58, -0.15, 0.05, -1.00, 0.04],
    [-0.02, -0.67, 0.57, 0.03, -0.56],
    [0.37, -0.20, -0.48, -0.01, 0.30],
    [-1.00, 0.75, -0.58, -0.01, 0.27],
]

# O'Connor (1999), Behav Res Methods 31:718, Appendix A input and Appendix B output (Gottman &
# Roy 1990 couple data): the published check for Wampold's kappa, which B&Q's table lacks.
OCONNOR = [
    2, 5, 2, 4, 2, 5, 2, 4, 2, 4, 2, 2, 5, 2, 4, 2, 5, 3, 4, 3, 4, 1, 4, 4, 1, 2, 5, 2, 1, 5, 4,
    2, 5, 1, 4, 4, 2, 3, 6, 6, 2, 2, 6, 5, 5, 5, 6, 3, 6, 3, 3, 6, 3, 2, 5, 3, 5, 2, 6, 2, 2, 2,
    5, 2, 4, 4, 5, 2, 5, 2, 5, 5, 4, 2, 5, 5, 5, 2, 5, 2, 5, 2, 5, 2, 2, 5, 2, 5, 2, 2, 5, 5, 2,
    2, 2, 5, 2, 5, 2, 5, 2, 5, 2, 2, 5, 2, 5, 3, 5, 2, 5, 5, 2, 2, 5, 2, 2, 5, 2, 6, 2, 5, 4, 2,
    5, 2, 4, 4, 2, 1, 2, 5, 2, 5, 2, 5, 5, 5, 3, 5, 2, 5, 5, 2, 5, 5, 2, 5, 2, 5, 2, 4, 2, 4, 2,
    5, 4, 2, 2, 5, 2, 5, 5, 5, 2, 5, 2, 5, 5, 2, 5, 2, 5, 5, 2, 1, 2, 5, 1, 5, 1, 5, 5, 4, 2, 2,
    2, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 3, 6, 6, 6, 5, 1, 2, 5, 2, 5, 5, 2, 4, 5, 5, 2, 5, 5, 2,
    5, 2, 5, 2, 5, 1, 5, 4, 2, 2, 5, 2, 5, 2, 5, 4, 1, 4, 4, 2, 4, 4, 2, 4, 2, 3, 5, 4, 2, 2, 5,
    2, 6, 1, 4, 1, 4, 5, 5, 5, 4, 5, 2, 4, 5, 5, 2, 5, 2, 2, 2, 5, 2, 2, 5, 2, 2, 4, 2, 2, 2, 6,
    2, 4, 3, 3, 3, 3, 2, 3, 6, 3, 5, 3, 3, 5, 3, 2, 2, 2, 2, 6, 3, 6, 3, 6, 2, 6, 1, 6, 3, 3, 3,
    3, 5, 3, 5, 2, 5, 3, 3, 6, 3, 1, 4, 1, 5, 1, 5, 6, 3, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 3, 6,
    3, 6, 3, 2, 5, 2, 5, 2, 5, 2, 5, 2, 2, 2, 3, 5, 1, 6, 1, 6, 6, 6, 1, 6, 6, 1, 6, 1, 6, 2, 5,
    1, 6, 6, 6, 2, 2, 6, 6, 6, 2, 6, 2, 6, 2, 5, 5, 5, 5, 5, 5, 6,
]  # fmt: skip
OCONNOR_KAPPA = [
    [-1.0000, -0.4443, -1.0000, 0.1840, -0.0846, 0.2029],
    [-0.5832, -0.2727, -0.6672, 0.0952, 0.3632, -0.3610],
    [-0.6440, -0.7337, 0.1457, -0.5574, -0.3421, 0.3316],
    [0.1361, 0.2919, -0.5574, 0.0751, -0.5258, -1.0000],
    [0.0879, 0.2852, -0.4152, -0.1465, -0.1541, -0.7895],
    [0.1531, -0.3610, 0.3555, -1.0000, -0.8596, 0.0834],
]
OCONNOR_KAPPA_Z = [
    [-1.231, -1.480, -1.841, 2.818, -0.264, 2.624],
    [-1.943, -2.459, -3.326, 0.900, 6.726, -1.842],
    [-1.186, -3.657, 2.884, -1.327, -1.595, 6.415],
    [2.083, 2.760, -1.327, 1.487, -2.119, -2.437],
    [0.687, 5.282, -1.936, -0.590, -1.216, -3.768],
    [1.980, -1.842, 6.876, -2.437, -4.103, 1.651],
]
OCONNOR_ADJ = [
    [-1.234, -1.466, -1.846, 2.815, -0.272, 2.620],
    [-1.953, -2.417, -3.341, 0.890, 6.712, -1.856],
    [-1.191, -3.640, 2.878, -1.334, -1.608, 6.410],
    [2.080, 2.793, -1.334, 1.482, -2.131, -2.444],
    [0.680, 5.347, -1.949, -0.601, -1.237, -3.782],
    [2.031, -1.732, 6.988, -2.416, -4.057, 1.717],
]


def printed(value, table, decimals: int) -> None:
    """``value`` rounds to the published ``table`` at its printed precision."""
    assert np.all(np.abs(np.asarray(value) - np.asarray(table)) <= 0.5 * 10.0**-decimals + 1e-9)


@pytest.fixture(scope="module")
def bq() -> Sequences:
    return Sequences.from_lists([[NAMES[c - 1] for c in BQ]], codes=NAMES)


def test_bakeman_quera_lag1(bq: Sequences) -> None:
    r = lag_table(bq)
    assert r.codes == NAMES
    assert r.n_events == 75 and r.n_pairs == 74
    assert r.frequencies.tolist() == BQ_FREQ
    assert round(r.g2, 2) == 30.95 and r.df == 16 and round(r.p, 5) == 0.01364
    printed(r.adjusted_residuals, BQ_ADJ, 2)
    printed(r.yules_q, BQ_Q, 2)


def test_bakeman_quera_structural_diagonal(bq: Sequences) -> None:
    r = lag_table(bq, no_repeats=True)
    assert r.n_events == 58
    assert r.structural.tolist() == np.eye(5, dtype=bool).tolist()
    assert round(r.g2, 2) == 21.06 and r.df == 11 and round(r.p, 5) == 0.03276
    assert round(r.adjusted_residuals[NAMES.index("Attentive"), NAMES.index("Write")], 2) == 3.06
    assert round(r.adjusted_residuals[NAMES.index("Write"), NAMES.index("Ask")], 2) == -2.41
    assert r.ipf["converged"]
    assert np.all(r.expected[np.eye(5, dtype=bool)] == 0)
    assert np.isnan(r.adjusted_residuals[np.eye(5, dtype=bool)]).all()
    assert r.parameters["structural_zeros"][0] == ["Chat", "Chat"]


def test_oconnor_kappa_residuals_g2() -> None:
    r = lag_table(Sequences.from_lists([OCONNOR]))
    assert r.n_pairs == 392 and round(r.g2, 4) == 202.5009 and r.df == 25
    printed(r.kappa, OCONNOR_KAPPA, 4)
    printed(r.kappa_z, OCONNOR_KAPPA_Z, 3)
    printed(r.adjusted_residuals, OCONNOR_ADJ, 3)


def test_oconnor_uses_margins_on_the_diagonal_and_exact_differs_only_there() -> None:
    """O'Connor's published table pins down his expected counts: n_i n_j / n in every cell. The
    exact variant, n_i (n_i - 1) / n on the diagonal, agrees off the diagonal and not on it."""
    seqs = Sequences.from_lists([OCONNOR])
    default, exact = lag_table(seqs), lag_table(seqs, kappa_expected="exact")
    assert default.parameters["kappa_expected"] == "oconnor1999"
    assert exact.parameters["kappa_expected"] == "exact"
    off = ~np.eye(6, dtype=bool)
    assert np.allclose(exact.kappa[off], default.kappa[off], equal_nan=True)
    printed(exact.kappa[off], np.asarray(OCONNOR_KAPPA)[off], 4)
    # the diagonal by hand (code 3: n_3 events of n = 393, x_33 repeats)
    n3 = OCONNOR.count(3)
    x33 = sum(a == b == 3 for a, b in itertools.pairwise(OCONNOR))
    e_oc, e_ex = n3 * n3 / 393, n3 * (n3 - 1) / 393
    assert default.kappa[2, 2] == pytest.approx((x33 - e_oc) / (n3 - e_oc))
    assert exact.kappa[2, 2] == pytest.approx((x33 - e_ex) / (n3 - 1 - e_ex))
    assert abs(exact.kappa[2, 2] - OCONNOR_KAPPA[2][2]) > 5e-5  # not O'Connor's number


def test_exact_kappa_moments_equal_complete_enumeration() -> None:
    """Over every distinct permutation of 11 events (3 codes), the lag-1 count of each cell has
    mean e and variance v: z = (x - e) / sqrt(v) for the exact variant, to 1e-9."""
    events = ["a", "a", "a", "b", "b", "c", "a", "b", "c", "c", "a"]
    tables = []
    for order in set(itertools.permutations(events)):
        t = np.zeros((3, 3))
        for a, b in itertools.pairwise(order):
            t["abc".index(a), "abc".index(b)] += 1
        tables.append(t)
    tables = np.array(tables)
    mean, var = tables.mean(axis=0), tables.var(axis=0)
    x = tables[0]
    totals = np.array([events.count(c) for c in "abc"])
    _, z = indices.wampold_kappa(x, totals, len(events), "exact")
    assert np.allclose(z, (x - mean) / np.sqrt(var), atol=1e-9)
    _, z_oc = indices.wampold_kappa(x, totals, len(events))
    assert not np.allclose(np.diag(z_oc), np.diag((x - mean) / np.sqrt(var)))
    with pytest.raises(ValueError, match="kappa_expected must be one of oconnor1999, exact"):
        indices.wampold_kappa(x, totals, len(events), "wampold")


def test_odds_ratio_zero_cell_rule(bq: Sequences) -> None:
    r = lag_table(bq)
    w, a = NAMES.index("Write"), NAMES.index("Ask")
    assert r.frequencies[w, a] == 0 and r.yules_q[w, a] == -1.0  # Q uncorrected
    assert r.or_corrected[w, a] and r.or_corrected.sum() == 2  # Write→Ask, Attentive→Chat
    row, col = r.frequencies[w].sum(), r.frequencies[:, a].sum()
    cells = np.array([0, row, col, 74 - row - col]) + 0.5
    assert r.odds_ratio[w, a] == pytest.approx(cells[0] * cells[3] / (cells[1] * cells[2]))
    chat = NAMES.index("Chat")  # an uncorrected cell: plain ad / bc
    a_, b_, c_, d_ = (m[chat, chat] for m in indices.two_by_two(r.frequencies))
    assert r.log_odds_ratio[chat, chat] == pytest.approx(np.log(a_ * d_ / (b_ * c_)))


def test_hat_residuals_equal_haberman_without_structural_zeros(bq: Sequences) -> None:
    r = lag_table(bq)
    none = np.zeros((5, 5), dtype=bool)
    fit = quasi.ipf(r.frequencies, none)
    assert np.allclose(fit.expected, r.expected)
    assert np.allclose(quasi.hat_residuals(r.frequencies, fit.expected, none), r.adjusted_residuals)
    assert quasi.residual_df(fit.expected, none) == 16


def test_outputs_json_and_frame(bq: Sequences) -> None:
    r = lag_table(bq, no_repeats=True)
    d = json.loads(json.dumps(sequential(bq, no_repeats=True).to_dict()))  # its JSON
    assert d["codes"] == list(NAMES) and d["df"] == 11
    assert d["frequencies"][4][1] == r.frequencies[4, 1]
    assert d["adjusted_residuals"][0][0] is None
    assert d["parameters"]["no_repeats"] is True
    frame = r.to_frame()
    assert frame.height == 25
    row = frame.filter(pl.col("given") == "Attentive", pl.col("target") == "Write")
    assert round(row["adjusted_residual"][0], 2) == 3.06


# --- edge cases -----------------------------------------------------------------------------


def test_lag_longer_than_sequence() -> None:
    r = lag_table(Sequences.from_lists([["A", "B", "A"]]), lag=5)
    assert r.n_pairs == 0 and r.frequencies.sum() == 0
    assert np.isnan(r.g2) and np.isnan(r.p)
    assert np.isnan(r.adjusted_residuals).all()


def test_single_event_sequences() -> None:
    seqs = Sequences.from_lists([["A"], ["B"], [], ["A"]])
    assert seqs.n_sequences == 4
    assert lag_counts(seqs).sum() == 0


def test_code_that_never_occurs() -> None:
    seqs = Sequences.from_lists([list("ABABBA")], codes=["A", "B", "C"])
    r = lag_table(seqs)
    assert r.frequencies[2].sum() == 0 and r.frequencies[:, 2].sum() == 0
    assert np.isnan(r.adjusted_residuals[2]).all() and np.isnan(r.adjusted_residuals[:, 2]).all()
    assert np.isnan(r.yules_q[2]).all() and np.isnan(r.odds_ratio[:, 2]).all()
    assert r.df == 1


def test_all_identical_sequence() -> None:
    r = lag_table(Sequences.from_lists([["A"] * 10], codes=["A", "B"]))
    assert r.frequencies.tolist() == [[9, 0], [0, 0]]
    assert r.g2 == 0.0 and r.df == 0 and np.isnan(r.p)
    assert np.isnan(r.adjusted_residuals).all()


def test_pairs_never_cross_sequences() -> None:
    seqs = Sequences.from_lists([["A", "B"], ["C", "D"], ["E"]])
    x = lag_counts(seqs)
    assert x.sum() == 2
    i = {c: n for n, c in enumerate(seqs.codes)}
    assert x[i["B"], i["C"]] == 0 and x[i["D"], i["E"]] == 0
    assert x[i["A"], i["B"]] == 1 and x[i["C"], i["D"]] == 1
    assert lag_counts(seqs, lag=2).sum() == 0


def test_lag_two_by_hand() -> None:
    x = lag_counts(Sequences.from_lists([list("ABCAB")], codes="ABC"), lag=2)
    assert x.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]


def test_counts_by_sequence_sum_to_pooled() -> None:
    seqs = Sequences.from_lists([list("ABBA"), list("BAB"), list("A")])
    per = counts_by_sequence(seqs)
    assert per.shape == (3, 2, 2)
    assert per[1].tolist() == [[0, 1], [1, 0]]
    assert np.array_equal(per.sum(axis=0), lag_counts(seqs))


def test_collapse_repeats_within_sequences() -> None:
    seqs = Sequences.from_lists([list("AABBA"), list("AAB")]).collapse_repeats()
    assert seqs.values.tolist() == [0, 1, 0, 0, 1] and seqs.starts.tolist() == [0, 3, 5]


def test_code_order_and_errors() -> None:
    assert Sequences.from_lists([[2, 10, 1]]).codes == ("1", "2", "10")
    assert Sequences.from_lists([["b", "a"]]).codes == ("a", "b")
    with pytest.raises(ValueError, match="not in the declared codes"):
        Sequences.from_lists([["A", "Z"]], codes=["A"])
    with pytest.raises(ValueError, match="structural"):
        lag_table(Sequences.from_lists([list("AAB")]), structural="diagonal")
    with pytest.raises(ValueError, match="lag"):
        lag_table(Sequences.from_lists([list("AB")]), lag=0)


def test_from_frame_keeps_file_order_per_sequence() -> None:
    frame = pl.DataFrame({"code": ["A", "B", "B", "A", "C"], "sequence": [2, 1, 2, 1, 2]})
    seqs = Sequences.from_frame(frame)
    assert seqs.ids == ("2", "1")
    assert [seqs.codes[v] for v in seqs.values] == ["A", "B", "C", "B", "A"]
    assert seqs.starts.tolist() == [0, 3, 5]
    with pytest.raises(ValueError, match="empty in 1 row"):
        Sequences.from_frame(pl.DataFrame({"code": ["A", None]}))


def test_from_segments_orders_by_onset_per_recording() -> None:
    frame = pl.DataFrame(
        {
            "segment_onset": [500, 0, 100, 0, None],
            "speaker_type": ["CHI", "FEM", "CHI", "MAL", "FEM"],
            "code": [None] * 5,
            "recording_id": ["r1", "r1", "r2", "r2", "r2"],
        },
        schema_overrides={"code": pl.String},
    )
    seqs = Sequences.from_segments(frame)
    assert seqs.ids == ("r1", "r2")
    assert [seqs.codes[v] for v in seqs.values] == ["FEM", "CHI", "MAL", "CHI"]
    assert any("untimed" in w for w in seqs.warnings)
    coded = frame.with_columns(pl.Series("code", ["x", "y", None, "x", "y"]))
    seqs = Sequences.from_segments(coded)
    assert [seqs.codes[v] for v in seqs.values] == ["y", "x", "x"]
    assert any("without a code" in w for w in seqs.warnings)


# --- properties -------------------------------------------------------------------------------

sequence_lists = st.lists(st.lists(st.integers(0, 3), max_size=12), min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(sequence_lists, st.integers(1, 3))
def test_counts_sum_to_within_sequence_pairs(lists, lag) -> None:
    seqs = Sequences.from_lists(lists, codes=range(4))
    assert lag_counts(seqs, lag).sum() == sum(max(len(s) - lag, 0) for s in lists)
    assert np.array_equal(counts_by_sequence(seqs, lag).sum(axis=0), lag_counts(seqs, lag))


@settings(max_examples=200, deadline=None)
@given(sequence_lists, st.permutations(range(4)))
def test_relabelling_codes_permutes_the_table(lists, order) -> None:
    base = lag_counts(Sequences.from_lists(lists, codes=range(4)))
    relabelled = lag_counts(Sequences.from_lists(lists, codes=order))
    assert np.array_equal(relabelled, base[np.ix_(order, order)])


@settings(max_examples=200, deadline=None)
@given(sequence_lists)
def test_expected_margins_equal_observed(lists) -> None:
    r = lag_table(Sequences.from_lists(lists, codes=range(4)))
    if r.n_pairs:
        assert np.allclose(r.expected.sum(axis=1), r.frequencies.sum(axis=1))
        assert np.allclose(r.expected.sum(axis=0), r.frequencies.sum(axis=0))


@settings(max_examples=100, deadline=None)
@given(
    st.integers(3, 6).flatmap(
        lambda k: st.lists(st.integers(0, 30), min_size=k * k, max_size=k * k)
    )
)
def test_ipf_fits_margins_and_keeps_structural_zeros(cells) -> None:
    k = round(len(cells) ** 0.5)
    mask = np.eye(k, dtype=bool)
    x = np.where(mask, 0, np.array(cells).reshape(k, k)).astype(float)
    fit = quasi.ipf(x, mask, max_iter=100_000)
    assert np.all(fit.expected[mask] == 0)
    assert np.allclose(fit.expected.sum(axis=1), x.sum(axis=1), atol=1e-6 * max(x.sum(), 1))
    assert np.allclose(fit.expected.sum(axis=0), x.sum(axis=0), atol=1e-6 * max(x.sum(), 1))
