"""Cohen's κ, its Fleiss–Cohen–Everitt standard error, weighted κ and percent agreement."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.attachment.agreement import (
    agreement_weights,
    cohen_kappa,
    cohen_kappa_table,
    confusion_table,
    percent_agreement,
)

# SAS/STAT PROC FREQ documentation, "Getting Started: Agreement Study" (skin condition data,
# two dermatologists, 88 patients). Published output: simple kappa 0.3449, ASE 0.0724, 95% CL
# 0.2030-0.4868; weighted kappa (Cicchetti-Allison = linear weights) 0.5082, ASE 0.0655,
# 95% CL 0.3798-0.6366.
SKIN = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]

# Fleiss (1981), Statistical Methods for Rates and Proportions, 2nd ed., p. 213: 100 subjects,
# two raters, psychotic / neurotic / organic. By hand: p_o = .89, p_e = .80·.80 + .10·.05 +
# .10·.15 = .66, κ = .23 / .34 = .6765 (SAS output of this table: ASE .0877, CL .5046-.8484).
FLEISS = [[75, 1, 4], [5, 4, 1], [0, 0, 10]]


def test_two_by_two_by_hand():
    # p_ii = .36, all margins .5: p_o = .72, p_e = .5, κ = .44.
    # Var = [.72 (1 - .56)² + .28 (.56)² - (.44 - .5·.56)²] / (50 · .25)
    #     = (.139392 + .087808 - .0256) / 12.5 = .016128, SE = .126996
    k = cohen_kappa_table([[18, 7], [7, 18]], categories=["secure", "insecure"])
    assert k.kappa == pytest.approx(0.44)
    assert k.se == pytest.approx(math.sqrt(0.016128))
    assert k.ci_low == pytest.approx(0.44 - 1.959964 * math.sqrt(0.016128), abs=1e-6)
    assert k.ci_high == pytest.approx(0.44 + 1.959964 * math.sqrt(0.016128), abs=1e-6)
    assert k.percent_agreement == pytest.approx(72.0)
    assert (k.observed, k.expected) == (pytest.approx(0.72), pytest.approx(0.5))
    assert k.n == 50


def test_fleiss_textbook_example():
    k = cohen_kappa_table(FLEISS)
    assert k.kappa == pytest.approx(0.23 / 0.34)
    assert round(k.kappa, 4) == 0.6765
    assert round(k.se, 4) == 0.0877
    assert (round(k.ci_low, 4), round(k.ci_high, 4)) == (0.5046, 0.8484)


def test_sas_skin_condition_simple_and_weighted():
    k = cohen_kappa_table(SKIN)
    assert (round(k.kappa, 4), round(k.se, 4)) == (0.3449, 0.0724)
    assert (round(k.ci_low, 4), round(k.ci_high, 4)) == (0.2030, 0.4868)
    w = cohen_kappa_table(SKIN, weights="linear")
    assert (round(w.kappa, 4), round(w.se, 4)) == (0.5082, 0.0655)
    assert (round(w.ci_low, 4), round(w.ci_high, 4)) == (0.3798, 0.6366)
    assert w.percent_agreement == pytest.approx(100 * 45 / 88)  # exact agreement, unweighted


def test_weights():
    assert agreement_weights(3, "linear").tolist() == [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]]
    assert agreement_weights(3, "quadratic").tolist() == [
        [1, 0.75, 0],
        [0.75, 1, 0.75],
        [0, 0.75, 1],
    ]
    with pytest.raises(ValueError, match="unknown weights"):
        agreement_weights(3, "cubic")


def test_raw_ratings_equal_the_table():
    a = ["A", "B", "B", "C", "B", "D", "B", "A"]
    b = ["A", "B", "C", "C", "B", "B", "B", "A"]
    table, labels = confusion_table(a, b, categories=["A", "B", "C", "D"])
    assert labels == ("A", "B", "C", "D")
    assert table.tolist() == [[2, 0, 0, 0], [0, 3, 1, 0], [0, 0, 1, 0], [0, 1, 0, 0]]
    k = cohen_kappa(a, b, categories="ABCD")
    # p_o = 6/8; margins rows (2,4,1,1)/8, columns (2,4,2,0)/8: p_e = (4+16+2+0)/64 = 22/64
    assert k.kappa == pytest.approx((6 / 8 - 22 / 64) / (1 - 22 / 64))
    assert percent_agreement(a, b) == 75.0


def test_bad_input_named():
    with pytest.raises(ValueError, match=r"case 2: 'E'"):
        confusion_table(["A", "E"], ["A", "B"], categories=["A", "B"])
    with pytest.raises(ValueError, match="differ in length"):
        cohen_kappa(["A"], ["A", "B"])
    with pytest.raises(ValueError, match="square"):
        cohen_kappa_table([[1, 2, 3], [4, 5, 6]])


def test_single_category_is_undefined_not_a_crash():
    k = cohen_kappa(["B", "B", "B"], ["B", "B", "B"])
    assert math.isnan(k.kappa) and k.percent_agreement == 100.0
    assert k.to_dict()["kappa"] is None


ratings = st.lists(st.sampled_from("ABCD"), min_size=2, max_size=60)


@settings(max_examples=60, deadline=None)
@given(ratings.filter(lambda r: len(set(r)) > 1))
def test_identical_ratings_give_kappa_one(r):
    k = cohen_kappa(r, r)
    assert k.kappa == pytest.approx(1.0)
    assert k.se == pytest.approx(0.0, abs=1e-6)  # sqrt of a rounding-level variance
    assert k.percent_agreement == 100.0


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_kappa_symmetric_in_raters(data):
    a = data.draw(ratings)
    b = data.draw(st.lists(st.sampled_from("ABCD"), min_size=len(a), max_size=len(a)))
    for weights in ("none", "quadratic"):
        ab = cohen_kappa(a, b, categories="ABCD", weights=weights)
        ba = cohen_kappa(b, a, categories="ABCD", weights=weights)
        assert np.isnan(ab.kappa) == np.isnan(ba.kappa)
        if not np.isnan(ab.kappa):
            assert ab.kappa == pytest.approx(ba.kappa, abs=1e-9)
            assert ab.se == pytest.approx(ba.se, abs=1e-6)
        if weights == "none" and not np.isnan(ab.kappa):  # weighted κ can fall below -1
            assert -1 - 1e-9 <= ab.kappa <= 1 + 1e-9
