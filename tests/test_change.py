"""Change over time: transition matrices, percent stable, κ (4-way and 2-way), missing waves,
the moderator split (Waters et al. 2000) and test-retest r with a Fisher-z interval."""

import json
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from attunement.attachment.change import (
    classification_change,
    dimension_stability,
    to_wide,
    wave_pairs,
)


def waters_overall() -> pl.DataFrame:
    """Waters, Merrick, Treboux, Crowell & Albersheim (2000), n = 50: 72% (36/50) kept the
    same secure/insecure classification, κ = .44. The paper's abstract gives 36/50 but not the
    margins; we constructed 25 secure and 25 insecure at both waves (18 stayed secure, 18
    stayed insecure, 7 changed each way), which gives p_e = .5 and κ = (.72 - .5)/.5 = .44."""
    w1 = ["B"] * 25 + ["A"] * 25
    w2 = ["B"] * 18 + ["A"] * 7 + ["B"] * 7 + ["A"] * 18
    return pl.DataFrame({"id": [f"p{i}" for i in range(50)], "infancy": w1, "adult": w2})


def waters_moderator() -> pl.DataFrame:
    """The published split (Child Development 71(3), abstract): 8 of 18 infants whose mothers
    reported negative life events changed (44%), 7 of 32 without such events (22%). These
    counts imply 35/50 = 70% stable, not the 72% (36/50) the same abstract reports; the
    preprint gives 10/18 and 9/32. We use the published 8/18 and 7/32."""
    nle = ["yes"] * 18 + ["no"] * 32
    changed = [True] * 8 + [False] * 10 + [True] * 7 + [False] * 25
    w1 = ["B", "A"] * 25
    w2 = [("A" if a == "B" else "B") if c else a for a, c in zip(w1, changed, strict=True)]
    return pl.DataFrame({"id": [str(i) for i in range(50)], "w1": w1, "w2": w2, "nle": nle})


def test_waters_overall_stability_and_kappa():
    res = classification_change(waters_overall(), waves=["infancy", "adult"], categories="AB")
    p = res.pairs[0]
    assert (p.n, p.n_missing) == (50, 0)
    assert p.percent_stable == 72.0
    assert p.transitions.tolist() == [[18, 7], [7, 18]]
    assert round(p.kappa.kappa, 2) == 0.44
    assert p.kappa.se == pytest.approx(math.sqrt(0.016128))  # hand value, test_agreement
    assert p.two_way.kappa == pytest.approx(0.44)  # B vs A is already secure vs insecure
    assert p.percent_stable_two_way == 72.0


def test_waters_moderator_split():
    res = classification_change(
        waters_moderator(), waves=["w1", "w2"], moderator="nle", categories="AB"
    )
    m = res.pairs[0].moderator
    assert [(g["group"], g["n"], g["changed"]) for g in m.groups] == [
        ("no", 32, 7),
        ("yes", 18, 8),
    ]
    assert round(m.groups[1]["percent_changed"]) == 44
    assert round(m.groups[0]["percent_changed"]) == 22
    assert m.difference == pytest.approx(100 * (8 / 18 - 7 / 32))
    assert m.test == "fisher" and m.n_missing_moderator == 0
    # Fisher's exact test on [[7, 25], [8, 10]] (two-sided): scipy as the oracle; the paper
    # reports p < .05, which neither this test nor Pearson's χ² reproduces from these counts.
    assert m.p == pytest.approx(stats.fisher_exact([[7, 25], [8, 10]])[1])
    assert round(m.p, 3) == 0.117
    assert res.pairs[0].percent_stable == 70.0
    chi = classification_change(
        waters_moderator(), waves=["w1", "w2"], moderator="nle", moderator_test="chi2"
    ).pairs[0]
    # Pearson χ² by hand: expected changed 15·32/50 = 9.6 and 15·18/50 = 5.4
    e = np.array([[9.6, 22.4], [5.4, 12.6]])
    o = np.array([[7, 25], [8, 10]])
    assert chi.moderator.statistic == pytest.approx(float(((o - e) ** 2 / e).sum()))


