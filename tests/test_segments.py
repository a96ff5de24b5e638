import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attunement import segments as seg
from attunement.recording import Recording


def _cols(onsets, offsets, types=None, kinds=None):
    n = len(onsets)
    return {
        "segment_onset": onsets,
        "segment_offset": offsets,
        "speaker_type": types or ["CHI"] * n,
        "speaker_id": ["x"] * n,
        "kind": kinds or ["vocal"] * n,
    }


def test_build_adds_optional_columns_and_sorts_by_onset():
    frame = seg.build(_cols([500, 0, 200], [900, 100, 300]))
    assert frame.columns[: len(seg.CORE_COLUMNS)] == list(seg.CORE_COLUMNS)
    assert frame["segment_onset"].to_list() == [0, 200, 500]
    assert frame["text"].null_count() == 3


def test_untimed_rows_sort_last_in_source_order():
    cols = _cols([None, 300, None, 100], [None, 400, None, 200])
    cols["source_line"] = [1, 2, 3, 4]
    frame = seg.build(cols)
    assert frame["source_line"].to_list() == [4, 2, 1, 3]


def test_offset_before_onset_is_rejected_with_row():
    with pytest.raises(seg.SegmentsError, match=r"offset 10 < onset 20"):
        seg.build(_cols([20], [10]))


def test_half_timed_row_is_rejected():
    with pytest.raises(seg.SegmentsError, match="both be set"):
        seg.build(_cols([20], [None]))


def test_unknown_speaker_type_and_kind_are_named():
    with pytest.raises(seg.SegmentsError, match=r"speaker_type value\(s\) \['BABY'\]"):
        seg.build(_cols([0], [1], types=["BABY"]))
    with pytest.raises(seg.SegmentsError, match=r"kind value\(s\) \['song'\]"):
        seg.build(_cols([0], [1], kinds=["song"]))


def test_keep_text_false_blanks_text():
    cols = _cols([0], [1])
    cols["text"] = ["secret words"]
    assert seg.build(cols, keep_text=False)["text"].to_list() == [None]


def test_validate_catches_unsorted_table():
    frame = seg.build(_cols([0, 5], [1, 6]), sort=True).reverse()
    with pytest.raises(seg.SegmentsError, match="not sorted"):
        seg.validate(frame)


def test_extra_columns_are_kept_after_core():
    cols = _cols([0], [1])
    cols["addressee"] = ["MOT"]
    frame = seg.build(cols)
    assert frame.columns[-1] == "addressee"


def test_recording_duration_defaults_to_last_offset_and_summary_counts():
    frame = seg.build(_cols([0, 10, None], [5, 40, None], types=["CHI", "FEM", "FEM"]))
    rec = Recording(id="r", path="p", format="test", segments=frame)
    assert rec.duration_ms == 40
    s = rec.summary()
    assert (s["segments"], s["timed"], s["untimed"]) == (3, 2, 1)
    assert s["speaker_type"] == {"FEM": 2, "CHI": 1}


@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**6)), min_size=0, max_size=50))
def test_build_always_gives_a_valid_sorted_table(pairs):
    onsets = [a for a, _ in pairs]
    offsets = [a + d for a, d in pairs]
    frame = seg.build(_cols(onsets, offsets))
    seg.validate(frame)
    assert sorted(onsets) == frame["segment_onset"].to_list()
    assert (frame["segment_offset"] >= frame["segment_onset"]).all()
    assert frame.schema["speaker_type"] == seg.SpeakerType


def test_empty_table_has_schema():
    frame = seg.empty()
    assert frame.height == 0
    assert dict(frame.schema) == {k: v for k, v in seg.SCHEMA.items()}
    assert isinstance(frame, pl.DataFrame)
