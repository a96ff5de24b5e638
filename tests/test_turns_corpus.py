"""The one-pass corpus counter equals `turns()` run recording by recording."""

import polars as pl

import attunement
from attunement.measures.turns import RULES, turns
from attunement.measures.turns.corpus import corpus_turns
from attunement.recording import Recording
from attunement.simulate.daylong import day
from tests.conftest import REAL, need


def _per_recording(frame: pl.DataFrame, rule: str) -> int:
    rec = Recording(id="x", path="x", format="test", segments=frame.drop("recording_id"))
    return turns(rec, rule, n_resamples=0, bins=False).turns


def test_corpus_counts_equal_per_recording_counts_and_never_cross_recordings():
    days = [day(3_000, hours=1.0, seed=s, recording_id=f"d{s}") for s in range(4)]
    # recording d2 starts exactly where d1 ends in time: a naive pass would link them
    corpus = pl.concat(days)
    counts = corpus_turns(corpus.sample(fraction=1.0, shuffle=True, seed=1))
    assert counts["recording_id"].to_list() == ["d0", "d1", "d2", "d3"]
    for rule in RULES:
        expected = [_per_recording(d, rule) for d in days]
        assert counts[f"turns_{rule}"].to_list() == expected, rule
        assert min(expected) > 0


def test_corpus_with_real_recordings_and_parameters():
    csv = attunement.read(need(REAL / "lena/childproject_lena_its.csv")).segments
    rttm = attunement.read(need(REAL / "rttm/example_metrics.rttm")).segments
    common = ["segment_onset", "segment_offset", "speaker_type", "speaker_id", "kind", "words"]
    corpus = pl.concat(
        [
            csv.select(*common, "lena_block_number").with_columns(recording_id=pl.lit("lena")),
            rttm.select(common).with_columns(
                recording_id=pl.lit("vtc"), lena_block_number=pl.lit(None, pl.Int64)
            ),
        ],
        how="diagonal",
    )
    counts = corpus_turns(corpus, params={"window": {"window_s": 1.0}})
    assert counts["turns_lena"][0] == 526
    assert counts["turns_alternation"][0] == 1215
    assert (
        counts["turns_window"][1]
        == turns(
            attunement.read(REAL / "rttm/example_metrics.rttm"),
            "window",
            window_s=1.0,
            n_resamples=0,
        ).turns
    )
