from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attunement.errors import ReadError
from attunement.io import rttm
from tests.conftest import REAL, need
from tests.fuzz import fuzz, mutations


def _read(path, roles=None):
    return rttm.read(Path(path), role_map={**rttm.DEFAULT_ROLES, **(roles or {})})


def test_real_vtc_output_counts_per_class():
    (rec,) = _read(need(REAL / "rttm/example_metrics.rttm"))
    assert rec.id == "tsimane2017_C01_20170706"
    counts = dict(rec.segments.group_by("speaker_id").len().iter_rows())
    assert counts == {"SPEECH": 3207, "FEM": 1867, "MAL": 1340, "KCHI": 1201, "CHI": 1044}
    types = dict(rec.segments.group_by("speaker_type").len().iter_rows())
    assert types == {"UNK": 3207, "FEM": 1867, "MAL": 1340, "CHI": 1201, "OCH": 1044}
    first = rec.segments.row(0, named=True)
    assert (first["segment_onset"], first["segment_offset"], first["speaker_id"]) == (
        511,
        1019,
        "MAL",
    )
    assert rec.duration_ms == 57_600_118  # RTTM states no duration: the last offset
    assert rec.warnings == []


def test_real_vcm_labels_give_kinds_and_confidence():
    (rec,) = _read(need(REAL / "rttm/vcm.rttm"))
    frame = rec.segments
    cry = frame.filter(frame["speaker_id"] == "CRY")
    assert cry.height == 2
    assert set(cry["kind"].cast(str)) == {"cry"}
    assert set(cry["speaker_type"].cast(str)) == {"CHI"}
    assert cry["confidence"].to_list() == [1.0, 0.87]
    assert frame.filter(frame["code"] == "CNS")["kind"].cast(str).to_list() == ["vocal"]


def test_several_file_ids_give_one_recording_each_and_overlaps_are_kept(tmp_path):
    p = tmp_path / "two.rttm"
    p.write_text(
        "SPEAKER a 1 0.0 2.0 <NA> <NA> SPEECH <NA> <NA>\n"
        "SPEAKER b 1 1.5 0.5 <NA> <NA> FEM <NA> <NA>\n"
        "SPEAKER a 1 0.5 1.0 <NA> <NA> KCHI <NA> <NA>\n"
        "\n"
        "SPEAKER\ta\t1\t3.0005\t0.25\t<NA>\t<NA>\tOCH\t<NA>\t<NA>\n"
    )
    a, b = _read(p)
    assert (a.id, b.id) == ("a", "b")
    assert a.segments["segment_onset"].to_list() == [0, 500, 3000]
    assert a.segments["segment_offset"].to_list() == [2000, 1500, 3250]
    assert a.segments["source_line"].to_list() == [1, 3, 5]
    assert b.segments["speaker_type"].cast(str).to_list() == ["FEM"]


def test_unknown_label_is_kept_as_unk_and_reported(tmp_path):
    p = tmp_path / "u.rttm"
    p.write_text("SPEAKER a 1 0 1 <NA> <NA> BABY <NA> <NA>\nSPEAKER a 1 2 1 <NA> <NA> BABY x x\n")
    (rec,) = _read(p)
    assert rec.segments["speaker_type"].cast(str).to_list() == ["UNK", "UNK"]
    assert "'BABY' ×2" in rec.warnings[0]
    (rec,) = _read(p, roles={"BABY": "CHI"})
    assert rec.warnings == []


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("SPEAKER a 1 0 1 <NA> <NA>\n", 1, "at least 8 fields"),
        ("SPEAKER a 1 0 1 <NA> <NA> FEM\nSPEAKER a 1 x 1 <NA> <NA> FEM\n", 2, "onset is not"),
        ("SPEAKER a 1 0 -1 <NA> <NA> FEM\n", 1, ">= 0"),
        ("SPEAKER a 1 nan 1 <NA> <NA> FEM\n", 1, ">= 0"),
        ("hello world\n", 1, "not an RTTM line"),
    ],
)
def test_bad_lines_name_the_line(tmp_path, content, line, message):
    p = tmp_path / "bad.rttm"
    p.write_text(content)
    with pytest.raises(ReadError, match=message) as info:
        _read(p)
    assert info.value.line == line
    assert str(p) in str(info.value)


def test_empty_and_binary_files(tmp_path):
    empty = tmp_path / "e.rttm"
    empty.write_text("   \n")
    with pytest.raises(ReadError, match="empty"):
        _read(empty)
    binary = tmp_path / "b.rttm"
    binary.write_bytes(b"SPEAKER a 1 0 1\x00\x01")
    with pytest.raises(ReadError, match="binary"):
        _read(binary)
    latin = tmp_path / "l.rttm"
    latin.write_bytes(b"SPEAKER a\xe9 1 0 1 <NA> <NA> FEM <NA> <NA>\n")
    with pytest.raises(ReadError, match="UTF-8"):
        _read(latin)


def test_sniff():
    assert rttm.sniff(b"SPEAKER x 1 0 1 <NA> <NA> FEM")
    assert not rttm.sniff(b"@UTF8\n@Begin")


@fuzz(150)
@given(data=st.data())
def test_mutated_real_file_gives_only_read_error(tmp_path, data):
    p = tmp_path / "m.rttm"
    p.write_bytes(data.draw(mutations(need(REAL / "rttm/vcm.rttm").read_bytes(), [b" ", b"\n"])))
    try:
        recs = _read(p)
    except ReadError:
        return
    assert all(r.segments.height > 0 for r in recs)
