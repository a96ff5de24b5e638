"""Attachment questionnaires: key integrity, scoring rules, reliability and styles, with
hand-computed expected values."""

import json

import numpy as np
import polars as pl
import pytest
from scipy import stats
from typer.testing import CliRunner

from attunement.attachment import (
    Instrument,
    ResponseError,
    available,
    classify,
    cronbach_alpha,
    load,
    mcdonald_omega,
    score,
)
from attunement.cli import app
from tests.catalogue_helpers import assert_catalogue_names

SIZES = {
    "ecr": {"avoidance": 18, "anxiety": 18},
    "ecr-r": {"anxiety": 18, "avoidance": 18},
    "ecr-r-dependlab": {"avoidance": 18, "anxiety": 18},
    "ecr-s": {"avoidance": 6, "anxiety": 6},
    "ecr-12": {"anxiety": 6, "avoidance": 6},
    "ecr-rs": {"avoidance": 6, "anxiety": 3},
    "rq": {"secure": 1, "fearful": 1, "preoccupied": 1, "dismissing": 1},
}


def five_items() -> Instrument:
    """A made-up 5-item, one-subscale instrument: 20 % missing is exactly one item."""
    return Instrument(
        id="toy",
        name="toy",
        version="1",
        scale_min=1,
        scale_max=7,
        citation="",
        verification="verified",
        key_source="made up for the tests",
        source_notes="",
        items=(1, 2, 3, 4, 5),
        subscales={"x": (1, 2, 3, 4, 5)},
        reverse=frozenset({2}),
    )


# --- instruments ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SIZES))
def test_every_item_exactly_once_and_subscale_sizes(name):
    inst = load(name)
    assert {k: len(v) for k, v in inst.subscales.items()} == SIZES[name]
    scored = [i for items in inst.subscales.values() for i in items]
    assert sorted(scored) == sorted(inst.items) == list(range(1, len(inst.items) + 1))
    assert inst.reverse <= set(inst.items)
    assert inst.citation and inst.source_notes


def test_published_reverse_keys():
    assert sorted(load("ecr").reverse) == [3, 15, 19, 22, 25, 27, 29, 31, 33, 35]
    assert sorted(load("ecr-r").reverse) == [9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36]
    assert load("ecr-r").subscales["anxiety"] == tuple(range(1, 19))
    assert sorted(load("ecr-rs").reverse) == [1, 2, 3, 4]
    assert load("ecr-rs").targets == ("mother", "father", "partner", "friend")
    assert sorted(load("ecr-s").reverse) == [1, 5, 8, 9]
    assert load("rq").reverse == frozenset()


@pytest.mark.parametrize("short", ["ecr-s", "ecr-12"])
def test_short_forms_agree_with_the_ecr_key_item_by_item(short):
    ecr, inst = load("ecr"), load(short)
    for item, original in inst.original_items.items():
        sub = next(s for s, items in inst.subscales.items() if item in items)
        assert original in ecr.subscales[sub]
        assert (item in inst.reverse) == (original in ecr.reverse)


def test_instrument_names_are_forgiving_and_unknown_ones_listed():
    assert load("ECR_R").id == "ecr-r"
    assert "rq" in available()
    with pytest.raises(ValueError, match=r"unknown instrument 'ecr-x'.*ecr-rs"):
        load("ecr-x")
    with pytest.raises(ValueError, match=r"ecr-r-interleaved is now ecr-r-dependlab"):
        load("ecr-r-interleaved")


