"""Attachment Q-Set scores: correlation with user-supplied criterion sorts, validation naming
child and item. No real AQS items or criterion values are used (they are the authors')."""

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.attachment.qsort import QSortError, qsort_scores

ITEMS = [str(i) for i in range(1, 91)]
rng = np.random.default_rng(7)


def forced_sort(seed: int) -> np.ndarray:
    """A random sort of 90 items into 9 piles of 10."""
    return np.random.default_rng(seed).permutation(np.repeat(np.arange(1, 10), 10))


SORTS = np.stack([forced_sort(s) for s in range(5)])
SECURITY = rng.uniform(1, 9, size=90)  # synthetic stand-ins for the authors' criteria
DEPENDENCY = rng.uniform(1, 9, size=90)


def sorts_frame(matrix: np.ndarray = SORTS) -> pl.DataFrame:
    return pl.DataFrame(
        {"child": [f"k{i}" for i in range(len(matrix))]}
        | {item: matrix[:, j] for j, item in enumerate(ITEMS)}
    )


CRITERIA = pl.DataFrame({"item": ITEMS, "security": SECURITY, "dependency": DEPENDENCY})


def test_scores_equal_numpy_corrcoef_for_every_child_and_criterion():
    res = qsort_scores(sorts_frame(), CRITERIA, per_pile=10)
    assert res.criteria == ("security", "dependency") and res.n_items == 90
    for i, row in enumerate(SORTS):
        assert res.scores["security"][i] == pytest.approx(np.corrcoef(row, SECURITY)[0, 1])
        assert res.scores["dependency"][i] == pytest.approx(np.corrcoef(row, DEPENDENCY)[0, 1])
    assert res.parameters == {
        "id_column": "child",
        "item_column": "item",
        "piles": 9,
        "per_pile": 10,
    }


def test_small_sort_by_hand():
    # 3 items, piles (1, 2, 3) against criterion (3, 1, 2): deviations (-1, 0, 1) and
    # (1, -1, 0): r = -1 / (√2 · √2) = -0.5
    sorts = pl.DataFrame({"child": ["x"], "a": [1], "b": [2], "c": [3]})
    res = qsort_scores(sorts, {"security": {"a": 3, "b": 1, "c": 2}}, piles=3)
    assert res.scores["security"].to_list() == [pytest.approx(-0.5)]


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 100), st.floats(-100, 100))
def test_invariant_to_criterion_scaling(scale, shift):
    base = qsort_scores(sorts_frame(), CRITERIA).scores["security"].to_numpy()
    scaled = CRITERIA.with_columns(pl.col("security") * scale + shift)
    again = qsort_scores(sorts_frame(), scaled).scores["security"].to_numpy()
    np.testing.assert_allclose(again, base, rtol=1e-9, atol=1e-12)


def test_validation_names_child_and_item():
    bad = SORTS.copy().astype(float)
    bad[1, 4] = 10  # child k1, item "5"
    bad[3, 0] = np.nan  # child k3, item "1"
    bad[2, 7] = 2.5
    with pytest.raises(QSortError) as info:
        qsort_scores(sorts_frame(bad), CRITERIA)
    problems = info.value.problems
    assert "child 'k1', item '5': pile '10.0' (piles are 1-9)" in problems
    assert "child 'k3', item '1': missing (piles are 1-9)" in problems
    assert "child 'k2', item '8': pile '2.5' (piles are 1-9)" in problems


def test_forced_distribution_check_is_optional():
    skewed = SORTS.copy()
    skewed[0, np.flatnonzero(skewed[0] == 1)[0]] = 2  # pile 1: 9 items, pile 2: 11
    qsort_scores(sorts_frame(skewed), CRITERIA)  # no check: accepted
    with pytest.raises(QSortError) as info:
        qsort_scores(sorts_frame(skewed), CRITERIA, per_pile=10)
    assert info.value.problems == [
        "child 'k0': pile 1 holds 9 items, not 10",
        "child 'k0': pile 2 holds 11 items, not 10",
    ]


def test_item_sets_must_match():
    frame = sorts_frame().drop("90").with_columns(pl.lit(5).alias("91"))
    with pytest.raises(QSortError) as info:
        qsort_scores(frame, CRITERIA)
    assert info.value.problems == [
        "item '91' of the sorts is not in the criterion sorts",
        "item '90' is missing from the sorts (no column)",
    ]
    dup = pl.concat([sorts_frame(), sorts_frame().head(1)])
    with pytest.raises(QSortError, match="child 'k0' appears more than once"):
        qsort_scores(dup, CRITERIA)
    with pytest.raises(QSortError, match="criterion 'security', item '3': missing"):
        qsort_scores(
            sorts_frame(),
            CRITERIA.with_columns(
                pl.when(pl.col("item") == "3")
                .then(None)
                .otherwise(pl.col("security"))
                .alias("security")
            ),
        )


def test_flat_sort_has_no_score():
    flat = np.full((1, 90), 5)
    res = qsort_scores(sorts_frame(flat), CRITERIA)
    assert np.isnan(res.scores["security"][0])
