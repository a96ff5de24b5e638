import contextlib

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attunement import segments as seg
from attunement.errors import ReadError
from attunement.io import sdis
from attunement.recording import Recording
from tests.fuzz import fuzz, mutations

TIMED = """% a timed-event file
Timed ($Inf = Alrt Cry Fuss) Mvoc Mtouch <seconds> * Sex (m f) ;
<s1> ,0 Alrt,0 Mvoc,3-5 Cry,10 Mvoc&Mtouch,12.5-14
  Fuss,1:00 ,1:30 (m)/
<s2> ,10 Mvoc,11-12 Alrt,10 ,20 (f)/
"""


def _write(tmp_path, text, name="data.sds"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(rec):
    return rec.segments.select("segment_onset", "segment_offset", "code").rows()


def test_timed_events_sets_times_and_roles(tmp_path):
    data = sdis.load(_write(tmp_path, TIMED))
    assert data.data_type == "Timed"
    assert data.codes == ("Alrt", "Cry", "Fuss", "Mvoc", "Mtouch")
    assert data.sets == {"Inf": ("Alrt", "Cry", "Fuss")}
    assert data.factors == {"Sex": ("m", "f")}
    assert data.time_note == "seconds"
    s1, s2 = data.recordings({"Inf": "CHI", "Mvoc": "FEM", "Mtouch": "FEM"})
    assert s1.id == "s1" and s1.duration_ms == 90_000
    # set members last until the next member of their set; explicit offsets elsewhere
    assert _rows(s1) == [
        (0, 10_000, "Alrt"),
        (3_000, 5_000, "Mvoc"),
        (10_000, 60_000, "Cry"),
        (12_500, 14_000, "Mvoc"),
        (12_500, 14_000, "Mtouch"),
        (60_000, 90_000, "Fuss"),
    ]
    assert s1.segments["speaker_type"].cast(str).to_list() == [
        "CHI",
        "FEM",
        "CHI",
        "FEM",
        "FEM",
        "CHI",
    ]
    assert s1.segments["speaker_id"].to_list()[:2] == ["Inf", "Mvoc"]
    assert set(s1.segments["kind"].cast(str)) == {"behaviour"}
    assert s1.segments["source_line"].to_list() == [3, 3, 3, 3, 3, 4]
    assert s1.extra["factors"] == {"Sex": "m"} and s1.warnings == []
    # session 2 starts at 10 s: times are relative to the session start
    assert s2.duration_ms == 10_000 and s2.extra["sdis_start_ms"] == 10_000
    assert _rows(s2) == [(0, 10_000, "Alrt"), (1_000, 2_000, "Mvoc")]


def test_unmapped_codes_are_unk_and_counted(tmp_path):
    (rec, _) = sdis.read(_write(tmp_path, TIMED), role_map={"Inf": "CHI"})
    assert rec.segments["speaker_type"].cast(str).to_list().count("UNK") == 3
    assert "'Mvoc' ×2, 'Mtouch' ×1" in rec.warnings[0]


def test_event_sequences_frame_with_breaks(tmp_path):
    path = _write(tmp_path, "Event a b c ;\n<one> a b c a ; b c\n/\na a b /\n")
    data = sdis.load(path)
    frame = data.sequences()
    assert frame.schema == {"sequence": pl.String, "code": pl.String}
    assert frame.rows() == [
        ("one.1", "a"), ("one.1", "b"), ("one.1", "c"), ("one.1", "a"),
        ("one.2", "b"), ("one.2", "c"),
        ("2", "a"), ("2", "a"), ("2", "b"),
    ]  # fmt: skip
    one, two = sdis.read(path, role_map={})
    assert one.segments["segment_onset"].null_count() == 6  # event rows are untimed
    assert one.segments["code"].to_list() == ["a", "b", "c", "a", "b", "c"]
    assert one.segments["part"].to_list() == [1, 1, 1, 1, 2, 2]
    assert two.id == "2" and two.segments["source_line"].to_list() == [4, 4, 4]


def test_state_streams_and_onset_form(tmp_path):
    data = sdis.load(
        _write(
            tmp_path,
            "State ($Inf = A B) ($Mom = X Y);\n"
            "<p> A=5 B=3 A=2 & X=4 Y=6 ,10/\n<q> ,5 A,5 B,7 ,9/\n",
        )
    )
    p, q = data.recordings({"Inf": "CHI", "Mom": "FEM"})
    assert p.duration_ms == 10_000
    assert p.segments.select("segment_onset", "segment_offset", "code", "stream").rows() == [
        (0, 5_000, "A", 0), (0, 4_000, "X", 1), (4_000, 10_000, "Y", 1),
        (5_000, 8_000, "B", 0), (8_000, 10_000, "A", 0),
    ]  # fmt: skip
    assert _rows(q) == [(0, 2_000, "A"), (2_000, 4_000, "B")]
    assert q.duration_ms == 4_000


def test_interval_data(tmp_path):
    data = sdis.load(_write(tmp_path, "Interval a b c;\na b, , 3*c, a/\n"), interval_s=2)
    (rec,) = data.recordings()
    assert _rows(rec) == [
        (0, 2_000, "a"), (0, 2_000, "b"), (4_000, 6_000, "c"), (6_000, 8_000, "c"),
        (8_000, 10_000, "c"), (10_000, 12_000, "a"),
    ]  # fmt: skip
    assert rec.duration_ms == 12_000


def test_boris_style_sdis_export(tmp_path):
    text = (
        "% SDIS file created by BORIS (www.boris.unito.it) at 2024-01-01T10:00:00\n"
        "Timed <seconds>;\n\n<obs 1>\nMother_touch,1.250-3.000 Child_look,2.000-2.001 /\n\n"
    )
    (rec,) = sdis.read(_write(tmp_path, text))
    assert rec.id == "obs 1"
    assert _rows(rec) == [(1_250, 3_000, "Mother_touch"), (2_000, 2_001, "Child_look")]
    assert sdis.sniff(text.encode())


def test_times_in_all_formats(tmp_path):
    text = "Timed a;\n,0 a,1:02:03.5-1:02:04 a,75.25-80 a,2:05-2:06 ,2:00:00/\n"
    (rec,) = sdis.read(_write(tmp_path, text))
    assert _rows(rec) == [(75_250, 80_000, "a"), (125_000, 126_000, "a"),
                          (3_723_500, 3_724_000, "a")]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Timed a b;\n,0 a,1-2\nb,3-4 ,10\n", 2, "not ended by '/'"),
        ("Timed a b;\n,0 a,1-2\nb,x-4 ,10/\n", 3, "not a time"),
        ("Timed a b;\n,0 a,5-2 ,10/\n", 2, "offset before onset"),
        ("Timed a b;\n,0\n a,1-2 c,3-4 ,10/\n", 3, "not in the declaration"),
        ("Timed a b;\n,0 a ,10/\n", 2, "has no time"),
        ("Timed a b;\n,0 a,1-2 ,1:75/\n", 2, "below 60"),
        ("Timed a b;\n,0 a,1-20 ,10/\n", 2, "outside the session"),
        ("Event a b;\na b,1 /\n", 2, "Event data"),
        ("Multi a b;\na b /\n", 1, "Multi-event"),
        ("Sequence a b;\na b /\n", 1, "data type"),
        ("State A B;\n\n,0 A,5 B,7/\n", 3, "has no end"),
        ("Event a b;\n\n  \n", None, "no sessions"),
        ("Event a b a;\na/\n", 1, "declared twice"),
    ],
)
def test_malformed_input_names_the_line(tmp_path, text, line, words):
    with pytest.raises(ReadError) as err:
        sdis.load(_write(tmp_path, text))
    assert words in err.value.problem
    assert err.value.line == line


