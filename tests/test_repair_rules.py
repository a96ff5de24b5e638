"""Rupture and repair on hand-computed streams: every rule and edge case."""

from types import SimpleNamespace

import numpy as np
import pytest

from attunement import segments as seg
from attunement.measures.coded_streams import CodedStreamsWarning, joint_states
from attunement.measures.repair import MatchTableError, load_match_table, repair
from attunement.measures.repair.match_table import parse_match_table
from attunement.measures.repair.still_face import paired_contrast, still_face_contrasts
from attunement.recording import Recording

TYPES = {"child": "CHI", "caregiver": "FEM", "episode": "UNK"}


def coded(rows, duration_s=None):
    """A Recording from (onset s, offset s, partner, code) rows."""
    frame = seg.build(
        {
            "segment_onset": [round(r[0] * 1000) for r in rows],
            "segment_offset": [round(r[1] * 1000) for r in rows],
            "speaker_type": [TYPES[r[2]] for r in rows],
            "speaker_id": [r[2] for r in rows],
            "kind": ["episode" if r[2] == "episode" else "affect" for r in rows],
            "code": [r[3] for r in rows],
        }
    )
    return Recording(
        id="hand",
        path="hand",
        format="test",
        segments=frame,
        duration_ms=None if duration_s is None else round(duration_s * 1000),
    )


def valence(rows, **kw):
    duration = kw.pop("duration_s", None)
    return repair(coded(rows, duration), match_table="valence", **kw)


def test_one_repair_by_the_caregiver():
    r = valence(
        [
            (0, 10, "child", "Cpos"),
            (0, 4, "caregiver", "Mpos"),
            (4, 7, "caregiver", "Mneg"),
            (7, 10, "caregiver", "Mpos"),
        ]
    )
    assert (r.match_s, r.mismatch_s, r.neutral_s, r.uncoded_s) == (7.0, 3.0, 0.0, 0.0)
    assert r.matching_proportion == pytest.approx(0.7)
    assert r.matching_proportion_total == pytest.approx(0.7)
    assert (r.mismatch_episodes, r.repairs, r.censored) == (1, 1, 0)
    assert r.reparation_rate == 1.0
    assert r.repairs_per_min == pytest.approx(6.0)  # 1 repair in 10 s
    assert r.repair_latency_median_s == 3.0
    assert (r.repaired_by_child, r.repaired_by_caregiver, r.repaired_by_both) == (0, 1, 0)
    row = r.mismatches.row(0, named=True)
    assert (row["onset_s"], row["offset_s"], row["end"]) == (4.0, 7.0, "match")


def test_child_repairs_and_both_change_at_one_boundary():
    r = valence(
        [
            (0, 10, "caregiver", "Mpos"),
            (0, 3, "child", "Cpos"),
            (3, 5, "child", "Cneg"),
            (5, 10, "child", "Cpos"),
        ]
    )
    assert (r.repaired_by_child, r.repaired_by_caregiver, r.repaired_by_both) == (1, 0, 0)
    both = repair(
        coded(
            [
                (0, 2, "caregiver", "positive"),
                (2, 5, "caregiver", "intrusive"),
                (5, 8, "caregiver", "positive"),
                (0, 2, "child", "positive"),
                (2, 5, "child", "negative"),
                (5, 8, "child", "positive"),
            ]
        ),
        match_table="icep-r",
    )
    assert (both.mismatch_s, both.repairs, both.repair_latency_median_s) == (3.0, 1, 3.0)
    assert (both.repaired_by_child, both.repaired_by_caregiver, both.repaired_by_both) == (0, 0, 1)


def test_open_mismatch_is_censored_at_recording_end():
    r = valence([(0, 6, "child", "Cpos"), (6, 10, "child", "Cneg"), (0, 10, "caregiver", "Mpos")])
    assert (r.mismatch_episodes, r.repairs, r.censored) == (1, 0, 1)
    assert r.censored_recording_end == 1
    assert r.repair_latency_median_s is None  # S(t) never falls to 0.5
    assert r.repair_hazard_per_s == 0.0
    assert r.reparation_rate == 0.0


