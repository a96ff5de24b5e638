"""Calibration: the targets and their intervals, the distance and the measures by hand, ABC-SMC
on a problem with a known posterior, the --quick JSON rows and progress on stderr."""

import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from attunement.cli import app
from attunement.simulate.calibration import (
    BY_KEY,
    TARGETS,
    Prior,
    abc_smc,
    development_measures,
    distance,
)


def test_targets_carry_values_intervals_and_hold_out_transmission_and_intervention():
    assert len([t for t in TARGETS if t.literature is not None]) >= 14
    for t in TARGETS:
        low, high = t.interval
        assert low < t.literature < high, t.key
        assert t.source and t.interval_basis
    held = {t.key for t in TARGETS if t.held_out}
    assert {k for k in BY_KEY if "transmission" in k or "intervention" in k} <= held
    assert held - {k for k in BY_KEY if "transmission" in k or "intervention" in k} == {
        "stability_long"
    }
    assert BY_KEY["transmission_agreement"].literature == 0.75  # van IJzendoorn 1995
    assert BY_KEY["transmission_kappa"].literature == 0.49
    assert BY_KEY["transmission_r"].literature == 0.31  # Verhage et al. 2016
    assert BY_KEY["intervention_sensitivity_d"].literature == 0.33  # Bakermans-Kranenburg 2003
    assert BY_KEY["intervention_security_d"].literature == 0.20
    assert BY_KEY["sensitivity_r"].interval == (0.183, 0.295)  # Fisher z at N = 1,099
    assert BY_KEY["stability_secure_early"].literature == 0.28  # Opie et al. 2021
    assert BY_KEY["stability_kappa4_early"].literature == 0.23


def test_distance_by_hand():
    b, a = BY_KEY["share_B"], BY_KEY["share_A"]
    measures = {"share_B": b.literature + b.se, "share_A": a.literature - 2 * a.se}
    assert distance(measures, ("share_B", "share_A")) == pytest.approx(np.sqrt((1 + 4) / 2))
    assert distance({"share_B": float("nan")}, ("share_B",)) == float("inf")


def hand_frame() -> pl.DataFrame:
    """4 children at the calibration's ages 52, 104, 208: classes B B A D at 1 y; child 0
    stays B, child 1 becomes A at 2 y, child 2 becomes B at 4 y; parents F F Ds U with
    sensitivity .8 .6 .4 .2."""
    ages = [52, 104, 208]
    classes = [["B", "B", "B"], ["B", "A", "A"], ["A", "A", "B"], ["D", "D", "D"]]
    return pl.DataFrame(
        {
            "child": np.repeat(np.arange(4), 3),
            "age_weeks": np.tile(ages, 4),
            "attachment_class": pl.Series(
                [c for row in classes for c in row], dtype=pl.Enum(["A", "B", "C", "D"])
            ),
            "sensitivity": np.repeat([0.8, 0.6, 0.4, 0.2], 3),
            "representation": np.repeat([0, 0, 1, 3], 3),
        }
    )


def test_development_measures_by_hand():
    m = development_measures(hand_frame())
    assert (m["share_A"], m["share_B"], m["share_C"], m["share_D"]) == (0.25, 0.5, 0.0, 0.25)
    secure1 = np.array([1, 1, 0, 0])
    assert m["sensitivity_r"] == pytest.approx(np.corrcoef([0.8, 0.6, 0.4, 0.2], secure1)[0, 1])
    # secure at 2 y: 1 0 0 0 -> phi with 1 1 0 0 = 1/sqrt(3); at 4 y: 1 0 1 0 -> phi 0
    assert m["r_104"] == pytest.approx(1 / np.sqrt(3))
    assert m["r_208"] == pytest.approx(0.0)
    assert m["stability_secure_early"] == pytest.approx(0.5 / np.sqrt(3))
    # four-way kappa 1 y vs 2 y: agree 3/4, expected (1*2 + 2*1 + 1*1) / 16 = 5/16
    k104 = (0.75 - 5 / 16) / (1 - 5 / 16)
    k208 = (0.5 - (1 * 1 + 2 * 2 + 1 * 1) / 16) / (1 - 6 / 16)
    assert m["stability_kappa4_early"] == pytest.approx((k104 + k208) / 2)
    # parents F F Ds U, infants B B A D: parent secure = infant secure -> agreement 1
    assert m["transmission_agreement"] == 1.0
    assert m["transmission_unresolved_r"] == pytest.approx(1.0)


