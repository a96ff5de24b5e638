"""Coupled affect dynamics: the matched share emerges from the rates (hand-computed without
coupling, simulation against the stationary solution), moves when coupling moves, is what
attunement.repair measures on the generated streams, and the Still-Face carry-over switch."""

from dataclasses import replace

import numpy as np
import pytest

import attunement
from attunement.simulate import affect
from attunement.simulate.caregiver import Caregiver
from attunement.simulate.development import DevelopmentParams, simulate_development

P = DevelopmentParams()


def test_without_coupling_the_matched_share_is_chance():
    """No coupling (child 0, caregiver repair 0): the partners are independent chains with
    stationary distributions pi_c and pi_m, so matched = sum pi_c pi_m:
    .15 x .05 + (1 - .15 - .2) x .15 + .2 x (1 - .05 - .15) = .0075 + .0975 + .16 = .265."""
    p = replace(P, child_coupling_per_s=0.0, child_negative=0.15, child_positive=0.2)
    p = replace(p, caregiver_negative=0.05, caregiver_neutral=0.15)
    got = affect.stationary(np.array([0.9, 2.0]), np.array([0.0, 0.0]), p)["matched"]
    assert got == pytest.approx([0.265, 0.265], abs=1e-12)


def test_the_matched_share_moves_with_coupling_and_volatility():
    shares = [
        affect.stationary(np.array([0.9]), 0.7, replace(P, child_coupling_per_s=k))["matched"][0]
        for k in (0.0, 0.1, 0.3)
    ]
    assert shares[0] < shares[1] < shares[2]
    by_repair = affect.stationary(np.full(3, 0.9), np.array([0.2, 0.5, 0.9]), P)["matched"]
    assert np.all(np.diff(by_repair) > 0.01)
    by_volatility = affect.stationary(np.array([0.3, 1.0, 2.0]), 0.7, P)["matched"]
    assert np.all(np.diff(by_volatility) < 0)


def test_simulated_sessions_match_the_stationary_share():
    """200 dyads x 30 min of play (no still-face), 0.1-s steps: the mean matched share equals
    the stationary one within 0.01 (per-dyad SD about 0.02, and the steps' discretisation)."""
    cg = Caregiver.constant(200, volatility=1.0, repair=0.7)
    p = replace(P, child_positive_concentration=1e6)  # every child at the mean distribution
    shares, _ = affect.simulate_dyads(
        cg.volatility, cg.repair, p, phases_s=(1800.0,), still=(False,), seed=3
    )
    expected = affect.stationary(np.array([1.0]), 0.7, p)["matched"][0]
    assert shares[:, 0, 1].mean() == pytest.approx(expected, abs=0.01)


def test_development_ruptures_follow_the_emergent_matching():
    """The development level's rupture share is 1 - the emergent matched share: more coupling,
    fewer ruptures per contingent return, and the frame reports the share it used."""
    cg = Caregiver.constant(2000, volatility=1.0, repair=0.7, consistency=1.0, drift_sd=0.0)
    out = {}
    for k in (0.0, 1.0):
        p = replace(P, child_coupling_per_s=k)
        frame = simulate_development(cg, 52, 1, snapshot_ages=[52], params=p)
        matched = affect.stationary(np.array([1.0]), 0.7, p)["matched"][0]
        assert frame["matched_share"][0] == pytest.approx(matched, rel=1e-6)
        rupture_share = frame["ruptures"].sum() / frame["returns"].sum()
        assert rupture_share == pytest.approx(1 - matched, abs=0.01)
        out[k] = rupture_share
    assert out[1.0] < out[0.0] - 0.05  # calibrated defaults: 0.75 and 0.62


def test_repair_measures_the_generated_matching_exactly():
    cg = Caregiver.constant(2, volatility=1.0, repair=0.7)
    shares, trace = affect.simulate_dyads(
        cg.volatility, cg.repair, P, phases_s=(120.0, 120.0, 120.0), seed=4, record=True
    )
    rec = affect.recording(trace[0])
    result = attunement.repair(rec, match_table="monadic-phases")
    whole = (trace[0] // 3 == trace[0] % 3).mean()
    assert result.matching_proportion == pytest.approx(whole, abs=1e-9)
    assert whole == pytest.approx(shares[0, :, 1].mean(), abs=1e-9)


def test_still_face_drops_positive_affect_and_carry_over_is_a_switch():
    cg = Caregiver.sample(400, 2)
    with_carry, _ = affect.simulate_dyads(cg.volatility, cg.repair, P, seed=5)
    without, _ = affect.simulate_dyads(
        cg.volatility, cg.repair, replace(P, carry_over_s=0.0), seed=5
    )
    ff, sf, re = (with_carry[:, j, 0].mean() for j in range(3))
    assert sf < ff - 0.05  # the still-face effect
    assert re < ff - 0.02  # partial carry-over
    assert re > sf
    # FF and SF are the same draws with and without carry-over; RE recovers without it
    assert np.array_equal(with_carry[:, :2], without[:, :2])
    assert without[:, 2, 0].mean() == pytest.approx(ff, abs=0.015)


def test_same_seed_same_dyads():
    cg = Caregiver.sample(50, 1)
    a = affect.simulate_dyads(cg.volatility, cg.repair, P, seed=9)[0]
    b = affect.simulate_dyads(cg.volatility, cg.repair, P, seed=9)[0]
    assert np.array_equal(a, b)
    tail = affect.simulate_dyads(cg.volatility[20:], cg.repair[20:], P, seed=9, first_dyad=20)[0]
    assert np.array_equal(tail, a[20:])
