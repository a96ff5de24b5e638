import contextlib
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attunement.errors import ReadError
from attunement.io import table
from tests.conftest import REAL, need
from tests.fuzz import fuzz, mutations


def _read(path, roles=None, keep_text=True):
    (rec,) = table.read(
        Path(path), role_map={**table.DEFAULT_ROLES, **(roles or {})}, keep_text=keep_text
    )
    return rec


def test_childproject_lena_csv_real_16h():
    rec = _read(need(REAL / "lena/childproject_lena_its.csv"))
    frame = rec.segments
    assert frame.height == 23_289
    assert rec.duration_ms == 57_599_990  # 16.0 h
    ids = dict(frame.group_by("speaker_id").len().iter_rows())
    assert ids["CHN"] == 1858 and ids["CHF"] == 171 and ids["FAN"] == 2091 and ids["NOF"] == 5249
    types = dict(frame.group_by("speaker_type").len().iter_rows())
    assert types["CHI"] == 1858 + 171
    assert types["FEM"] == 2091 + 769
    # LENA's own turn tags and block numbers survive as columns
    assert frame["lena_conv_turn_type"].is_in(["TIFR", "TIMR"]).sum() == 526
    # ChildProject numbers a conversation together with the pause before it: 1257
    # conversations, and the trailing pause as block 1258.
    conversations = frame.filter(pl.col("lena_block_type") != "pause")
    assert conversations["lena_block_number"].n_unique() == 1257
    assert frame["lena_block_number"].max() == 1258
    child = frame.filter(pl.col("speaker_type") == "CHI")
    kinds = dict(child.group_by("kind").len().iter_rows())
    assert kinds == {"vocal": 1289, "cry": 470, "vegetative": 270}
    assert rec.warnings == []


def test_own_columns_round_trip_through_csv_and_parquet(tmp_path):
    frame = pl.DataFrame(
        {
            "segment_onset": [1000, 0],
            "segment_offset": [1500, 800],
            "speaker_type": ["FEM", "CHI"],
            "speaker_id": ["MOT", "CHI"],
            "kind": ["vocal", "cry"],
            "text": ["hello there", None],
            "words": [2.0, None],
            "mood": ["calm", "upset"],
        }
    )
    frame.write_csv(tmp_path / "t.csv")
    frame.write_parquet(tmp_path / "t.parquet")
    for name in ("t.csv", "t.parquet"):
        rec = _read(tmp_path / name)
        got = rec.segments
        assert got["segment_onset"].to_list() == [0, 1000]
        assert got["kind"].cast(str).to_list() == ["cry", "vocal"]
        assert got["speaker_id"].to_list() == ["CHI", "MOT"]
        assert got["text"].to_list() == [None, "hello there"]
        assert got["mood"].to_list() == ["upset", "calm"]
    private = _read(tmp_path / "t.parquet", keep_text=False).segments
    assert private["text"].null_count() == 2


def test_childproject_columns_transcription_vcm_and_na_speaker(tmp_path):
    p = tmp_path / "cp.csv"
    p.write_text(
        "segment_onset,segment_offset,speaker_type,vcm_type,transcription\n"
        "0,500,CHI,Y,\n600,900,CHI,C,\n1000,1200,FEM,NA,hi baby\n1300,1400,NA,NA,\n"
        "1500,1700,SPEECH,NA,\n"
    )
    rec = _read(p)
    frame = rec.segments
    assert frame["kind"].cast(str).to_list() == ["cry", "vocal", "vocal", "vocal", "vocal"]
    assert frame["speaker_type"].cast(str).to_list() == ["CHI", "CHI", "FEM", "UNK", "UNK"]
    assert frame["text"].to_list()[2] == "hi baby"
    assert "'NA' ×1" in rec.warnings[0]


def test_float_seconds_like_ms_are_rounded(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("segment_onset,segment_offset,speaker_id\n0.4,10.6,Mother\n")
    rec = _read(p, roles={"Mother": "FEM"})
    assert rec.segments.row(0)[:3] == (0, 11, "FEM")


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("segment_onset,segment_offset,speaker_type\n0,10,CHI\n20,5,FEM\n", "bad times", 3),
        ("segment_onset,speaker_type\n0,CHI\n", "no 'segment_offset' column", None),
        ("segment_onset,segment_offset\n0,10\n", "no speaker column", None),
        ("segment_onset,segment_offset,speaker_type\n0,abc,CHI\n", "not a number", 2),
        ("segment_onset,segment_offset,speaker_type\n0,10,CHI\n,10,CHI\n", "bad times", 3),
        ("segment_onset,segment_offset,speaker_type,kind\n0,10,CHI,song\n", "kind value", None),
    ],
)
def test_bad_tables_name_the_problem(tmp_path, content, message, line):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    with pytest.raises(ReadError, match=message) as info:
        _read(p)
    assert info.value.line == line


def test_sniff_recognises_csv_header_and_parquet():
    assert table.sniff(b"segment_onset,segment_offset,speaker_type\n")
    assert table.sniff(b"PAR1\x15\x04")
    assert not table.sniff(b"onset,offset\n")


@fuzz(100)
@given(data=st.data())
def test_mutated_csv_gives_only_read_error(tmp_path, data):
    source = need(REAL / "lena/childproject_lena_its.csv").read_bytes()[:6000]
    p = tmp_path / "m.csv"
    p.write_bytes(data.draw(mutations(source, [b",", b"\n", b'"', b"NA"])))
    with contextlib.suppress(ReadError):
        _read(p)


def test_times_too_large_for_int64_name_the_row(tmp_path):
    p = tmp_path / "huge.csv"
    p.write_text("segment_onset,segment_offset,speaker_type\n0,10,CHI\n3.2e37,3.3e37,FEM\n")
    with pytest.raises(ReadError, match="segment_onset is not a number of milliseconds") as info:
        _read(p)
    assert info.value.line == 3