def test_verification_of_every_key_and_its_sources():
    """The verification each key earned against public sources (issue 17), and the sentence
    every output of a key that is not verified carries."""
    found = {name: load(name).verification for name in available()}
    assert found == {
        "ecr": "verified",
        "ecr-r": "verified",
        "ecr-r-dependlab": "one-source",
        "ecr-s": "verified",
        "ecr-12": "unverified",
        "ecr-rs": "verified",
        "rq": "verified",
    }
    assert "33R 18 11 26 35R 16 17 22R 27R 32 13 6" in load("ecr-s").key_source
    assert [load("ecr-s").original_items[i] for i in range(1, 13)] == [
        33, 18, 11, 26, 35, 16, 17, 22, 27, 32, 13, 6
    ]  # fmt: skip
    assert "DEPENdLab" in load("ecr-r-dependlab").key_source
    assert "interleaved administration order" not in load("ecr-r-dependlab").source_notes
    caution = load("ecr-12").caution()
    assert caution.startswith("the ecr-12 scoring key is unverified") and "item order" in caution
    assert load("ecr-s").caution() is None


# --- scoring --------------------------------------------------------------------------------


def test_reverse_keying_on_5_and_7_points():
    frame = pl.DataFrame({f"Q{i}": [v] for i, v in enumerate([2, 5, 4, 1, 7], start=1)})
    seven = score(frame, five_items())
    # item 2 reversed on 1..7: 1 + 7 - 5 = 3; mean of 2, 3, 4, 1, 7 = 17 / 5
    assert seven.scores["x"][0] == pytest.approx(17 / 5)
    frame5 = frame.with_columns(pl.lit(3).alias("Q5"))
    five = score(frame5, five_items(), scale_min=1, scale_max=5)
    # item 2 reversed on 1..5: 1 + 5 - 5 = 1; mean of 2, 1, 4, 1, 3 = 11 / 5
    assert five.scores["x"][0] == pytest.approx(11 / 5)
    assert five.parameters["scale_max"] == 5


def test_a_sample_that_never_reaches_the_declared_scale_ends_stops_scoring():
    """40 respondents answer a 5-point form scored as the 7-point original: scoring stops with one
    summary naming the fix; range_check=False scores it with a warning; 29 respondents (too few
    to judge) get the warning only."""
    rng = np.random.default_rng(3)
    values = rng.integers(1, 6, size=(40, 5))
    frame = pl.DataFrame({f"Q{i + 1}": values[:, i] for i in range(5)})
    with pytest.raises(ResponseError) as info:
        score(frame, five_items())
    text = str(info.value)
    assert "declared 1-7 scale of toy (40 respondents)" in text
    assert "run 1-5: nobody answered 6 or 7" in text
    assert "if the form ran 1-5:  scale_min=1, scale_max=5" in text
    assert "range_check=False" in text and info.value.problems == []
    assert info.value.lines()[-2].endswith("--scale-min 1 --scale-max 5")

    def scale_warnings(result):  # random answers: the items' correlations are noise
        return [w for w in result.warnings if "declared scale" in w]

    (warning,) = scale_warnings(score(frame, five_items(), range_check=False))
    assert "declared scale is 1-7 but the answers run only 1-5" in warning
    assert "--scale-max 5" in warning
    assert scale_warnings(score(frame, five_items(), scale_max=5)) == []
    (few,) = scale_warnings(score(frame.head(29), five_items()))
    assert "only 29 respondents: too few to be sure" in few


def test_invalid_answers_stop_with_one_short_summary_and_every_cell_kept():
    """300 respondents, 1-5 answers and a -9 code in 120 cells: at most 20 lines, the counts,
    the value and the options; ``problems`` keeps all 120 cells."""
    rng = np.random.default_rng(5)
    values = rng.integers(1, 6, size=(300, 5)).astype(float)
    values.flat[rng.choice(values.size, 120, replace=False)] = -9
    frame = pl.DataFrame({f"Q{i + 1}": values[:, i] for i in range(5)})
    with pytest.raises(ResponseError) as info:
        score(frame, five_items())
    lines = str(info.value).splitlines()
    assert len(lines) <= 20 and len(info.value.problems) == 120
    assert "120 value(s) in" in lines[1] and "outside 1-7: -9 (120 times)" in lines[2]
    flags = info.value.lines()
    assert any(
        "if -9 marks a missing answer and the form ran 1-5:  --missing -9 --scale-min 1 "
        "--scale-max 5" in line
        for line in flags
    )
    fixed = score(frame, five_items(), missing=[-9], scale_min=1, scale_max=5)
    assert fixed.missing_answers == 120 and fixed.parameters["scale_max"] == 5


