"""Every rule's definition, edge case by edge case, on recordings small enough to count by hand."""

from datetime import datetime, timedelta, timezone

import pytest

from attunement.measures.turns import RULES, turns
from tests.turn_helpers import rec


def count(r, rule, **params):
    return turns(r, rule, n_resamples=0, bins=False, **params).turns


C_A_C_A = [(0, 1, "CHI"), (2, 3, "FEM"), (4, 5, "CHI"), (6, 7, "FEM")]


@pytest.mark.parametrize(
    ("rule", "expected"), [("lena", 2), ("alternation", 3), ("window", 3), ("adjacent", 0)]
)
def test_c_a_c_a_with_one_second_gaps(rule, expected):
    # adjacent (ChildProject) needs a gap below 1 s: 1 s gaps are not turns there
    assert count(rec(C_A_C_A), rule) == expected


def test_lena_counts_in_pairs():
    assert count(rec(C_A_C_A[:2]), "lena") == 1  # C-A
    assert count(rec(C_A_C_A[:3]), "lena") == 1  # C-A-C
    assert count(rec(C_A_C_A), "lena") == 2  # C-A-C-A
    a_c = [(0, 1, "MAL"), (2, 3, "CHI")]
    assert count(rec(a_c), "lena") == 1  # A-C


def test_gap_of_exactly_the_window():
    exactly = rec([(0, 1, "CHI"), (6, 7, "FEM")])  # gap 5.000 s
    just_under = rec([(0, 1, "CHI"), (5.999, 7, "FEM")])
    assert count(exactly, "lena") == 0  # LENA: gap < 5 s
    assert count(just_under, "lena") == 1
    assert count(exactly, "alternation") == 1  # serve-return: gap <= 5 s
    assert count(exactly, "window") == 1  # [offset, offset + W], closed
    assert count(rec([(0, 1, "CHI"), (6.001, 7, "FEM")]), "window") == 0
    assert count(rec([(0, 1, "CHI"), (2, 3, "FEM")]), "adjacent") == 0  # gap 1 s, not < 1 s
    assert count(rec([(0, 1, "CHI"), (1.999, 3, "FEM")]), "adjacent") == 1


def test_intervening_other_child_cancels_only_under_lena():
    r = rec([(0, 1, "CHI"), (1.5, 2, "OCH"), (2.5, 3, "FEM")])
    assert count(r, "lena") == 0
    assert count(r, "alternation") == 1
    # LENA's faint other child (CXF) is transparent
    faint = rec([(0, 1, "CHI"), (1.5, 2, "OCH"), (2.5, 3, "FEM")], ids=["CHN", "CXF", "FAN"])
    assert count(faint, "lena") == 1
    assert count(faint, "lena", cancel_exclude_ids=[]) == 0


def test_other_child_units_and_turns_are_counted_per_row():
    r = rec(
        [
            (0, 1, "CHI"),
            (1.5, 2, "OCH"),
            (2.5, 3, "FEM"),
            (4, 5, "OCH", "cry"),  # not a vocal unit
            (6, 7, "OCH"),
            (7.5, 8, "FEM"),
            (9, 10, "MAL"),
        ]
    )
    result = turns(r, "alternation", n_resamples=0, bins=False)
    assert result.other_child_units == 2
    assert result.other_child_turns == 0


def test_cry_and_vegetative_child_segments_never_count():
    r = rec([(0, 1, "CHI", "cry"), (2, 3, "FEM"), (4, 5, "CHI", "vegetative"), (6, 7, "FEM")])
    for rule in ("lena", "alternation", "window"):
        assert count(r, rule) == 0, rule
    # ChildProject's simple_CTC counts every row of the speaker types, cries included
    r2 = rec([(0, 1, "CHI", "cry"), (1.5, 3, "FEM")])
    assert count(r2, "adjacent") == 1
    assert count(r2, "adjacent", kinds=["vocal"]) == 0


