"""The ECR oracle on real responses (reference README section 5), the `attunement score`
command, and garbage input that must give our error naming respondent and item."""

import json

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from attunement.attachment import ResponseError, score
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


def test_cli_lists_undeclared_missing_codes_by_line_and_item():
    args = ["score", "ecr", str(need(ECR)), "--scale-min", "1", "--scale-max", "5"]
    res = runner.invoke(app, args)
    assert res.exit_code == 1
    assert "9534 invalid item response(s)" in res.stderr
    assert "row 7 (line 8), item Q13: '0' is outside the scale 1..5" in res.stderr


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
    assert bad.exit_code == 1
    assert "row 2 (line 3), respondent p2, item M9: 'zz' is not a number" in bad.stderr
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
