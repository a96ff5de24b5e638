"""The experiments: each one's qualitative result and its effects in standard units beside the
observed effects, asserted on small samples; the CLI."""

import numpy as np
import polars as pl
import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

from attunement.cli import app
from attunement.simulate import experiments as ex


def value(table, level, arm, measure):
    row = table.filter(
        (pl.col("level") == level) & (pl.col("arm") == arm) & (pl.col("measure") == measure)
    )
    return row["value"][0]


def test_rhythm_contingent_beats_random_at_equal_talk():
    table, effects, fig, params = ex.rhythm(children=300, dyads=8, minutes=5.0)
    assert isinstance(fig, Figure)
    assert params["random_share"] == pytest.approx(3 / 60)
    talk = "adult responses per week (expected)"
    assert value(table, "development", "contingent", talk) == value(
        table, "development", "random", talk
    )
    assert value(table, "development", "contingent", "scaffolding") > 0.3 + value(
        table, "development", "random", "scaffolding"
    )
    assert value(table, "development", "contingent", "share secure (B)") > 0.3 + value(
        table, "development", "random", "share secure (B)"
    )
    units = [value(table, "interaction", a, "adult units") for a in ("contingent", "random")]
    assert units[1] == pytest.approx(units[0], rel=0.2)  # equal adult talk (in expectation)
    assert value(table, "interaction", "contingent", "response rate") > 0.15 + value(
        table, "interaction", "random", "response rate"
    )
    extreme, natural = effects.rows(named=True)
    assert extreme["unit"] == "d" and extreme["low"] < extreme["value"] < extreme["high"]
    # the observed effect beside it: r .24 as d = 2r / sqrt(1 - r^2)
    assert extreme["observed_value"] == pytest.approx(0.48 / np.sqrt(1 - 0.24**2))
    assert natural["unit"] == "r" and natural["observed_value"] == 0.24
    assert natural["inside"] == (
        natural["observed_low"] <= natural["value"] <= natural["observed_high"]
    )


def test_recovery_minutes_by_hand():
    # ln(1 / 0.1) / (1 * 0.5) = 4.605 min; G = 0 never recovers
    got = ex.recovery_minutes(np.array([0.5, 0.0]), 1.0, 0.1)
    assert got[0] == pytest.approx(np.log(10) / 0.5)
    assert np.isinf(got[1])


def test_repair_with_repair_recovers_fastest():
    table, effects, _, params = ex.repair(children=300)
    rec = dict(zip(table["arm"], table["recovery_median_min"], strict=True))
    matched = dict(zip(table["arm"], table["matched_share"], strict=True))
    # the matched share is not an arm setting: it emerges, highest for the steady caregiver
    assert matched["harmony"] > matched["rupture + repair"] > matched["rupture, no repair"]
    assert effects["unit"].to_list() == ["d"]
    assert rec["rupture + repair"] < rec["harmony"] < rec["rupture, no repair"]
    assert rec["rupture, no repair"] > 2 * rec["rupture + repair"]
    assert params["threshold"] == 0.1


def test_earned_security_earlier_beats_later():
    table, effects, _, _ = ex.earned_security(children=200, start_years=(2, 14))
    assert effects["value"][0] > effects["value"][1] > 0
    share = dict(zip(table["relationship_from_years"], table["share_earned_secure"], strict=True))
    assert share[2.0] > share[14.0] + 0.1
    assert share[14.0] > share[None] + 0.1


def test_power_grows_with_minutes_and_dyads():
    table, effects, fig, _ = ex.power(
        effect=0.3, minutes=(1, 6), dyads=(4, 16), studies=150, pool=32
    )
    assert effects["value"][1] > 0  # longer recordings: the +0.3 is visible in the measure
    p = {(m, n): v for m, n, v in table.select("minutes", "dyads_per_arm", "power").iter_rows()}
    assert p[(6.0, 16)] > p[(6.0, 4)] + 0.2
    assert p[(6.0, 16)] > p[(1.0, 16)] + 0.1
    assert isinstance(fig, Figure)


def test_power_is_alpha_without_an_effect():
    table, _, _, _ = ex.power(effect=0.0, minutes=(2,), dyads=(5,), studies=400, pool=50)
    # |power - .05| within 3 binomial SEs of 400 studies (0.033)
    assert abs(table["power"][0] - 0.05) < 3 * np.sqrt(0.05 * 0.95 / 400)


def test_trial_and_dose_report_d_beside_the_randomised_effects():
    table, effects, _, params = ex.trial(children=400)
    assert table["target"].to_list() == ["sensitivity", "representation"]
    # the sessions raise sensitivity in both (aimed at the representation they reach only the
    # insecure parents: seed 0, d 0.41 and 0.17)
    assert table["d_sensitivity"][0] > 0.2 and table["d_sensitivity"][1] > 0.1
    observed = dict(zip(effects["effect"], effects["observed_value"], strict=True))
    assert observed["sensitivity intervention: sensitivity at 40 weeks"] == 0.33
    assert observed["sensitivity intervention: secure (B) at 78 weeks"] == 0.20
    assert params["sessions"] == 8
    table, effects, _, _ = ex.dose(children=400, sessions=(1, 8, 32))
    d = table["d_sensitivity"].to_list()
    assert d[0] < d[1] < d[2]  # more sessions, larger effect on sensitivity (saturating)
    assert (table["d_sensitivity_low"] < table["d_sensitivity"]).all()


def test_experiment_cli_writes_csv_png_json(tmp_path):
    args = ["simulate", "experiment", "repair", "--children", "50", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    csv = pl.read_csv(tmp_path / "experiment_repair.csv")
    assert csv.height == 3
    assert (tmp_path / "experiment_repair.png").stat().st_size > 1000
    assert (tmp_path / "experiment_repair.json").exists()
    effects = pl.read_csv(tmp_path / "experiment_repair_effects.csv")
    assert {"value", "low", "high", "observed_value", "inside"} <= set(effects.columns)
    bad = CliRunner().invoke(app, ["simulate", "experiment", "nope"])
    assert bad.exit_code == 2