def test_not_sdis_and_empty(tmp_path):
    with pytest.raises(ReadError, match="empty"):
        sdis.load(_write(tmp_path, "  \n"))
    with pytest.raises(ReadError, match="declaration"):
        sdis.load(_write(tmp_path, "just some text\n"))
    assert not sdis.sniff(b"segment_onset,segment_offset\n")


def test_event_round_trip(tmp_path):
    frame = pl.DataFrame(
        {"sequence": ["x"] * 5 + ["y"] * 3, "code": ["A", "B", "A", "C", "A", "C", "C", "B"]}
    )
    path = tmp_path / "ev.sds"
    sdis.write_events(path, frame, codes=["A", "B", "C", "D"])
    data = sdis.load(path)
    assert data.codes == ("A", "B", "C", "D")
    assert data.sequences().equals(frame)
    with pytest.raises(ValueError, match="cannot be written"):
        sdis.write_events(path, {"s": ["ok", "not ok"]})


def _timed_rec(rows, rec_id, duration_ms, start_ms=0):
    frame = seg.build(
        {
            "segment_onset": [r[0] for r in rows],
            "segment_offset": [r[1] for r in rows],
            "speaker_type": ["UNK"] * len(rows),
            "speaker_id": [r[2] for r in rows],
            "kind": ["behaviour"] * len(rows),
            "code": [r[2] for r in rows],
        }
    )
    return Recording(rec_id, "mem", "test", frame, duration_ms=duration_ms,
                     extra={"sdis_start_ms": start_ms})  # fmt: skip


