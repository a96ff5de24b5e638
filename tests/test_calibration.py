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
    regression_adjust,
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
        return np.array([(theta["x"] + noise - 0.3) / 0.05])

    post = abc_smc(simulate, (Prior("x", 0.0, 1.0),), particles=200, rounds=6, seed=1)
    assert post.mean()["x"] == pytest.approx(0.3, abs=0.03)
    low, high = post.interval()["x"]
    assert 0.15 < low < 0.3 < high < 0.45
    assert all(a > b for a, b in zip(post.tolerances[1:], post.tolerances[2:], strict=False))
    again = abc_smc(simulate, (Prior("x", 0.0, 1.0),), particles=200, rounds=6, seed=1)
    assert np.array_equal(post.particles, again.particles)
    # regression-adjusted: the same run, centred at least as well, and the posterior of x given
    # one observation with noise sd 0.05 is N(0.3, 0.05): its 95% interval about 0.2 .. 0.4
    adjusted = abc_smc(simulate, (Prior("x", 0.0, 1.0),), particles=200, rounds=6, seed=1,
                       adjust=True)  # fmt: skip
    assert adjusted.mean()["x"] == pytest.approx(0.3, abs=0.02)
    low, high = adjusted.interval()["x"]
    assert 0.17 < low < 0.25 and 0.35 < high < 0.43


def test_regression_adjustment_by_hand():
    """Particles whose logit (on the prior box [0, 2]) is exactly 0.5 - 0.8 z: the regression
    recovers the line and every adjusted particle lands on logit 0.5, i.e. x = 2 sigmoid(0.5);
    weights: importance x Epanechnikov kernel of distance / the largest distance."""
    z = np.array([[-1.0], [-0.5], [0.0], [0.5], [1.0], [0.25]])
    theta = 2.0 / (1 + np.exp(-(0.5 - 0.8 * z[:, 0])))
    dist = np.abs(z[:, 0])
    weights = np.full(6, 1 / 6)
    adjusted, w = regression_adjust(
        theta[:, None], z, dist, weights, np.array([0.0]), np.array([2.0])
    )
    assert adjusted[:, 0] == pytest.approx(np.full(6, 2.0 / (1 + np.exp(-0.5))), abs=1e-9)
    kernel = 1 - (dist / dist.max()) ** 2
    assert w == pytest.approx(kernel / kernel.sum(), abs=1e-8)
    assert w[0] == pytest.approx(0.0, abs=1e-6)  # the farthest particle gets (almost) no weight


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