def test_transition_matrix_three_classes_by_hand():
    data = pl.DataFrame(
        {
            "id": list("abcdefgh"),
            "t1": ["A", "A", "B", "B", "B", "C", "D", "B"],
            "t2": ["A", "B", "B", "B", "C", "C", "B", "D"],
        }
    )
    p = classification_change(data, waves=["t1", "t2"], categories="ABCD").pairs[0]
    assert p.transitions.tolist() == [[1, 1, 0, 0], [0, 2, 1, 1], [0, 0, 1, 0], [0, 1, 0, 0]]
    assert p.row_proportions[1].tolist() == [0, 0.5, 0.25, 0.25]
    assert p.percent_stable == 50.0  # a, c, d, f
    # secure/insecure: B->B c,d; B->C e; B->D h; A->A a; A->B b; C->C f; D->B g
    assert p.two_way.table.tolist() == [[2, 2], [2, 2]]
    assert p.percent_stable_two_way == 50.0 and p.two_way.kappa == pytest.approx(0.0)
    d = p.to_dict()
    assert d["transition_matrix"]["labels"] == ["A", "B", "C", "D"]
    assert d["transition_matrix"]["counts"][1] == [0, 2, 1, 1]


def test_missing_waves_are_counted_and_pairs_for_three_waves():
    data = pl.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5"],
            "w1": ["B", "A", "B", "C", None],
            "w2": ["B", None, "A", "C", "B"],
            "w3": ["B", "A", "", "C", "B"],
        }
    )
    res = classification_change(data, waves=["w1", "w2", "w3"], categories="ABCD")
    assert res.missing_by_wave == {"w1": 1, "w2": 1, "w3": 1}
    assert (res.n_respondents, res.n_complete) == (5, 2)
    assert [(p.earlier, p.later, p.kinds) for p in res.pairs] == [
        ("w1", "w2", ("adjacent", "first_to_each")),
        ("w2", "w3", ("adjacent",)),
        ("w1", "w3", ("first_to_each",)),
    ]
    assert [(p.n, p.n_missing) for p in res.pairs] == [(3, 2), (3, 2), (3, 2)]
    assert res.pair("w1", "w2").percent_stable == pytest.approx(200 / 3)
    assert res.pair("w2", "w3").percent_stable == 100.0
    top = res.to_dict()
    assert (top["earlier"], top["later"], top["n"]) == ("w1", "w3", 3)


def test_configurable_secure_mapping_and_errors():
    data = pl.DataFrame({"id": ["1", "2", "3"], "ssp": ["B", "A", "C"], "aai": ["F", "Ds", "F"]})
    res = classification_change(
        data, waves=["ssp", "aai"], categories=["A", "B", "C", "Ds", "F"], secure=["B", "F"]
    )
    assert res.pairs[0].two_way.table.tolist() == [[1, 0], [1, 1]]
    assert res.pairs[0].percent_stable == 0.0
    with pytest.raises(ValueError, match=r"'3' in wave 'ssp': 'C'"):
        classification_change(data, waves=["ssp", "aai"], categories=["A", "B", "Ds", "F"])
    dup = pl.DataFrame({"id": ["1", "1"], "a": ["A", "B"], "b": ["A", "B"]})
    with pytest.raises(ValueError, match=r"duplicate id\(s\) in column 'id': \['1'\]"):
        classification_change(dup, waves=["a", "b"])
    with pytest.raises(ValueError, match="at least two waves"):
        classification_change(dup, waves=["a"])


def test_long_input_and_duplicates():
    long = pl.DataFrame(
        {"id": ["1", "1", "2", "2", "3"], "wave": [1, 2, 1, 2, 1], "cls": list("BBACB")}
    )
    wide = to_wide(long, id_column="id", wave_column="wave", value_column="cls")
    assert wide.columns == ["id", "1", "2"]
    assert wide.sort("id").rows() == [("1", "B", "B"), ("2", "A", "C"), ("3", "B", None)]
    bad = pl.concat([long, long.head(1)])
    with pytest.raises(ValueError, match="'1' in wave 1"):
        to_wide(bad, id_column="id", wave_column="wave", value_column="cls")