def test_timed_round_trip_keeps_ms_and_session_times(tmp_path):
    recs = [
        _timed_rec([(0, 1_001, "cv"), (1_500, 1_500, "mv"), (2_000, 7_250, "cv")], "a", 10_000),
        _timed_rec([(5, 6, "mv")], "b", 60_000, start_ms=3_600_000),
    ]
    path = tmp_path / "t.sds"
    sdis.write_timed(path, recs)
    back = sdis.read(path, role_map={})
    assert [r.id for r in back] == ["a", "b"]
    assert [_rows(r) for r in back] == [_rows(r) for r in recs]
    assert [r.duration_ms for r in back] == [10_000, 60_000]
    assert back[1].extra["sdis_start_ms"] == 3_600_000


def test_state_round_trip_and_gap_refused(tmp_path):
    rec = _timed_rec([(0, 2_500, "A"), (2_500, 4_000, "B"), (4_000, 9_000, "A")], "s", 9_000)
    path = tmp_path / "s.sds"
    sdis.write_state(path, [rec])
    (back,) = sdis.read(path, role_map={})
    assert _rows(back) == _rows(rec) and back.duration_ms == 9_000
    gap = _timed_rec([(0, 2_000, "A"), (2_500, 4_000, "B")], "g", 4_000)
    with pytest.raises(ValueError, match="tile"):
        sdis.write_state(path, [gap])


@fuzz(60)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**7), st.integers(0, 10**6), st.sampled_from(["a", "b_1", "C"])),
        min_size=1,
        max_size=20,
    )
)
def test_timed_round_trip_property(tmp_path, events):
    rows = [(on, on + dur, code) for on, dur, code in events]
    rec = _timed_rec(rows, "p", max(r[1] for r in rows))
    path = tmp_path / "p.sds"
    sdis.write_timed(path, [rec])
    (back,) = sdis.read(path, role_map={})
    assert sorted(_rows(back)) == sorted(_rows(rec))


@fuzz(150)
@given(st.data())
def test_mutated_input_raises_only_read_error(tmp_path, data):
    source = (
        TIMED + "\n" + "State ($I = A B);\n<p> A=5 B=3 & ,10/\n"
        if data.draw(st.booleans())
        else TIMED
    )
    tokens = [b"/", b";", b",", b"&", b"*", b"(", b"<", b"=", b"-", b"%", b"$", b":"]
    raw = data.draw(mutations(source.encode(), tokens))
    path = tmp_path / "m.sds"
    path.write_bytes(raw)
    with contextlib.suppress(ReadError):
        sdis.read(path, role_map={})