def test_adults_talking_to_each_other_are_not_turns():
    r = rec([(0, 1, "FEM"), (1.2, 2, "MAL"), (2.2, 3, "FEM"), (3.1, 4, "MAL")])
    for rule in RULES:
        assert count(r, rule) == 0, rule


def test_overlap_counts_as_close_and_window_overlap_allowance():
    r = rec([(0, 2, "CHI"), (1.5, 3, "FEM")])  # adult starts 0.5 s before the child ends
    assert count(r, "lena") == 1
    assert count(r, "alternation") == 1
    assert count(r, "adjacent") == 1
    # window: child's serve is not returned without an overlap allowance (but the adult's
    # serve is answered by nothing either)
    assert count(r, "window") == 0
    assert count(r, "window", overlap_s=0.5) == 1
    assert count(r, "window", overlap_s=0.4) == 0


def test_lena_ignores_adult_segments_without_words_when_counts_exist():
    r = rec([(0, 1, "CHI"), (2, 3, "FEM")], words=[None, 0.0])
    assert count(r, "lena") == 0
    assert count(rec([(0, 1, "CHI"), (2, 3, "FEM")], words=[None, 2.0]), "lena") == 1


def test_lena_blocks_are_boundaries():
    rows = [(0, 1, "CHI"), (2, 3, "FEM")]
    split = rec(rows, lena_block_number=[1, 2])
    assert count(split, "lena") == 0
    assert count(split, "lena", blocks=False) == 1


def test_same_role_runs_merge():
    r = rec([(0, 1, "CHI"), (1.5, 2, "CHI"), (2.5, 3, "CHI"), (3.5, 4, "FEM"), (9.5, 10, "FEM")])
    assert count(r, "lena") == 1
    assert count(r, "alternation") == 1


def test_unsorted_input_gives_the_same_counts():
    import polars as pl

    r = rec(C_A_C_A)
    shuffled = r.segments.sample(fraction=1.0, shuffle=True, seed=3)
    from attunement import segments as seg

    r2 = rec(C_A_C_A)
    r2.segments = seg.build(shuffled)
    assert isinstance(shuffled, pl.DataFrame)
    for rule in RULES:
        assert count(r, rule) == count(r2, rule)


def test_empty_and_child_only_recordings():
    empty = rec([])
    for rule in RULES:
        res = turns(empty, rule, n_resamples=10)
        assert res.turns == 0 and res.response_rate is None and res.latency_median_s is None
        assert res.exchanges == 0 and res.chance_turns is None
    child_only = rec([(0, 1, "CHI"), (3, 4, "CHI")])
    res = turns(child_only, "lena", n_resamples=10)
    assert res.turns == 0 and res.response_rate == 0.0 and res.child_units == 2


def test_unknown_rule_and_parameter_are_clear_errors():
    with pytest.raises(ValueError, match="unknown turn rule 'lenna'"):
        turns(rec(C_A_C_A), "lenna")
    with pytest.raises(ValueError, match="takes no parameter overlap_s"):
        turns(rec(C_A_C_A), "lena", overlap_s=1)
    with pytest.raises(ValueError, match="window_s must be a number of seconds >= 0"):
        turns(rec(C_A_C_A), "window", window_s=-1)


def test_outputs_name_rule_and_every_parameter():
    res = turns(rec(C_A_C_A), "window", window_s=1.0, n_resamples=5, seed=3)
    d = res.to_dict()
    assert d["rule"] == "window"
    assert d["parameters"]["window_s"] == 1.0 and d["parameters"]["overlap_s"] == 0.0
    assert d["parameters"]["n_resamples"] == 5 and d["parameters"]["seed"] == 3
    assert "Warlaumont" in d["source"]