def test_missing_rule_keeps_exactly_20_percent_and_drops_more():
    frame = pl.DataFrame(
        {
            "Q1": [1, None, None],
            "Q2": [7, 7, None],  # reversed -> 1
            "Q3": [1, 1, 1],
            "Q4": [3, 3, 3],
            "Q5": [1, 1, 1],
        }
    )
    res = score(frame, five_items())
    assert res.scores["x"].to_list()[:2] == [pytest.approx(7 / 5), pytest.approx(6 / 4)]
    assert res.scores["x"][2] is None  # 2 of 5 missing = 40 %
    assert res.scores["x_n"].to_list() == [5, 4, 3]
    assert res.scores["complete"].to_list() == [True, False, False]
    stricter = score(frame, five_items(), max_missing=0.0)
    assert stricter.scores["x"].to_list()[1:] == [None, None]


def test_sample_figures_by_hand():
    """Keyed answers (item 2 reversed: 8 - raw) of the three complete cases: 1 1 1 1 2,
    2 2 2 2 2, 3 3 3 3 5; item variances 1, 1, 1, 1, 3 (sum 7), totals 6, 10, 17 (variance 31):
    alpha = 5/4 (1 - 7/31) = 30/31; Feldt's interval with F(2, 8). Scores 1.2, 2, 3.4: mean
    2.2, SD sqrt(2.48 / 2). The fourth respondent skips Q1 and answers 4 to the rest: scored
    (1 of 5 missing), straight-lined, a run of 4. Three cases for five items: no omega."""
    frame = pl.DataFrame(
        {
            "Q1": [1, 2, 3, None],
            "Q2": [7, 6, 5, 4],
            "Q3": [1, 2, 3, 4],
            "Q4": [1, 2, 3, 4],
            "Q5": [2, 2, 5, 4],
        }
    )
    r = score(frame, five_items())
    assert (r.respondents, r.complete_cases, r.scored, r.missing_answers) == (4, 3, 4, 1)
    assert (r.invalid_answers, r.straight_lined, r.longstring_max) == (0, 1, 4)
    x = r.subscales["x"]
    assert (x["items"], x["n"], x["scored"]) == (5, 3, 4)
    assert x["mean"] == pytest.approx(2.2) and x["sd"] == pytest.approx(np.sqrt(1.24))
    assert x["alpha"] == pytest.approx(30 / 31)
    low = 1 - (1 / 31) * stats.f.ppf(0.975, 2, 8)
    high = 1 - (1 / 31) * stats.f.ppf(0.025, 2, 8)
    assert (x["alpha_low"], x["alpha_high"]) == (pytest.approx(low), pytest.approx(high))
    assert x["omega"] is None and "singular" in x["reliability"]
    assert r.anxiety_alpha is None and r.anxiety_avoidance_r is None  # not an ECR instrument


