"""The report builders show the numbers of the results they draw: the real LENA day's 370 turns,
the coach sentences' numbers equal to the TurnResult's and RepairResult's, one captioned SVG per
figure, and sections chosen from what the data contain (with the reason for each left out)."""

from __future__ import annotations

import pytest

import attunement
from attunement.io import read
from attunement.report.build import recording_report
from attunement.report.coach import load_templates, sentences
from attunement.report.recording_section import analyse
from attunement.report.timeline import busiest_window
from tests.conftest import REAL, need
from tests.report_helpers import Page, still_face_dyad


@pytest.fixture(scope="module")
def lena():
    rec = read(need(REAL / "lena" / "e20160420_165405_010572.its"))
    return rec, recording_report(rec, common={"n_resamples": 0}, coach_view=True)


def test_real_lena_day_shows_370_turns_and_three_figures(lena):
    _, text = lena
    page = Page(text)
    assert page.figures() == ["timeline", "hourly", "latency"]
    assert page.count("svg") == 3
    assert len(page.captions) == 3 and all(c.strip() and "\n" not in c for c in page.captions)
    # LENA's own CTC for this file (reference README §1), recomputed by the lena rule
    assert "370 in all, rule lena" in page.captions[1]
    assert '<td>turns</td><td class="num">370</td>' in text
    # busiest 10 minutes of a 6.3 h day: an overview of the whole recording above the detail
    assert "the busiest 10 minutes" in page.captions[0]


def test_coach_numbers_are_the_turn_results(lena):
    rec, text = lena
    result = attunement.turns(rec, "lena", n_resamples=0)
    coach = Page(text).coach_text
    assert result.turns == 370 and result.child_serves == 107 and result.child_units == 1002
    assert round(100 * result.response_rate) == 39 and result.latency_median_s == 0.8
    assert (
        "Your child started 107 back-and-forth conversations in these 6.3 hours of recording."
        in coach
    )
    assert (
        "Your child reached out 1,002 times, and you and the other grown-ups answered 39% of "
        "those sounds within 5 seconds." in coach
    )
    per_hour = round(result.turns_per_hour)
    assert f"Together you took 370 conversational turns, about {per_hour} an hour." in coach
    assert "an answer usually came within 1 second." in coach
    best = result.bins_1h.sort("turns", descending=True).row(0, named=True)
    assert (best["turns"], best["bin_start"].strftime("%H:%M")) == (79, "11:00")
    assert "Your liveliest hour began at 11:00, with 79 turns." in coach
    assert "Harvard" in coach and "serve-and-return" in coach


def test_recording_without_codes_gets_no_grid_or_survival_with_the_reason(lena):
    _, text = lena
    assert "<b>Rupture and repair</b>: no child codes: need segments of kind affect" in text
    assert "<b>State space grid</b>: no child codes: the grid needs coded states" in text
    assert 'data-figure="grid"' not in text and 'data-figure="survival"' not in text


def test_coded_dyad_shows_grid_and_survival_and_repair_numbers():
    dyad = still_face_dyad()
    analysis = analyse(dyad.recording, settings={"repair": {"match_table": "auto"}})
    r = analysis.results["repair"]
    assert r.match_table == "valence"  # icep-r-reading-1 lacks Cpos/Mpos; auto picks valence
    assert (r.mismatch_episodes, r.repairs) == (30, 29)
    text = recording_report(dyad.recording)
    page = Page(text)
    assert page.figures() == ["timeline", "grid", "survival"]
    assert page.count("svg") == 3 and len(page.captions) == 3
    assert "<b>Serve and return (turns)</b>: no timed vocalisations in this recording" in text
    assert "match table chosen automatically: valence" in text
    coach = Page(text).coach_text
    pct = round(100 * r.matching_proportion)
    assert pct == 44
    assert "You were in step with each other 44% of the time" in coach
    assert "You found your way back together 29 of 30 times." in coach
    median = r.repair_latency_median_s
    assert round(median) == 5 and "usually took about 5 seconds." in coach
    led = (
        f"led the way back {r.repaired_by_child} times and you did {r.repaired_by_caregiver} times"
    )
    assert led in coach


def test_zero_turn_file_invites_rather_than_counts():
    rec = read(need(REAL / "lena" / "test.its"))
    text = recording_report(rec, common={"n_resamples": 0})
    page = Page(text)
    assert page.figures() == ["timeline"]
    assert "<b>turns per hour</b>: no turns under the rule `lena`" in text
    assert "<b>response latency</b>: no child vocalisation was answered by an adult" in text
    assert "Every sound your child makes is an invitation" in page.coach_text
    assert "conversational turns" not in page.coach_text


def test_two_recordings_in_one_report_and_coach_sentences_from_templates():
    dyad = still_face_dyad().recording
    text = recording_report([dyad, dyad], coach_view=False)
    assert Page(text).count("svg") == 6
    templates = load_templates()
    facts = {"turns": "0", "listened": "yes", "repairs": "3", "mismatch_episodes": "4"}
    said = sentences(facts, "recording", templates)
    assert said[0].startswith("Every sound your child makes")
    assert any("back together 3 of 4 times" in s for s in said)


def test_busiest_window_starts_at_the_densest_stretch():
    times = [0, 100, 700, 710, 720, 1400]
    assert busiest_window(times, 600) == 700.0  # [700, 1300) holds 3
    assert busiest_window([], 600) == 0.0
