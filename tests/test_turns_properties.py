"""Invariants of the turn rules on random recordings (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.measures.turns import RULES, turns
from tests.turn_helpers import rec

segment = st.tuples(
    st.integers(0, 600_000),  # onset, ms
    st.integers(0, 8_000),  # duration, ms
    st.sampled_from(["CHI", "FEM", "MAL", "OCH", "NOI"]),
    st.sampled_from(["vocal", "vocal", "vocal", "cry"]),
)


def build(rows, shift=0, swap=False):
    flip = {"CHI": "FEM", "FEM": "CHI"} if swap else {}
    return rec(
        [((on + shift) / 1000, (on + d + shift) / 1000, flip.get(t, t), k) for on, d, t, k in rows]
    )


def n(r, rule, **params):
    return turns(r, rule, n_resamples=0, bins=False, **params).turns


@settings(max_examples=80, deadline=None)
@given(st.lists(segment, max_size=60))
def test_lena_turns_never_exceed_child_or_adult_units(rows):
    res = turns(build(rows), "lena", n_resamples=0, bins=False)
    assert res.turns <= min(res.child_units, res.adult_units)
    assert res.turns == res.adult_returns + res.child_returns
    assert sum(k * v for k, v in res.exchange_lengths.items()) == res.turns


@settings(max_examples=60, deadline=None)
@given(st.lists(segment, max_size=60), st.integers(1, 10**9))
def test_shifting_all_times_changes_nothing(rows, shift):
    for rule in RULES:
        assert n(build(rows), rule) == n(build(rows, shift=shift), rule), rule


two_party = st.tuples(
    st.integers(0, 300_000), st.integers(0, 6_000), st.sampled_from(["CHI", "FEM"])
)


@settings(max_examples=60, deadline=None)
@given(st.lists(two_party, max_size=50))
def test_swapping_child_and_adult_leaves_symmetric_rules_unchanged(rows):
    rows = [(on, d, t, "vocal") for on, d, t in rows]
    for rule, params in (
        ("lena", {}),
        ("alternation", {}),
        ("window", {}),
        ("window", {"overlap_s": 1.0}),
        ("adjacent", {"partners": ["FEM"]}),
    ):
        assert n(build(rows), rule, **params) == n(build(rows, swap=True), rule, **params), rule


@settings(max_examples=40, deadline=None)
@given(st.lists(segment, max_size=40), st.sampled_from(list(RULES)))
def test_every_turn_pairs_a_child_with_a_partner(rows, rule):
    frame = turns(build(rows), rule, n_resamples=0, bins=False).to_frame()
    pair_types = set(
        zip(
            frame["serve_speaker_type"].cast(str),
            frame["response_speaker_type"].cast(str),
            strict=True,
        )
    )
    for serve, response in pair_types:
        assert (serve == "CHI") != (response == "CHI")