def test_episode_end_censors_and_next_run_is_left_truncated():
    rows = [(0, 10, "episode", "FF"), (10, 20, "episode", "SF"), (0, 20, "caregiver", "Mpos")]
    rows += [(0, 6, "child", "Cpos"), (6, 14, "child", "Cneg"), (14, 20, "child", "Cpos")]
    r = valence(rows)
    first, second = r.mismatches.iter_rows(named=True)
    assert (first["phase"], first["duration_s"], first["end"]) == ("FF", 4.0, "episode_end")
    assert (second["phase"], second["duration_s"], second["end"]) == ("SF", 4.0, "match")
    assert (first["left_truncated"], second["left_truncated"]) == (False, True)
    assert list(r.by_episode) == ["FF", "SF"]
    ff, sf = r.by_episode["FF"], r.by_episode["SF"]
    assert (ff["repairs"], ff["censored"], ff["censored_episode_end"]) == (0, 1, 1)
    assert (sf["repairs"], sf["censored"], sf["repair_latency_median_s"]) == (1, 0, 4.0)
    assert ff["matching_proportion"] == pytest.approx(0.6)
    assert sf["matching_proportion"] == pytest.approx(0.6)
    frame = r.to_frame()
    assert frame["episode"].to_list() == ["FF", "SF"]
    assert frame["censored_episode_end"].to_list() == [1, 0]


def test_short_mismatch_runs_are_ignored_not_merged():
    rows = [(0, 20, "caregiver", "Mpos"), (0, 2, "child", "Cpos"), (2, 2.5, "child", "Cneg")]
    rows += [(2.5, 10, "child", "Cpos"), (10, 13, "child", "Cneg"), (13, 20, "child", "Cpos")]
    r = valence(rows, min_mismatch_s=1.0)
    assert (r.mismatch_episodes, r.mismatch_runs_ignored, r.repairs) == (1, 1, 1)
    assert r.mismatch_s == 3.5  # the ignored run's time stays mismatched
    assert r.matching_proportion == pytest.approx(16.5 / 20)
    assert r.mismatches["onset_s"].to_list() == [10.0]
    everything = valence(rows, min_mismatch_s=0.0)
    assert (everything.mismatch_episodes, everything.repairs) == (2, 2)
    assert everything.parameters["min_mismatch_s"] == 0.0


def test_neutral_and_uncoded_time_and_their_censoring():
    rows = [(0, 4, "child", "Cneg"), (4, 6, "child", "Cneg"), (4, 6, "child", "Cpos")]
    rows += [(6, 8, "child", "Cneg"), (0, 8, "caregiver", "Mpos"), (10, 12, "caregiver", "Mpos")]
    rows += [(8, 12, "child", "Cpos")]
    with pytest.warns(CodedStreamsWarning, match="1 interval"):
        states = joint_states(coded(rows))
    assert states.child.tolist() == ["Cneg", "Cneg+Cpos", "Cneg", "Cpos", "Cpos"]
    assert states.caregiver.tolist() == ["Mpos", "Mpos", "Mpos", "", "Mpos"]
    assert states.bounds.tolist() == [0, 4000, 6000, 8000, 10000, 12000]
    r = valence(rows)
    assert (r.match_s, r.mismatch_s, r.neutral_s, r.uncoded_s) == (2.0, 6.0, 2.0, 2.0)
    assert r.matching_proportion == pytest.approx(0.25)
    assert r.matching_proportion_total == pytest.approx(2 / 12)
    assert r.mismatches["end"].to_list() == ["neutral", "uncoded"]
    censored = ("neutral", "uncoded", "episode_end", "recording_end")
    assert [getattr(r, f"censored_{why}") for why in censored] == [1, 1, 0, 0]
    assert any("combined state" in w for w in r.warnings)
    filled = valence(rows, absent_code="none")
    assert (filled.neutral_s, filled.uncoded_s) == (4.0, 0.0)
    assert filled.mismatches["end"].to_list() == ["neutral", "neutral"]


