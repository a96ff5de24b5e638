"""The ECR oracle on real responses (reference README section 5), the `attunement score`
command, and garbage input that must give our error naming respondent and item."""

import json

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from attunement.attachment import ResponseError, read_responses, score
from attunement.cli import app
from attunement.measures.registry import family
from tests.catalogue_helpers import assert_catalogue_names
from tests.conftest import REAL, need

ECR = REAL / "ecr" / "data.csv"
runner = CliRunner()


def test_ecr_oracle_on_complete_cases():
    result = score(need(ECR), "ecr", scale_min=1, scale_max=5, missing=[0])
    assert result.respondents == 51491
    assert result.complete_cases == 46610
    r = result
    assert (round(r.avoidance_mean, 3), round(r.avoidance_sd, 3), round(r.avoidance_alpha, 3)) == (
        2.565,
        0.840,
        0.938,
    )
    assert (round(r.anxiety_mean, 3), round(r.anxiety_sd, 3), round(r.anxiety_alpha, 3)) == (
        3.095,
        0.803,
        0.916,
    )
    assert round(r.anxiety_avoidance_r, 2) == -0.05
    assert r.correlations["avoidance~anxiety"] == r.anxiety_avoidance_r
    assert r.avoidance_alpha_low < r.avoidance_alpha < r.avoidance_alpha_high
    assert 0.90 < r.anxiety_omega < 0.93 and 0.92 < r.avoidance_omega < 0.95
    assert r.subscales["anxiety"]["alpha"] == r.anxiety_alpha
    # 9,534 answers are the declared missing code 0 (the undeclared-code test below lists them)
    assert (r.missing_answers, r.invalid_answers) == (9534, 0)


def test_cli_json_summary_and_scores_file(tmp_path):
    out = tmp_path / "scores.csv"
    args = ["score", "ecr", str(need(ECR)), "--scale-min", "1", "--scale-max", "5"]
    args += ["--missing", "0", "--styles", "brennan1998", "--out", str(out), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert_catalogue_names(summary, "score")
    assert summary["instrument"] == "ecr" and summary["path"] == str(need(ECR))
    assert (summary["respondents"], summary["complete_cases"]) == (51491, 46610)
    for name in ("anxiety", "avoidance"):
        entry = summary["subscales"][name]
        assert {"mean", "sd", "alpha", "alpha_low", "alpha_high", "omega", "n"} <= set(entry)
        assert entry["n"] == 46610
    assert round(summary["subscales"]["anxiety"]["alpha"], 3) == 0.916
    assert (round(summary["anxiety_alpha"], 3), round(summary["avoidance_alpha"], 3)) == (
        0.916,
        0.938,
    )
    styles = summary["styles"]
    assert_catalogue_names(styles, "styles")
    assert styles["method"] == "brennan1998" and styles["parameters"]["rescaled_to_1_7"]
    assert sum(styles[f.name] for f in family("styles").scalars) == 51491
    assert summary["problems"] == []
    scores = pl.read_csv(out)
    assert scores.height == 51491
    assert {"avoidance", "anxiety", "avoidance_n", "style", "style_method"} <= set(scores.columns)
    assert set(scores["style_method"].unique()) == {"brennan1998"}


FIX = "--missing 0 --scale-min 1 --scale-max 5"


def test_first_try_stops_with_one_summary_and_the_flags_that_fix_it():
    """No options: 9,534 zeros outside the declared 1-7 and answers that never reach 6 or 7.
    Exit 2, at most 20 lines, the counts, and the flags; those flags score it (alpha .938/.916)."""
    res = runner.invoke(app, ["score", "ecr", str(need(ECR))])
    assert res.exit_code == 2 and res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) <= 20
    assert lines[0] == (
        f"error: {need(ECR)}: the answers do not fit the declared 1-7 scale of ecr "
        "(51,491 respondents):"
    )
    assert "9,534 value(s) in" in res.stderr and "outside 1-7: 0 (9,534 times)" in res.stderr
    assert "the answers on the scale run 1-5: nobody answered 6 or 7" in res.stderr
    assert "row 7 (line 8), item Q13: '0' is outside the scale 1..7" in res.stderr
    assert f"if 0 marks a missing answer and the form ran 1-5:  {FIX}" in res.stderr
    verbose = runner.invoke(app, ["score", "ecr", str(need(ECR)), "--verbose"])
    assert verbose.exit_code == 2 and len(verbose.stderr.splitlines()) == len(lines) + 9534
    fixed = runner.invoke(app, ["score", "ecr", str(need(ECR)), *FIX.split(), "--json"])
    assert fixed.exit_code == 0, fixed.output
    data = json.loads(fixed.stdout)
    assert (round(data["avoidance_alpha"], 3), round(data["anxiety_alpha"], 3)) == (0.938, 0.916)


