"""Ground truth from the coded-dyad generator: matching, repair hazard, censoring, Cox model."""

import numpy as np
import polars as pl
import pytest

from attunement.measures.repair import cox_model, repair
from attunement.simulate.coded_dyad import Phase, coded_dyad


def test_recovers_match_proportion_hazard_and_the_true_episodes():
    dyad = coded_dyad(7200, match_proportion=0.6, repair_hazard=0.2, child_share=0.3, seed=1)
    r = repair(dyad.recording, match_table="valence")
    # ~2 h with mean cycle 12.5 s: ~580 cycles; tolerances ~3-4 standard errors
    assert r.matching_proportion == pytest.approx(0.6, abs=0.04)
    assert r.repair_hazard_per_s == pytest.approx(0.2, rel=0.12)
    assert r.repair_latency_median_s == pytest.approx(np.log(2) / 0.2, rel=0.2)
    # every true mismatch spell is found, with who repaired it
    assert r.mismatch_episodes == dyad.spells.height
    assert r.mismatches["onset_s"].to_list() == dyad.spells["onset_s"].to_list()
    assert r.mismatches["who_repaired"].to_list() == dyad.spells["who"].to_list()
    share = r.repaired_by_child / r.repairs
    assert share == pytest.approx(0.3, abs=0.07)


def test_kaplan_meier_handles_censoring_where_the_naive_mean_fails():
    # phases of 15 s against a mean mismatch of 20 s: most mismatches are cut by a phase end
    phases = [Phase("ab"[i % 2], 15, 0.5, 0.05) for i in range(400)]  # alternating labels
    r = repair(coded_dyad(phases=phases, seed=3).recording, match_table="valence")
    assert r.censored_episode_end > r.repairs  # heavy censoring
    truth_mean, truth_median = 1 / 0.05, np.log(2) / 0.05
    assert r.repair_latency_mean_repaired_s < 0.5 * truth_mean  # biased low
    assert r.repair_hazard_per_s == pytest.approx(0.05, rel=0.15)
    assert r.repair_latency_median_s == pytest.approx(truth_median, rel=0.25)


def test_still_face_phases_get_their_own_numbers():
    phases = [
        Phase("FF", 1800, 0.7, 0.3),
        Phase("SF", 1800, 0.3, 0.05),
        Phase("RE", 1800, 0.5, 0.15),
    ]
    r = repair(coded_dyad(phases=phases, seed=4).recording, match_table="valence")
    for phase in phases:
        got = r.by_episode[phase.name]
        assert got["matching_proportion"] == pytest.approx(phase.match_proportion, abs=0.07)
        assert got["repair_hazard_per_s"] == pytest.approx(phase.repair_hazard, rel=0.25)
    assert sum(n["mismatch_episodes"] for n in r.by_episode.values()) == r.mismatch_episodes


def test_cox_model_recovers_a_known_hazard_ratio():
    results, rows = [], []
    for i in range(30):
        x = i % 2
        dyad = coded_dyad(
            900,
            match_proportion=0.5,
            repair_hazard=0.1 * 2.0**x,
            seed=100 + i,
            recording_id=f"d{i}",
        )
        results.append(repair(dyad.recording, match_table="valence"))
        rows.append({"recording_id": f"d{i}", "x": x})
    model = cox_model(results, pl.DataFrame(rows))
    hr = model["terms"]["x"]["hazard_ratio"]
    assert hr == pytest.approx(2.0, rel=0.15)
    low, high = model["terms"]["x"]["hazard_ratio_ci95"]
    assert low < 2.0 < high
    assert model["dyads"] == 30
    with pytest.raises(ValueError, match="no covariates for dyad"):
        cox_model(results, pl.DataFrame(rows[:-1]))