def test_kaplan_meier_median_against_hand_numbers():
    # mismatch runs of 2 s (repaired), 4 s (censored: ends neutral), 6 s and 8 s (repaired)
    rows, t = [(0, 40, "caregiver", "Mpos")], 0
    for length, after in ((2, "Cpos"), (4, "Cneg+Cpos"), (6, "Cpos"), (8, "Cpos")):
        rows += [(t, t + length, "child", "Cneg")]
        rows += [(t + length, t + length + 2, "child", c) for c in after.split("+")]
        t += length + 2
    r = valence(rows, duration_s=t)
    assert r.mismatches["duration_s"].to_list() == [2.0, 4.0, 6.0, 8.0]
    # S = 3/4 after 2 s; 4 s censored; S = 3/4 * 1/2 = 0.375 after 6 s -> median 6 s
    assert r.repair_latency_median_s == 6.0
    curve = dict((t_, s) for t_, s in r.repair_latency_km)
    assert curve[2.0] == pytest.approx(0.75) and curve[6.0] == pytest.approx(0.375)
    assert r.repair_latency_mean_repaired_s == pytest.approx(16 / 3)
    assert r.repair_hazard_per_s == pytest.approx(3 / 20)


def test_match_tables_are_data():
    with pytest.raises(MatchTableError, match="caregiver 'Mpos' with child 'Cwhat'"):
        valence([(0, 5, "caregiver", "Mpos"), (0, 5, "child", "Cwhat")])
    with pytest.raises(MatchTableError, match="unknown match table 'nope'"):
        load_match_table("nope")
    table = parse_match_table(
        "# name: mine\ncaregiver_code,child_code,relation\na,x,match\na,*,mismatch\n*,*,neutral\n",
        "mine.csv",
    )
    assert (table.relation("a", "x"), table.relation("a", "y"), table.relation("b", "y")) == (
        "match",
        "mismatch",
        "neutral",
    )
    with pytest.raises(MatchTableError, match=r"mine\.csv:3: relation 'maybe'"):
        parse_match_table("caregiver_code,child_code,relation\na,x,match\na,y,maybe\n", "mine.csv")
    phases = load_match_table("monadic-phases")
    assert phases.relation("elicit", "play") == "match"
    assert phases.relation("monitor", "object_attend") == "match"
    assert phases.relation("avert", "talk") == "mismatch"
    assert len(phases.relations) == 30
    assert len(load_match_table("icep-r").relations) == 25


def test_no_child_codes_is_a_clear_error():
    with pytest.raises(ValueError, match="no child codes"):
        valence([(0, 5, "caregiver", "Mpos")])


def test_contrasts_on_hand_numbers():
    ff, sf = [0.6, 0.5, 0.7], [0.3, 0.4, 0.2]
    c = paired_contrast(sf, ff)
    # diffs -0.3, -0.1, -0.5: mean -0.3, SD 0.2; SD(FF) = SD(SF) = 0.1
    assert c["n"] == 3
    assert c["mean_diff"] == pytest.approx(-0.3)
    assert c["sd_diff"] == pytest.approx(0.2)
    assert c["d_z"] == pytest.approx(-1.5)
    assert c["d_av"] == pytest.approx(-3.0)
    dyads = [
        SimpleNamespace(by_episode={"FF": {"m": a}, "SF": {"m": b}, "RE": {"m": c}})
        for a, b, c in zip(ff, sf, [0.5, 0.5, None], strict=True)
    ]
    out = still_face_contrasts(dyads, "m")
    assert out["still_face_effect"]["d_z"] == pytest.approx(-1.5)
    assert out["carry_over"]["n"] == 2  # the third dyad has no RE value
    assert out["carry_over"]["mean_diff"] == pytest.approx(-0.05)
    assert out["recovery"]["mean_diff"] == pytest.approx(0.15)
    assert np.isclose(out["recovery"]["d_z"], 0.15 / np.std([0.2, 0.1], ddof=1))
