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
        match_table="icep-r-reading-1",
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


# Caregiver Mpos throughout; the child: 0-2 Cpos (match), 2-5 Cneg (mismatch), 5-6 no code
# (neutral with absent_code "none"), 6-9 Cneg, 9-12 Cpos, 12-14 Cneg, 14-17 no code, 17-20 Cpos.
NEUTRAL_DYAD = [(0, 20, "caregiver", "Mpos"), (0, 2, "child", "Cpos"), (2, 5, "child", "Cneg")]
NEUTRAL_DYAD += [(6, 9, "child", "Cneg"), (9, 12, "child", "Cpos"), (12, 14, "child", "Cneg")]
NEUTRAL_DYAD += [(17, 20, "child", "Cpos")]


def neutral_rule(**kw):
    return valence(NEUTRAL_DYAD, absent_code="none", **kw)


def test_neutral_censor_by_hand():
    """Three episodes: 2-5 s (3 s, ends neutral: censored), 6-9 s (3 s, repaired), 12-14 s
    (2 s, ends neutral: censored). Kaplan-Meier: the 2-s one leaves the risk set at 2 s; at 3 s
    one repair among the two at risk, S(3) = 1/2, median 3 s."""
    r = neutral_rule()
    assert (r.match_s, r.mismatch_s, r.neutral_s) == (8.0, 8.0, 4.0)
    assert r.mismatches.select("onset_s", "offset_s", "end").rows() == [
        (2.0, 5.0, "neutral"),
        (6.0, 9.0, "match"),
        (12.0, 14.0, "neutral"),
    ]
    assert (r.mismatch_episodes, r.repairs, r.censored, r.censored_neutral) == (3, 1, 2, 2)
    assert r.ended_unrepaired == 0
    assert r.repair_latency_median_s == 3.0
    assert dict(map(tuple, r.repair_latency_km))[3.0] == pytest.approx(0.5)
    assert r.parameters["neutral"] == "censor" and r.parameters["bridge_s"] is None


def test_neutral_bridge_by_hand():
    """bridge_s = 1: the 1-s gap at 5-6 s lies between two mismatch runs, so 2-9 s is one
    episode of 7 s (1 s of it neutral) repaired at 9 s; the 3-s gap at 14-17 s is too long and
    is followed by a match anyway: 12-14 s stays censored. KM: S(7) = 0 after the censored 2-s
    episode left, median 7 s. Time figures are unchanged (the gap stays neutral time)."""
    r = neutral_rule(neutral="bridge", bridge_s=1.0)
    assert (r.match_s, r.mismatch_s, r.neutral_s) == (8.0, 8.0, 4.0)
    rows = r.mismatches.select("onset_s", "offset_s", "duration_s", "end", "bridged_s").rows()
    assert rows == [(2.0, 9.0, 7.0, "match", 1.0), (12.0, 14.0, 2.0, "neutral", 0.0)]
    assert (r.mismatch_episodes, r.repairs, r.censored, r.censored_neutral) == (2, 1, 1, 1)
    assert r.repair_latency_median_s == 7.0
    assert r.parameters["bridge_s"] == 1.0
    # a longer bridge still needs mismatch after the gap: the 14-17 s gap ends in a match
    wide = neutral_rule(neutral="bridge", bridge_s=3.0)
    assert wide.mismatches.select("onset_s", "offset_s").rows() == [(2.0, 9.0), (12.0, 14.0)]
    # a bridge shorter than the gap bridges nothing: the censor rule's episodes
    narrow = neutral_rule(neutral="bridge", bridge_s=0.5)
    assert narrow.mismatches["duration_s"].to_list() == [3.0, 3.0, 2.0]


def test_neutral_bridge_never_crosses_a_phase_boundary():
    """FF ends in mismatch (8-10 s), SF opens with 0.5 s of neutral time, then mismatch
    (10.5-12 s) and a match: the gap is short but across the phase change, so two episodes."""
    rows = [(0, 10, "episode", "FF"), (10, 20, "episode", "SF"), (0, 20, "caregiver", "Mpos")]
    rows += [(0, 8, "child", "Cpos"), (8, 10, "child", "Cneg"), (10.5, 12, "child", "Cneg")]
    rows += [(12, 20, "child", "Cpos")]
    r = valence(rows, absent_code="none", neutral="bridge", bridge_s=1.0)
    assert r.mismatches.select("onset_s", "offset_s", "end", "bridged_s").rows() == [
        (8.0, 10.0, "episode_end", 0.0),
        (10.5, 12.0, "match", 0.0),
    ]


def test_neutral_end_by_hand():
    """end: the two runs followed by neutral time are closed as not repaired (neither repaired
    nor censored); in the latency curve they are never repaired, so at 3 s one repair among
    three at risk: S(3) = 2/3 and the median is not reached. Hazard: 1 repair in 8 s."""
    r = neutral_rule(neutral="end")
    assert (r.mismatch_episodes, r.repairs, r.censored, r.ended_unrepaired) == (3, 1, 0, 2)
    assert (r.censored_neutral, r.reparation_rate) == (0, pytest.approx(1 / 3))
    assert r.mismatches["censored"].to_list() == [False, False, False]
    assert r.mismatches["repaired"].to_list() == [False, True, False]
    assert r.repair_latency_median_s is None
    assert dict(map(tuple, r.repair_latency_km))[3.0] == pytest.approx(2 / 3)
    assert r.repair_hazard_per_s == pytest.approx(1 / 8)
    with pytest.raises(ValueError, match="neutral must be one of censor, bridge, end"):
        neutral_rule(neutral="ignore")
    from attunement.report.survival import survival_figure

    def marks(result):  # the report's survival plot marks censored episodes only
        fig = survival_figure(result)
        (points,) = [c for c in fig.axes[0].collections if c.get_gid() == "censored"]
        return len(points.get_offsets())

    assert (marks(r), marks(neutral_rule())) == (0, 2)


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
    assert len(load_match_table("icep-r-reading-1").relations) == 25


def test_every_table_has_a_version_and_the_icep_r_reading_its_caveat():
    import hashlib

    text = "caregiver_code,child_code,relation\na,x,match\n*,*,neutral\n"
    mine = parse_match_table(text, "mine.csv")
    assert mine.version == "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:12]
    assert parse_match_table("# version: 2\n# caveat: draft\n" + text, "v.csv").version == "2"
    assert parse_match_table("# version: 2\n# caveat: draft\n" + text, "v.csv").caveat == "draft"
    icep = load_match_table("icep-r-reading-1")
    assert icep.version.startswith("1 ") and "not the manual's own table" in icep.caveat
    assert (icep.relation("negative", "negative"), icep.relation("monitor", "negative")) == (
        "mismatch",
        "mismatch",
    )  # every infant-negative cell is a mismatch; in valence, neg-neg is a match
    assert load_match_table("valence").relation("Mneg", "Cneg") == "match"
    assert load_match_table("valence").caveat == ""
    with pytest.raises(MatchTableError, match="icep-r is now icep-r-reading-1"):
        load_match_table("icep-r")


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