def test_a_1_to_5_file_is_never_scored_as_1_to_7():
    """Only the missing code declared: the answers run 1-5 on a declared 1-7 scale, exit 2 with
    the complete flags; the escape hatch is named, and taking it scores with a warning."""
    res = runner.invoke(app, ["score", "ecr", str(need(ECR)), "--missing", "0"])
    assert res.exit_code == 2 and res.stdout == ""
    assert len(res.stderr.splitlines()) <= 20
    assert f"if the form ran 1-5:  {FIX}" in res.stderr
    assert "scoring a 1-5 form as 1-7 gets every reversed item wrong" in res.stderr
    assert "--no-range-check" in res.stderr
    args = ["score", "ecr", str(need(ECR)), "--missing", "0", "--no-range-check", "--json"]
    forced = runner.invoke(app, args)
    assert forced.exit_code == 0
    assert "declared scale is 1-7 but the answers run only 1-5" in forced.stderr


def test_a_planted_mis_keyed_item_in_the_real_ecr_is_named():
    """Q7 (avoidance, not reversed) flipped on the 1-5 scale, as if the form had reversed it:
    the guard names Q7 and nothing else; the untouched data name no item."""
    data = read_responses(need(ECR))
    flipped = data.with_columns(
        pl.when(pl.col("Q7") == "0")
        .then(pl.col("Q7"))
        .otherwise((6 - pl.col("Q7").cast(pl.Int64)).cast(pl.String))
        .alias("Q7")
    )
    options = {"scale_min": 1, "scale_max": 5, "missing": [0]}
    clean = score(data, "ecr", **options)
    assert clean.items_negative_r == 0 and clean.warnings == []
    assert clean.items["r_corrected"].min() > 0.45
    planted = score(flipped, "ecr", **options)
    named = [w for w in planted.warnings if "reverse-keyed? check your item order" in w]
    assert len(named) == 1 and named[0].startswith("item Q7 (avoidance): corrected item-total r")
    assert planted.items_negative_r == 1
    q7 = planted.items.filter(pl.col("column") == "Q7")
    assert q7["r_corrected"][0] == pytest.approx(-clean.items["r_corrected"][6], abs=0.2)


def test_scores_keep_row_and_passed_through_columns(tmp_path):
    out = tmp_path / "scores.csv"
    args = ["score", "ecr", str(need(ECR)), *FIX.split(), "--keep", "age,gender,country"]
    res = runner.invoke(app, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    scores = pl.read_csv(out)
    source = pl.read_csv(need(ECR), columns=["age", "gender", "country"])
    assert scores.columns[:4] == ["row", "age", "gender", "country"]
    assert scores["row"].to_list() == list(range(1, 51492))
    assert scores.select("age", "gender", "country").equals(source)


def test_cli_sniffs_tabs_and_reports_problems_with_invalid_missing(tmp_path):
    path = tmp_path / "rs.tsv"
    rows = ["id\tM1\tM2\tM3\tM4\tM5\tM6\tM7\tM8\tM9", "p1\t7\t7\t7\t7\t1\t1\t4\t5\t6"]
    rows.append("p2\t1\t2\t3\t4\t5\t6\t7\t8\tzz")
    path.write_text("\n".join(rows) + "\n")
    args = ["score", "ecr-rs", str(path), "--items-prefix", "M", "--invalid", "missing", "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert_catalogue_names(summary, "score")
    assert summary["invalid_answers"] == 2
    assert [(p["respondent"], p["item"], p["line"]) for p in summary["problems"]] == [
        ("p2", "M8", 3),
        ("p2", "M9", 3),
    ]
    bad = runner.invoke(app, ["score", "ecr-rs", str(path), "--items-prefix", "M"])
    assert bad.exit_code == 2
    assert "2 value(s) in 1 respondent(s) are not answers on the 1-7 scale" in bad.stderr
    assert "outside 1-7: 8 (1 time)" in bad.stderr and "not a number: 'zz' (1 time)" in bad.stderr
    assert "row 2 (line 3), respondent p2, item M9: 'zz' is not a number" in bad.stderr
    assert (
        "if 8 marks a missing answer (the other invalid values scored as missing):  --missing 8 "
        "--invalid missing" in bad.stderr
    )
    assert "score every invalid value as missing:  --invalid missing" in bad.stderr
    unknown = runner.invoke(app, ["score", "ecr-x", str(path)])
    assert unknown.exit_code == 2 and "unknown instrument" in unknown.stderr


CELL = st.one_of(
    st.integers(-3, 10).map(str),
    st.text(max_size=4),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.just(""),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=12, max_size=12), min_size=1, max_size=4))
def test_garbage_cells_give_our_error_naming_respondent_and_item(rows):
    frame = pl.DataFrame(
        {"pid": [f"r{i}" for i in range(len(rows))]}
        | {f"Q{j + 1}": [row[j] for row in rows] for j in range(12)},
        schema={"pid": pl.String} | {f"Q{j + 1}": pl.String for j in range(12)},
    )
    try:
        result = score(frame, "ecr-s", id_column="pid")
    except ResponseError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.respondent == f"r{p.row - 1}" and p.item.startswith("Q")
            assert f"respondent {p.respondent}, item {p.item}" in str(p)
        return
    values = result.keyed
    assert np.all(np.isnan(values) | ((values >= 1) & (values <= 7)))