def test_score_json_uses_the_catalogue_names(tmp_path):
    """ECR-S (reverse items 1, 5, 8, 9), four respondents: all 4 (anxiety = avoidance = 4, the
    midpoint, which counts as low: secure); all 4 but Q3 (scored, secure); 7 on the keyed and 1
    on the reversed items (7 and 7: fearful); nothing answered (unclassified)."""
    rows = [[4] * 12, [4, 4, None, *[4] * 9], [1 if i in (1, 5, 8, 9) else 7 for i in range(1, 13)]]
    rows.append([None] * 12)
    frame = pl.DataFrame({f"Q{i + 1}": [row[i] for row in rows] for i in range(12)})
    path = tmp_path / "ecr-s.csv"
    frame.write_csv(path)
    res = CliRunner().invoke(app, ["score", "ecr-s", str(path), "--styles", "midpoint", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert_catalogue_names(data, "score")
    assert (data["instrument"], data["path"]) == ("ecr-s", str(path))
    assert (data["respondents"], data["complete_cases"], data["scored"]) == (4, 2, 3)
    assert (data["missing_answers"], data["straight_lined"], data["longstring_max"]) == (13, 2, 12)
    assert (data["verification"], data["invalid_answers"]) == ("verified", 0)
    assert data["instrument_version"] == "2007" and "Wei et al. (2007) appendix" in data["source"]
    assert data["items_negative_r"] == 0 and len(data["items"]) == 12
    assert data["subscales"]["anxiety"]["scored"] == 3
    styles = data["styles"]
    assert_catalogue_names(styles, "styles")
    counts = [styles[name] for name in ("secure", "fearful", "preoccupied", "dismissing")]
    assert counts == [2, 1, 0, 0] and styles["unclassified"] == 1


def test_ecr_missing_rule_boundary_on_18_items():
    ecr = load("ecr")
    row = {f"Q{i}": [2, 2] for i in range(1, 37)}
    for item in (1, 5, 7):  # three avoidance items missing in both rows
        row[f"Q{item}"] = [None, None]
    row["Q9"] = [2, None]  # a fourth one in row 2: 4 / 18 > 20 %
    res = score(pl.DataFrame(row), ecr)
    assert res.scores["avoidance_n"].to_list() == [15, 14]
    assert res.scores["avoidance"][0] is not None and res.scores["avoidance"][1] is None


def test_declared_missing_codes_are_missing_not_errors():
    frame = pl.DataFrame({"Q1": [0, 2], "Q2": [3, 0], "Q3": [1, 1], "Q4": [1, 1], "Q5": [1, 1]})
    res = score(frame, five_items(), missing=[0])
    assert res.scores["x_n"].to_list() == [4, 4]
    assert res.parameters["missing"] == [0.0]
    with pytest.raises(ResponseError) as info:
        score(frame, five_items())
    assert [(p.row, p.item) for p in info.value.problems] == [(1, "Q1"), (2, "Q2")]


def test_out_of_range_messages_name_respondent_and_item():
    frame = pl.DataFrame(
        {
            "pid": ["a1", "b2"],
            "Q1": ["1", "9"],
            "Q2": ["x", "2"],
            "Q3": ["2.5", "3"],
            "Q4": ["1", "1"],
            "Q5": ["1", ""],
        }
    )
    with pytest.raises(ResponseError) as info:
        score(frame, five_items(), id_column="pid")
    problems = info.value.problems
    assert [(p.respondent, p.item, p.value) for p in problems] == [
        ("a1", "Q2", "x"),
        ("a1", "Q3", "2.5"),
        ("b2", "Q1", "9"),
    ]
    text = str(info.value)
    assert "row 2, respondent b2, item Q1: '9' is outside the scale 1..7" in text
    assert "row 1, respondent a1, item Q2: 'x' is not a number" in text
    kept = score(frame, five_items(), id_column="pid", invalid="missing")
    assert len(kept.problems) == 3
    assert kept.scores["x_n"].to_list() == [3, 3]  # the empty Q5 is simply missing


def test_straight_lining_and_longstring():
    frame = pl.DataFrame(
        {
            "Q1": [4, 1, 4, None],
            "Q2": [4, 2, 4, 5],
            "Q3": [4, 2, None, 5],
            "Q4": [4, 2, 4, 1],
            "Q5": [4, 3, 4, None],
        }
    )
    res = score(frame, five_items())
    assert res.scores["straight_line"].to_list() == [True, False, True, False]
    assert res.scores["longstring"].to_list() == [5, 3, 2, 2]


def test_item_columns_must_exist():
    with pytest.raises(ValueError, match=r"needs item columns Q1\.\.Q5; missing: Q4, Q5"):
        score(pl.DataFrame({"Q1": [1], "Q2": [1], "Q3": [1]}), five_items())


RQ_ANSWERS = {"secure": 6, "fearful": 2, "preoccupied": 1, "dismissing": 4}


def test_rq_dimension_scores_by_name():
    frame = pl.DataFrame({name: [value] for name, value in RQ_ANSWERS.items()})
    res = score(frame, "rq")
    # self = (secure + dismissing) - (fearful + preoccupied) = (6 + 4) - (2 + 1) = 7
    # other = (secure + preoccupied) - (fearful + dismissing) = (6 + 1) - (2 + 4) = 1
    assert res.scores["model_of_self"][0] == 7
    assert res.scores["model_of_other"][0] == 1


@pytest.mark.parametrize(
    "letters",
    [
        # Bartholomew & Horowitz (1991): A secure, B fearful, C preoccupied, D dismissing
        {"A": "secure", "B": "fearful", "C": "preoccupied", "D": "dismissing"},
        # the order of the RQ scoring notes: 1 secure, 2 dismissing, 3 preoccupied, 4 fearful
        {"A": "secure", "B": "dismissing", "C": "preoccupied", "D": "fearful"},
    ],
)
def test_rq_by_declared_letters_gives_the_same_scores_in_both_letter_orders(letters):
    """The same person answers both forms; each form's letters hold different paragraphs, so
    the raw columns differ, and the declared map gives model of self 7 and of other 1 in both."""
    frame = pl.DataFrame({letter: [RQ_ANSWERS[name]] for letter, name in letters.items()})
    res = score(frame, "rq", item_map=letters)
    assert (res.scores["model_of_self"][0], res.scores["model_of_other"][0]) == (7, 1)
    assert res.scores["fearful"][0] == 2 and res.parameters["item_map"] == letters


def test_rq_is_never_read_by_position():
    frame = pl.DataFrame({f"R{i}": [v] for i, v in enumerate(RQ_ANSWERS.values(), start=1)})
    with pytest.raises(ValueError, match=r"rq reads answers by name.*--item-map.*never taken"):
        score(frame, "rq", items_prefix="R")
    with pytest.raises(ValueError, match=r"item_map: calm is not an item of this instrument"):
        score(frame, "rq", item_map={"R1": "calm"})
    with pytest.raises(ValueError, match=r"item_map: secure is given more than one column"):
        score(frame, "rq", item_map={"R1": "secure", "R2": "secure"})


def test_rows_keep_the_id_and_passed_through_columns():
    frame = pl.DataFrame(
        {
            "pid": ["a", "b"],
            "age": [31, 40],
            "Q1": [1, 2],
            "Q2": [7, 6],
            "Q3": [1, 2],
            "Q4": [1, 2],
            "Q5": [2, 2],
        }
    )
    out = score(frame, five_items(), id_column="pid", keep=["age"]).to_frame()
    assert out.columns[:3] == ["row", "pid", "age"]
    assert out.select("row", "pid", "age").rows() == [(1, "a", 31), (2, "b", 40)]
    assert set(out["instrument"]) == {"toy"} and set(out["verification"]) == {"verified"}
    with pytest.raises(ValueError, match=r"no column 'gender'"):
        score(frame, five_items(), keep=["gender"])
    with pytest.raises(ValueError, match=r"x: a kept column may not share an output's name"):
        score(frame.with_columns(x=pl.lit(1)), five_items(), keep=["x"])


def test_item_analysis_by_hand():
    """Keyed answers of 6 complete cases on 4 items (item 2 reversed: 8 - raw): each item's
    corrected r is Pearson r with the sum of the other three, alpha if deleted the alpha of
    those three; the sixth respondent skips an item and is left out."""
    inst = Instrument(
        id="four",
        name="four",
        version="1",
        scale_min=1,
        scale_max=7,
        citation="",
        verification="verified",
        key_source="made up for the tests",
        source_notes="",
        items=(1, 2, 3, 4),
        subscales={"x": (1, 2, 3, 4)},
        reverse=frozenset({2}),
    )
    raw = np.array(
        [[1, 7, 2, 1], [2, 5, 3, 2], [4, 4, 4, 5], [5, 2, 6, 4], [7, 1, 6, 7], [3, 3, 3, 3]],
        dtype=float,
    )
    frame = pl.DataFrame({f"Q{j + 1}": raw[:5, j] for j in range(4)}).vstack(
        pl.DataFrame({"Q1": [3.0], "Q2": [None], "Q3": [3.0], "Q4": [3.0]})
    )
    res = score(frame, inst)
    keyed = raw[:5].copy()
    keyed[:, 1] = 8 - keyed[:, 1]
    items = res.items
    assert items["column"].to_list() == ["Q1", "Q2", "Q3", "Q4"]
    assert items["reversed"].to_list() == [False, True, False, False]
    assert set(items["n"]) == {5}
    for j in range(4):
        rest = np.delete(keyed, j, axis=1)
        r = np.corrcoef(keyed[:, j], rest.sum(axis=1))[0, 1]
        assert items["r_corrected"][j] == pytest.approx(r)
        assert items["alpha_if_deleted"][j] == pytest.approx(cronbach_alpha(rest).alpha)
        assert items["mean"][j] == pytest.approx(keyed[:, j].mean())
        assert items["sd"][j] == pytest.approx(keyed[:, j].std(ddof=1))
    assert res.items_negative_r == 0 and res.warnings == []


def test_a_mis_keyed_item_is_named():
    """Item 3 answered against the others (as if the form had reversed it): its corrected r is
    negative, the only warning names it, and the scores are computed as keyed."""
    rng = np.random.default_rng(11)
    trait = rng.normal(size=200)
    answers = np.clip(np.round(4 + 1.5 * trait[:, None] + rng.normal(size=(200, 5))), 1, 7)
    answers[:, 1] = 8 - answers[:, 1]  # item 2 is reverse-keyed in the key and on the form
    answers[:, 2] = 8 - answers[:, 2]  # item 3 is not in the key, but was on this form
    frame = pl.DataFrame({f"Q{j + 1}": answers[:, j] for j in range(5)})
    res = score(frame, five_items())
    (warning,) = res.warnings
    assert warning.startswith("item Q3 (x): corrected item-total r = -0.")
    assert "reverse-keyed? check your item order" in warning
    assert res.items_negative_r == 1
    assert res.items.filter(pl.col("r_corrected") < 0)["column"].to_list() == ["Q3"]


# --- reliability ----------------------------------------------------------------------------


def test_alpha_by_hand():
    # item variances 1 and 1/3, sum-score variance 7/3: alpha = 2 (1 - (4/3) / (7/3)) = 6/7
    res = cronbach_alpha(np.array([[1, 2], [2, 3], [3, 3], [np.nan, 1]]))
    assert res.alpha == pytest.approx(6 / 7)
    assert (res.n, res.k, res.n_dropped) == (3, 2, 1)


def test_alpha_textbook_value_and_feldt_interval():
    # Shrout & Fleiss (1979): 6 targets x 4 judges; ICC(3,k) = .91 is Cronbach's alpha
    sf = np.array(
        [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    )
    res = cronbach_alpha(sf)
    assert round(res.alpha, 2) == 0.91
    # Feldt interval, as pingouin 0.5.5 cronbach_alpha prints it: [0.676, 0.986]
    assert (round(res.ci_low, 3), round(res.ci_high, 3)) == (0.676, 0.986)


def test_omega_is_exact_when_the_one_factor_model_holds():
    lam, psi = np.array([1.0, 2.0, 3.0, 0.5]), np.array([1.0, 1.0, 2.0, 0.5])
    cov = np.outer(lam, lam) + np.diag(psi)
    res = mcdonald_omega(cov=cov)
    assert res.omega == pytest.approx(6.5**2 / (6.5**2 + 4.5), abs=1e-6)
    assert np.allclose(res.loadings, lam, atol=1e-4)
    assert np.allclose(res.uniquenesses, psi, atol=1e-4)


def test_omega_of_tau_equivalent_items_equals_alpha():
    rng = np.random.default_rng(1)
    true = rng.normal(size=(4000, 1))
    items = true + rng.normal(scale=0.8, size=(4000, 5))
    assert mcdonald_omega(items).omega == pytest.approx(cronbach_alpha(items).alpha, abs=0.005)


# --- styles ---------------------------------------------------------------------------------


def test_brennan_functions_on_hand_points():
    anx, avo = np.array([1.0, 6.0, 6.0, 1.0]), np.array([1.0, 6.0, 1.0, 6.0])
    res = classify(anx, avo, "brennan1998", scale_min=1, scale_max=7)
    # (avo 1, anx 1): secure -2.77, fearful -16.94, preoccupied -14.82, dismissing -9.92
    # (avo 1, anx 6): secure 24.59, fearful 23.95, preoccupied 33.73, dismissing 14.77
    # (avo 6, anx 1): secure 13.68, fearful 19.25, preoccupied 4.80, dismissing 26.90
    assert res.labels.to_list() == ["secure", "fearful", "preoccupied", "dismissing"]
    assert res.parameters["rescaled_to_1_7"] is False
    assert res.method == "brennan1998"


def test_brennan_values_by_hand_and_5_point_rescaling():
    # avo 6, anx 6: secure 3.2893296*6 + 5.4725318*6 - 11.5307833 = 41.0404051,
    # fearful 7.2371075*6 + 8.1776448*6 - 32.3553266 = 60.1331872 -> fearful
    res = classify(np.array([6.0]), np.array([6.0]), "brennan1998", scale_min=1, scale_max=7)
    assert res.labels[0] == "fearful"
    # 5-point 3 (the midpoint) maps to 7-point 4: secure 3.2893296*4 + 5.4725318*4 - 11.5307833
    # = 23.5167 and fearful 29.3037, preoccupied 26.0825, dismissing 26.9905 -> fearful
    five = classify(np.array([3.0]), np.array([3.0]), "brennan1998", scale_min=1, scale_max=5)
    assert five.labels[0] == "fearful" and five.parameters["rescaled_to_1_7"] is True
    assert "extrapolation" in five.warnings[0]


def test_brennan1998_refused_off_the_36_item_ecr_unless_extrapolating():
    frame = pl.DataFrame({f"Q{i}": [4, 3] for i in range(1, 37)})
    with pytest.raises(ValueError, match=r"estimated on the 36-item ECR only, not on ecr-r"):
        score(frame, "ecr-r", styles="brennan1998")
    with pytest.raises(ValueError, match=r"not on ecr-s"):
        classify(np.array([4.0]), np.array([4.0]), "brennan1998", scale_min=1, scale_max=7,
                 instrument="ecr-s")  # fmt: skip
    res = score(frame, "ecr-r", styles="brennan1998", extrapolate=True)
    assert res.styles.parameters["extrapolated_to_instrument"] is True
    assert "brennan1998 on ecr-r: an extrapolation" in res.styles.warnings[0]
    assert score(frame, "ecr-r", styles="midpoint").styles.warnings == []
    ecr = score(frame, "ecr", styles="brennan1998")
    assert ecr.styles.parameters["extrapolated_to_instrument"] is False
    assert ecr.styles.warnings == []


def test_cli_items_prints_the_item_analysis(tmp_path):
    """ECR-S, 40 respondents answering along one trait: one row per item in administration
    order, the reversed items marked, the same r as the API's frame."""
    rng = np.random.default_rng(2)
    trait = rng.normal(size=40)
    answers = np.clip(np.round(4 + 1.5 * trait[:, None] + rng.normal(size=(40, 12))), 1, 7)
    reverse = [0, 4, 7, 8]  # items 1, 5, 8, 9
    answers[:, reverse] = 8 - answers[:, reverse]
    answers[0, :] = 1  # someone uses each end
    answers[1, :] = 7
    frame = pl.DataFrame({f"Q{j + 1}": answers[:, j] for j in range(12)})
    path = tmp_path / "ecr-s.csv"
    frame.write_csv(path)
    res = CliRunner().invoke(app, ["score", "ecr-s", str(path), "--items"])
    assert res.exit_code == 0, res.output
    rows = [line.split("│")[1:-1] for line in res.stdout.splitlines() if line.count("│") == 9]
    items = [r for r in rows if r[0].strip().isdigit()]
    assert [int(r[0]) for r in items] == list(range(1, 13))
    assert [r[3].strip() == "yes" for r in items] == [i in (1, 5, 8, 9) for i in range(1, 13)]
    api = score(frame, "ecr-s").items["r_corrected"].to_list()
    assert [float(r[6]) for r in items] == [round(v, 3) for v in api]


def test_cli_brennan1998_on_ecr_r_exits_2_without_extrapolate(tmp_path):
    path = tmp_path / "ecr-r.csv"
    pl.DataFrame({f"Q{i}": [4, 3, 7, 1] for i in range(1, 37)}).write_csv(path)
    args = ["score", "ecr-r", str(path), "--styles", "brennan1998"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: styles brennan1998: the classification functions")
    allowed = CliRunner().invoke(app, [*args, "--extrapolate", "--json"])
    assert allowed.exit_code == 0, allowed.output
    styles = json.loads(allowed.stdout)["styles"]
    assert styles["parameters"]["extrapolated_to_instrument"] is True
    assert "an extrapolation" in styles["warnings"][0]


def test_cli_an_unverified_key_says_so_in_every_output(tmp_path):
    path = tmp_path / "ecr-12.csv"
    pl.DataFrame({f"Q{i}": [4, 3, 7, 1] for i in range(1, 13)}).write_csv(path)
    text = CliRunner().invoke(app, ["score", "ecr-12", str(path)])
    assert text.exit_code == 0, text.output
    words = " ".join(w for w in text.stdout.split() if w != "│")  # the table's cells unwrapped
    assert "warning the ecr-12 scoring key is unverified" in words
    as_json = CliRunner().invoke(app, ["score", "ecr-12", str(path), "--json"])
    data = json.loads(as_json.stdout)
    assert data["verification"] == "unverified" and data["instrument_version"] == "2016"
    assert data["warnings"][0].startswith("the ecr-12 scoring key is unverified")
    assert "the ecr-12 scoring key is unverified" in as_json.stderr
    out = tmp_path / "scores.csv"
    CliRunner().invoke(app, ["score", "ecr-12", str(path), "--out", str(out)])
    assert set(pl.read_csv(out)["verification"]) == {"unverified"}


def test_quadrants_at_midpoint_and_median():
    anx = np.array([2.0, 5.0, 5.0, 2.0, 4.0, np.nan])
    avo = np.array([2.0, 5.0, 2.0, 5.0, 4.0, 3.0])
    mid = classify(anx, avo, "midpoint", scale_min=1, scale_max=7)
    # the cut is 4; a score of exactly 4 is low
    assert mid.labels.to_list() == [
        "secure",
        "fearful",
        "preoccupied",
        "dismissing",
        "secure",
        None,
    ]
    assert mid.parameters["cut_anxiety"] == 4
    assert mid.figures() == {
        "secure": 2,
        "fearful": 1,
        "preoccupied": 1,
        "dismissing": 1,
        "unclassified": 1,
    }
    med = classify(anx, avo, "median", scale_min=1, scale_max=7)
    # medians of the 5 scored: anxiety 4, avoidance 4
    assert (med.parameters["cut_anxiety"], med.parameters["cut_avoidance"]) == (4.0, 4.0)
    assert med.labels.to_list() == mid.labels.to_list()
    with pytest.raises(ValueError, match="unknown style method"):
        classify(anx, avo, "kmeans", scale_min=1, scale_max=7)
