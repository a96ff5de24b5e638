"""`attunement stability`: JSON fields on small CSVs, tables, and clear errors."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from attunement.cli import app

runner = CliRunner()


def write(path, header, rows):
    path.write_text("\n".join([header, *(",".join(r) for r in rows)]) + "\n")
    return path


@pytest.fixture
def waves(tmp_path):
    # 6 children; c6 has no wave 2 record; subgroup notation in wave 1
    w1 = write(
        tmp_path / "w1.csv",
        "id,classification,nle",
        [
            ("c1", "B2", "no"),
            ("c2", "B1", "no"),
            ("c3", "A1", "yes"),
            ("c4", "C1", "yes"),
            ("c5", "D/B2", "no"),
            ("c6", "B3", "yes"),
        ],
    )
    w2 = write(
        tmp_path / "w2.csv",
        "id,classification",
        [("c1", "B"), ("c2", "A"), ("c3", "A"), ("c4", "B"), ("c5", "D")],
    )
    return w1, w2


def test_json_fields(waves):
    result = runner.invoke(app, ["stability", *map(str, waves), "--moderator", "nle", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 5 and data["n_missing"] == 1
    assert "1 respondent(s) have no classification in w2.csv: c6" in result.output
    assert data["missing_by_wave"] == {"w1.csv": 0, "w2.csv": 1}
    # c1 B->B, c2 B->A, c3 A->A, c4 C->B, c5 D->D: 3 of 5 stable
    assert data["percent_stable"] == 60.0
    tm = data["transition_matrix"]
    assert tm["labels"] == ["A", "B", "C", "D"]
    assert tm["counts"] == [[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    # κ by hand: p_o = .6; rows (1,2,1,1)/5, columns (2,2,0,1)/5: p_e = (2+4+0+1)/25 = .28
    assert data["kappa"]["kappa"] == pytest.approx((0.6 - 0.28) / 0.72)
    assert len(data["kappa"]["ci"]) == 2 and data["kappa"]["confidence"] == 0.95
    # secure/insecure: c1 S->S, c2 S->I, c3 I->I, c4 I->S, c5 I->I: 3/5, p_e = .4·.4 + .6·.6
    two = data["two_way"]
    assert two["percent_stable"] == 60.0
    assert two["kappa"]["kappa"] == pytest.approx((0.6 - 0.52) / 0.48)
    mod = data["moderator"]
    assert [(g["group"], g["n"], g["changed"]) for g in mod["groups"]] == [
        ("no", 3, 1),
        ("yes", 2, 1),
    ]
    assert mod["difference"] == pytest.approx(50 - 100 / 3)
    assert data["parameters"]["secure"] == ["B"]


def test_three_waves_and_tables(waves, tmp_path):
    w3 = write(tmp_path / "w3.csv", "id,classification", [("c1", "B"), ("c2", "B")])
    result = runner.invoke(app, ["stability", *map(str, waves), str(w3), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(p["earlier"], p["later"]) for p in data["pairs"]] == [
        ("w1.csv", "w2.csv"),
        ("w2.csv", "w3.csv"),
        ("w1.csv", "w3.csv"),
    ]
    assert (data["earlier"], data["later"], data["n"]) == ("w1.csv", "w3.csv", 2)
    table = runner.invoke(app, ["stability", *map(str, waves), "--moderator", "nle"])
    assert table.exit_code == 0, table.output
    assert "classification stability" in table.stdout and "change by nle" in table.stdout


def test_missing_column_names_file_and_columns(waves, tmp_path):
    other = write(tmp_path / "other.csv", "child,cls", [("c1", "B")])
    result = runner.invoke(app, ["stability", str(waves[0]), str(other)])
    assert result.exit_code == 1
    assert "other.csv: no column 'id', 'classification'" in result.output
    assert "columns found: child, cls" in result.output
    ok = runner.invoke(
        app, ["stability", str(other), str(other), "--id", "child", "--class", "cls", "--json"]
    )
    assert ok.exit_code == 0 and json.loads(ok.stdout)["percent_stable"] == 100.0


def test_duplicates_and_unknown_classes_named(waves, tmp_path):
    dup = write(tmp_path / "dup.csv", "id,classification", [("c1", "B"), ("c2", "A"), ("c1", "C")])
    result = runner.invoke(app, ["stability", str(waves[0]), str(dup)])
    assert result.exit_code == 1
    assert "dup.csv: duplicate id(s)" in result.output and "'c1' on lines [2, 4]" in result.output
    bad = write(tmp_path / "bad.csv", "id,classification", [("c1", "B"), ("c2", "B5")])
    result = runner.invoke(app, ["stability", str(waves[0]), str(bad)])
    assert result.exit_code == 1
    assert "bad.csv: 1 unknown class(es)" in result.output
    assert "line 3 (id 'c2'): 'B5'" in result.output


def test_usage_errors(waves):
    assert runner.invoke(app, ["stability", str(waves[0])]).exit_code == 2
    result = runner.invoke(app, ["stability", *map(str, waves), "--moderator", "nope"])
    assert result.exit_code == 1 and "moderator column 'nope'" in result.output
    result = runner.invoke(
        app, ["stability", *map(str, waves), "--moderator", "nle", "--test", "exact"]
    )
    assert result.exit_code == 2 and "moderator_test" in result.output


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(alphabet='ABCDabcd/12345 ,"x', max_size=5), min_size=1, max_size=6))
def test_garbage_cells_give_a_clean_exit(tmp_path, cells):
    rows = "\n".join(f"r{i},{json.dumps(c)}" for i, c in enumerate(cells))
    (tmp_path / "g1.csv").write_text(f"id,classification\n{rows}\n")
    (tmp_path / "g2.csv").write_text(f"id,classification\n{rows}\n")
    result = runner.invoke(app, ["stability", str(tmp_path / "g1.csv"), str(tmp_path / "g2.csv")])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 1:
        assert "error: " in result.output