def test_serves_returns_latency_and_exchanges():
    # C-A-C-A, then 10 s later an adult serve answered by the child
    r = rec([*C_A_C_A, (17, 18, "MAL"), (18.5, 19, "CHI")])
    res = turns(r, "lena", n_resamples=0)
    assert res.turns == 3
    assert (res.child_serves, res.adult_serves) == (1, 1)
    assert (res.adult_returns, res.child_returns) == (2, 1)
    assert res.exchanges == 2 and res.exchange_lengths == {1: 1, 2: 1}
    assert res.longest_exchange == 2
    assert res.latency_median_s == 1.0
    assert res.response_rate == 2 / 3  # the last child unit is not answered
    assert res.by_caregiver["speaker_type"] == {"FEM": 2, "MAL": 1}
    frame = res.to_frame()
    assert frame["latency_s"].to_list() == [1.0, 1.0, 0.5]
    assert frame["exchange"].to_list() == [0, 0, 1]


def test_multi_day_recording_bins_never_fold():
    tz = timezone(timedelta(hours=-8))
    start = datetime(2024, 3, 1, 23, 50, tzinfo=tz)
    # pieces: 23:50-00:10 on day 1, and 23:55-00:05 the next day
    extra = {
        "recordings": [
            {"start_ms": 0, "end_ms": 1_200_000, "start_clock": start},
            {
                "start_ms": 1_200_000,
                "end_ms": 1_800_000,
                "start_clock": start + timedelta(days=1, minutes=5),
            },
        ]
    }
    rows = [(60, 61, "CHI"), (62, 63, "FEM"), (1300, 1301, "CHI"), (1302, 1303, "FEM")]
    res = turns(rec(rows, start=start, extra=extra), "lena", n_resamples=0)
    hourly = res.bins_1h
    assert hourly["bin_start"].dt.strftime("%Y-%m-%d %H:%M").to_list() == [
        "2024-03-01 23:00",
        "2024-03-02 00:00",
        "2024-03-02 23:00",
        "2024-03-03 00:00",
    ]
    assert hourly["turns"].to_list() == [1, 0, 1, 0]
    assert hourly["recorded_s"].to_list() == [600.0, 600.0, 300.0, 300.0]
    assert res.recorded_s == 1800.0
    five = res.bins_5min
    assert five["turns"].sum() == 2 and five["recorded_s"].sum() == 1800.0


def test_projection_only_when_asked():
    r = rec(C_A_C_A, duration_s=3600)
    assert turns(r, n_resamples=0).to_dict()["lena_12h_projection"] is None
    assert turns(r, n_resamples=0, project_12h=True).to_dict()["lena_12h_projection"] == 24.0


def test_chance_is_seeded_and_contingent_data_beat_chance():
    import random

    rng = random.Random(4)
    rows = []
    t = 0.0
    for _ in range(200):  # aperiodic, so no shift can line the streams up again
        rows += [(t, t + 1, "CHI"), (t + 1.5, t + 2.5, "FEM")]
        t += rng.uniform(20, 60)
    r = rec(rows, duration_s=t)
    a = turns(r, "lena", n_resamples=50, seed=1)
    b = turns(r, "lena", n_resamples=50, seed=1)
    assert a.chance_turns == b.chance_turns
    assert a.turns == 200
    assert a.chance_turns < 60  # shifted adults rarely land within 5 s of a child unit
    assert a.chance_ratio > 3 and a.chance_p == 1 / 51


def test_count_turns_equals_turns_for_every_rule():
    from attunement.measures.turns import count_turns
    from attunement.simulate.daylong import day

    frame = day(5_000, hours=2.0, seed=9)
    r = rec([])
    r.segments = frame
    for rule in RULES:
        assert count_turns(frame, rule) == count(r, rule) > 0
        assert count_turns(r, rule, window_s=0.5) == count(r, rule, window_s=0.5)


def test_the_family_lists_exactly_the_rules():
    """The turns family's light list of rule names (for --help and the catalogue) is RULES."""
    from attunement.measures.families.turns import RULE_NAMES
    from attunement.measures.turns.rules import RULES

    assert tuple(RULES) == RULE_NAMES