def test_dimension_retest_matches_scipy_fisher_interval():
    rng = np.random.default_rng(3)
    x = rng.normal(size=40)
    y = 0.6 * x + rng.normal(size=40)
    z = np.where(np.arange(40) < 5, np.nan, 0.3 * y + rng.normal(size=40))
    data = pl.DataFrame({"id": [str(i) for i in range(40)], "t1": x, "t2": y, "t3": z})
    res = dimension_stability(data, waves=["t1", "t2", "t3"])
    first = res.pairs[0]
    ref = stats.pearsonr(x, y)
    ci = ref.confidence_interval(0.95)
    assert first.r == pytest.approx(ref.statistic)
    assert (first.ci_low, first.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    # by hand: tanh(atanh r ± 1.959964 / sqrt(37))
    assert first.ci_low == pytest.approx(math.tanh(math.atanh(first.r) - 1.959964 / 37**0.5))
    late = res.pairs[1]
    assert (late.n, late.n_missing) == (35, 5)
    assert res.missing_by_wave == {"t1": 0, "t2": 0, "t3": 5}


def test_wave_pairs():
    assert wave_pairs(["a", "b"]) == [("a", "b", ("adjacent", "first_to_each"))]
    assert [(a, b) for a, b, _ in wave_pairs(list("abcd"))] == [
        ("a", "b"),
        ("b", "c"),
        ("c", "d"),
        ("a", "c"),
        ("a", "d"),
    ]


classes = st.sampled_from(["A", "B", "C", "D", None])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(classes, classes), min_size=1, max_size=40))
def test_properties_of_any_two_waves(rows):
    data = pl.DataFrame(
        {
            "id": [str(i) for i in range(len(rows))],
            "w1": [r[0] for r in rows],
            "w2": [r[1] for r in rows],
        },
        schema={"id": pl.String, "w1": pl.String, "w2": pl.String},
    )
    p = classification_change(data, waves=["w1", "w2"], categories="ABCD").pairs[0]
    complete = sum(a is not None and b is not None for a, b in rows)
    assert p.transitions.sum() == p.n == complete
    assert p.n + p.n_missing == len(rows)
    if p.n:
        assert 0.0 <= p.percent_stable <= 100.0
        assert p.percent_stable_two_way >= p.percent_stable  # a kept class keeps its status
    else:
        assert math.isnan(p.percent_stable)


def test_moderator_missing_values_and_more_than_two_groups():
    data = pl.DataFrame(
        {
            "id": [str(i) for i in range(8)],
            "w1": ["B", "B", "A", "A", "B", "C", "B", "A"],
            "w2": ["B", "A", "A", "B", "B", "C", "A", "A"],
            "events": ["0", "1", "1", "2", None, "0", "2", ""],
        }
    )
    with pytest.raises(ValueError, match=r"Fisher's exact test needs two moderator groups"):
        classification_change(data, waves=["w1", "w2"], moderator="events")
    m = (
        classification_change(data, waves=["w1", "w2"], moderator="events", moderator_test="chi2")
        .pairs[0]
        .moderator
    )
    assert m.n_missing_moderator == 2  # null and empty string
    assert [(g["group"], g["n"], g["changed"]) for g in m.groups] == [
        ("0", 2, 0),
        ("1", 2, 1),
        ("2", 2, 2),
    ]
    assert m.difference is None
    # 3 × 2 table [[0, 2], [1, 1], [2, 0]]: expected 1 everywhere, χ² = 4
    assert m.statistic == pytest.approx(4.0)
    assert m.p == pytest.approx(stats.chi2.sf(4.0, 2))


def test_no_change_at_all_leaves_the_chi2_undefined_and_json_safe():
    data = pl.DataFrame(
        {"id": ["1", "2", "3"], "a": list("BAB"), "b": list("BAB"), "m": ["x", "y", "y"]}
    )
    res = classification_change(data, waves=["a", "b"], moderator="m", moderator_test="chi2")
    assert math.isnan(res.pairs[0].moderator.p)
    text = json.dumps(res.to_dict(), allow_nan=False)  # raises on any NaN left in the output
    assert json.loads(text)["moderator"]["p"] is None
