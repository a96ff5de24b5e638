"""attunement agree from the command line: JSON keys from the catalogue, the error model it
saves gives back the planted rates, and bad input is one line with exit status 2."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import attunement
from attunement.cli import app
from attunement.measures.agreement.corrupt import corrupt
from attunement.measures.agreement.error_model import load
from tests.agreement_helpers import CLASSES, planted
from tests.catalogue_helpers import assert_catalogue_names
from tests.conftest import REAL, need

runner = CliRunner()
REQUIRED = (
    "detection_error_rate",
    "false_alarm_s",
    "missed_detection_s",
    "identification_error_rate",
    "confusion_s",
    "confusion_matrix_s",
    "per_class",
    "kappa",
    "krippendorff_alpha",
    "frame_s",
    "collar_s",
    "compared_s",
)


@pytest.fixture
def pair(tmp_path):
    eaf = need(REAL / "elan" / "example.eaf")
    degraded = tmp_path / "degraded.csv"
    corrupt(attunement.read(eaf), planted(), seed=1).segments.write_csv(degraded)
    return str(eaf), str(degraded)


def one_line_error(args, match):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and match in lines[0], lines
    assert "Traceback" not in result.output


def test_json_names_and_the_saved_error_model(pair, tmp_path):
    model = tmp_path / "m.json"
    result = runner.invoke(app, ["agree", *pair, "--json", "--save-error-model", str(model)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{") :])
    assert_catalogue_names(data, "agree")
    assert set(REQUIRED) <= set(data)
    assert set(data["per_class"]["CHI"]) == {
        "precision",
        "recall",
        "f1",
        "reference_s",
        "hypothesis_s",
    }
    assert set(data["confusion_matrix_s"]) == {*CLASSES, "none"}
    saved = load(model)
    assert saved.miss_rate["CHI"] == pytest.approx(0.2, abs=0.08)
    assert saved.confusion["FEM"]["MAL"] == pytest.approx(0.1, abs=0.06)
    assert saved.boundary_jitter_s == pytest.approx(0.1, abs=0.03)


def test_planted_rates_come_back_on_average():
    """Over 20 degraded copies of the ACLEW annotation the estimated rates centre on the
    planted ones (one 5-minute clip has only 53 to 134 segments per class)."""
    from attunement.measures.agreement.error_model import estimate

    ref = attunement.read(need(REAL / "elan" / "example.eaf"))
    region = np.array([[0.0, 300_113.0]])
    models = [
        estimate(ref, corrupt(ref, planted(), seed=s), region, CLASSES, "t") for s in range(20)
    ]
    mean = {c: np.mean([m.miss_rate[c] for m in models]) for c in CLASSES}
    assert mean["CHI"] == pytest.approx(0.2, abs=0.03)
    assert mean["FEM"] == pytest.approx(0.1, abs=0.03)
    assert np.mean([m.confusion["CHI"]["OCH"] for m in models]) == pytest.approx(0.1, abs=0.03)
    assert np.mean([m.false_alarm_ratio["FEM"] for m in models]) == pytest.approx(0.2, abs=0.04)
    assert np.mean([m.boundary_jitter_s for m in models]) == pytest.approx(0.1, abs=0.01)


def test_bad_input_is_one_line(pair, tmp_path):
    eaf, degraded = pair
    one_line_error(["agree", eaf, eaf, "--range", "400-500"], "lies outside")
    one_line_error(["agree", eaf, eaf, "--range", "abc"], "START-END")
    one_line_error(["agree", eaf, eaf, "--classes", "CHI,XYZ"], "unknown class")
    one_line_error(["agree", eaf], "give a REFERENCE and a HYPOTHESIS")
    late = tmp_path / "late.csv"
    late.write_text(
        "segment_onset,segment_offset,speaker_type,speaker_id,kind\n900000,901000,CHI,CHI,vocal\n"
    )
    one_line_error(["agree", eaf, str(late)], "do not overlap in time")
    empty = tmp_path / "empty.csv"
    empty.write_text("segment_onset,segment_offset,speaker_type,speaker_id,kind\n")
    result = runner.invoke(app, ["agree", eaf, str(empty)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    bad = tmp_path / "clips.csv"
    bad.write_text("onset_s,offset_s\n0,1000\n")
    one_line_error(["agree", eaf, degraded, "--clips", str(bad)], "lies outside")
    one_line_error(["agree", "--counts", eaf, degraded, "--clip", "600"], "shorter than one clip")
    one_line_error(["turns", eaf, "--error-model", str(bad)], "not a JSON error model")


def test_a_class_on_one_side_only_is_reported_not_an_error(pair):
    eaf, degraded = pair
    result = runner.invoke(app, ["agree", eaf, degraded, "--json"])
    data = json.loads(result.stdout)
    assert data["absent"] == {"reference": ["MAL"], "hypothesis": []}
    assert data["kappa"]["MAL"] is not None or "MAL" in " ".join(data["warnings"])


def test_counts_json_and_plot(pair, tmp_path):
    eaf, degraded = pair
    plot = tmp_path / "scatter.png"
    result = runner.invoke(
        app, ["agree", "--counts", eaf, degraded, "--clip", "30", "--json", "--plot", str(plot)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("[") :])
    assert [d["count"] for d in data] == ["child_vocalisations", "adult_words", "turns"]
    for d in data:
        assert_catalogue_names(d, "agree_counts")
    assert plot.stat().st_size > 10_000