def test_abc_smc_finds_a_known_posterior():
    """Observation 0.3 with SE 0.05 of theta + noise(0.05): the accepted particles concentrate
    around 0.3 and the tolerance falls round by round."""

    def simulate(theta, seed):
        noise = np.random.default_rng(seed).normal(0, 0.05)
        return abs(theta["x"] + noise - 0.3) / 0.05

    post = abc_smc(simulate, (Prior("x", 0.0, 1.0),), particles=200, rounds=6, seed=1)
    assert post.mean()["x"] == pytest.approx(0.3, abs=0.03)
    low, high = post.interval()["x"]
    assert 0.15 < low < 0.3 < high < 0.45
    assert all(a > b for a, b in zip(post.tolerances[1:], post.tolerances[2:], strict=False))
    again = abc_smc(simulate, (Prior("x", 0.0, 1.0),), particles=200, rounds=6, seed=1)
    assert np.array_equal(post.particles, again.particles)


@pytest.mark.slow
def test_quick_cli_json_rows_reproducible_with_progress_on_stderr():
    args = ["simulate", "calibrate", "--quick", "--json", "--seed", "3"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    rows = json.loads(first.stdout)
    assert "calibrating: interaction block" in first.stderr
    assert "posterior predictive" in first.stderr
    with_value = [r for r in rows if r["literature"] is not None]
    assert len(with_value) >= 14
    for row in with_value:
        assert {"target", "key", "literature", "interval", "simulated", "simulated_interval",
                "held_out", "source"} <= set(row)  # fmt: skip
        low, high = row["simulated_interval"]
        assert low <= row["simulated"] <= high
    keys = {r["key"] for r in rows if r["held_out"]}
    assert any("transmission" in k for k in keys)
    assert {"intervention_sensitivity_d", "intervention_security_d"} <= keys
    shares = [r["simulated"] for r in rows if r["key"].startswith("share_")]
    assert sum(shares) == pytest.approx(1.0, abs=1e-3)
    again = CliRunner().invoke(app, args)
    assert again.stdout == first.stdout


def test_cli_usage_error():
    result = CliRunner().invoke(app, ["simulate", "calibrate", "--seed", "-1"])
    assert result.exit_code == 2


def test_the_defaults_are_the_recorded_full_runs_posterior_means():
    """benchmarks/results/calibration.json is the full run docs/model.md reports (seed 0):
    every fitted parameter's default is its posterior mean there, rounded to 5 digits, and
    every fitted target's posterior predictive mean lies in the literature's 95% interval."""
    from pathlib import Path

    from attunement.simulate.calibration import DEVELOPMENT_PRIORS, INTERACTION_PRIORS
    from attunement.simulate.development import DevelopmentParams

    record = json.loads(
        (Path(__file__).parents[1] / "benchmarks/results/calibration.json").read_text()
    )
    assert not record["quick"] and record["seed"] == 0
    defaults = DevelopmentParams()
    fitted = {p.name for p in INTERACTION_PRIORS + DEVELOPMENT_PRIORS}
    assert set(record["posterior_mean"]) == fitted
    for name, value in record["posterior_mean"].items():
        assert getattr(defaults, name) == round(value, 5), name
    rows = {r["key"]: r for r in record["table"] if r["literature"] is not None}
    fitted_rows = [r for r in rows.values() if not r["held_out"]]
    assert len(fitted_rows) == 11
    assert all(r["inside"] for r in fitted_rows), [r["key"] for r in fitted_rows]
    assert {k for k, r in rows.items() if r["held_out"]} == {t.key for t in TARGETS if t.held_out}
