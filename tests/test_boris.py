"""BORIS exports written here, modelled on the headers of BORIS's own export code (repository
olivierfriard/BORIS: ``export_observation.py`` up to 7.x and 8.x, ``export_events.py``)."""

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import attunement
from attunement.errors import ReadError
from attunement.io import boris
from attunement.io.registry import detect
from tests.fuzz import fuzz, mutations

T = "\t"

# BORIS <= 7.x "tabular events": preamble rows, then the event table (one observation)
OLD_TSV = "\r\n".join(
    [
        T.join(["Observation id", "home visit 3", "", "", "", "", "", "", "", ""]),
        T * 9,
        "Media file(s)" + T * 9,
        T * 9,
        T.join(["Player #1", "visit3.mp4"]) + T * 8,
        T * 9,
        T.join(["Observation date", "2019-05-02 10:15:00"]) + T * 8,
        T * 9,
        "Description" + T * 9,
        T * 9,
        T.join(["Time offset (s)", "0.0"]) + T * 8,
        T * 9,
        T.join(["Time", "Media file path", "Total length", "FPS", "Subject", "Behavior",
                "Behavioral category", "Modifier 1", "Comment", "Status"]),
        T.join(["2.500", "visit3.mp4", "120.000", "25.0", "Child", "vocalise", "vocal", "", "",
                "START"]),
        T.join(["4.000", "visit3.mp4", "120.000", "25.0", "Child", "vocalise", "vocal", "", "",
                "STOP"]),
        T.join(["5.040", "visit3.mp4", "120.000", "25.0", "Mother", "touch", "contact", "soft",
                "gentle stroke", "POINT"]),
        T.join(["6.000", "visit3.mp4", "120.000", "25.0", "Mother", "talk", "vocal", "", "",
                "START"]),
        T.join(["9.960", "visit3.mp4", "120.000", "25.0", "Mother", "talk", "vocal", "", "",
                "STOP"]),
        "",
    ]
)  # fmt: skip

# BORIS >= 8 "tabular events": one header; "Behavior type" holds START / STOP / POINT
NEW_HEADER = (
    "Observation id,Observation date,Description,Observation duration,Observation type,Source,"
    "Time offset (s),Media duration (s),FPS,Subject,Behavior,Behavioral category,Modifier #1,"
    "Modifier #2,Behavior type,Time,Media file name,Image index,Image file path,Comment"
)
NEW_ROWS = [
    "obs A,2023-01-10 09:00:00,,60.000,Media file,player #1:a.mp4,0.0,60.000,30.000,Mother,"
    "talk,vocal,happy,,START,1.000,a.mp4,30,NA,",
    "obs A,2023-01-10 09:00:00,,60.000,Media file,player #1:a.mp4,0.0,60.000,30.000,Child,"
    'look,gaze,,,POINT,1.500,a.mp4,45,NA,"note, with comma"',
    "obs A,2023-01-10 09:00:00,,60.000,Media file,player #1:a.mp4,0.0,60.000,30.000,Mother,"
    "talk,vocal,happy,,STOP,3.250,a.mp4,97,NA,",
    "obs A,2023-01-10 09:00:00,,60.000,Media file,player #1:a.mp4,0.0,60.000,30.000,Mother,"
    "talk,vocal,sad,loud,START,3.250,a.mp4,97,NA,",
    "obs A,2023-01-10 09:00:00,,60.000,Media file,player #1:a.mp4,0.0,60.000,30.000,Mother,"
    "talk,vocal,sad,loud,STOP,4.000,a.mp4,120,NA,",
    "obs B,2023-01-11 09:00:00,,NA,Live observation,,0.0,NA,NA,Grandma,"
    "hold,contact,,,START,0.000,NA,NA,NA,",
    "obs B,2023-01-11 09:00:00,,NA,Live observation,,0.0,NA,NA,Grandma,"
    "hold,contact,,,STOP,00:01:02.500,NA,NA,NA,",
]

# aggregated events (BORIS 7.x layout)
AGG_TSV = "\n".join(
    [
        T.join(["Observation id", "Observation date", "Description", "Media file",
                "Total length", "FPS", "Subject", "Behavior", "Behavioral category", "Modifiers",
                "Behavior type", "Start (s)", "Stop (s)", "Duration (s)", "Comment start",
                "Comment stop"]),
        T.join(["v1", "2016-12-01 23:01:31", "", "v.mp4", "539.920", "25.0", "Mother", "s", "",
                "", "STATE", "1.800", "8.125", "6.325", "", ""]),
        T.join(["v1", "2016-12-01 23:01:31", "", "v.mp4", "539.920", "25.0", "No focal subject",
                "p", "", "", "POINT", "32.825", "32.825", "NA", "", ""]),
        T.join(["v1", "2016-12-01 23:01:31", "", "v.mp4", "539.920", "25.0", "Child", "s", "",
                "a|b", "STATE", "10.250", "23.350", "13.100", "", ""]),
    ]
)  # fmt: skip


def _write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _read(path, roles=None, keep_text=True):
    return boris.read(path, role_map={**boris.DEFAULT_ROLES, **(roles or {})}, keep_text=keep_text)


def _rows(rec):
    return rec.segments.select(
        "segment_onset", "segment_offset", "speaker_type", "speaker_id", "code", "modifiers"
    ).rows()


def test_old_layout_with_preamble(tmp_path):
    (rec,) = _read(_write(tmp_path, OLD_TSV, "old.tsv"))
    assert rec.id == "home visit 3"
    assert rec.duration_ms == 120_000
    assert rec.start.isoformat() == "2019-05-02T10:15:00"
    assert _rows(rec) == [
        (2_500, 4_000, "CHI", "Child", "vocalise", ""),
        (5_040, 5_040, "FEM", "Mother", "touch", "soft"),
        (6_000, 9_960, "FEM", "Mother", "talk", ""),
    ]
    assert rec.segments["source_line"].to_list() == [14, 16, 17]
    assert rec.segments["boris_type"].to_list() == ["STATE", "POINT", "STATE"]
    assert rec.segments["text"].to_list() == [None, "gentle stroke", None]
    assert set(rec.segments["kind"].cast(str)) == {"behaviour"}
    assert rec.warnings == []
    assert [(p.id, p.speaker_type) for p in rec.participants] == [
        ("Child", "CHI"),
        ("Mother", "FEM"),
    ]


def test_new_layout_csv_pairs_by_modifiers_and_reads_hms(tmp_path):
    path = _write(tmp_path, "\n".join([NEW_HEADER, *NEW_ROWS]) + "\n", "new.csv")
    a, b = _read(path)
    assert (a.id, b.id) == ("obs A", "obs B")
    assert a.duration_ms == 60_000 and b.duration_ms == 62_500
    assert _rows(a) == [
        (1_000, 3_250, "FEM", "Mother", "talk", "happy"),
        (1_500, 1_500, "CHI", "Child", "look", ""),
        (3_250, 4_000, "FEM", "Mother", "talk", "sad|loud"),
    ]
    assert a.segments["text"].to_list() == [None, "note, with comma", None]
    assert _rows(b) == [(0, 62_500, "UNK", "Grandma", "hold", "")]
    assert "'Grandma' ×1" in b.warnings[0]
    (b2,) = [r for r in _read(path, roles={"Grandma": "FEM"}) if r.id == "obs B"]
    assert b2.segments["speaker_type"].cast(str).to_list() == ["FEM"] and b2.warnings == []


def test_aggregated_layout(tmp_path):
    (rec,) = _read(_write(tmp_path, AGG_TSV, "agg.tsv"))
    assert rec.id == "v1" and rec.duration_ms == 539_920
    assert _rows(rec) == [
        (1_800, 8_125, "FEM", "Mother", "s", ""),
        (10_250, 23_350, "CHI", "Child", "s", "a|b"),
        (32_825, 32_825, "UNK", "No focal subject", "p", ""),
    ]
    assert rec.segments["source_line"].to_list() == [2, 4, 3]


def test_detected_and_read_through_the_registry(tmp_path):
    path = _write(tmp_path, "\n".join([NEW_HEADER, *NEW_ROWS]) + "\n", "export.csv")
    assert detect(path) == "boris"
    assert detect(_write(tmp_path, OLD_TSV, "old.tsv")) == "boris"
    recs = attunement.read(path)
    assert [r.format for r in recs] == ["boris", "boris"]


def test_privacy_drops_comments_and_description(tmp_path):
    (rec,) = _read(_write(tmp_path, OLD_TSV, "old.tsv"), keep_text=False)
    assert rec.segments["text"].null_count() == rec.segments.height
    assert "description" not in rec.extra


@pytest.mark.parametrize(
    ("rows", "line", "words"),
    [
        (["Mother,talk,STOP,1.0"], 2, "STOP with no open START"),
        (["Mother,talk,START,1.0", "Mother,talk,STOP,2.0", "Mother,talk,START,3.0"], 4,
         "never stopped"),
        (["Mother,talk,START,1.0", "Mother,talk,START,2.0", "Mother,talk,STOP,3.0"], 3,
         "already started"),
        (["Mother,talk,START,1.0", "Mother,talk,STOP,x"], 3, "not a time"),
        (["Mother,talk,BEGIN,1.0"], 2, "not START, STOP or POINT"),
        (["Mother,,POINT,1.0"], 2, "without a Behavior"),
    ],
)  # fmt: skip
def test_unpaired_or_bad_events_name_the_line(tmp_path, rows, line, words):
    head = "Observation id,Subject,Behavior,Behavior type,Time"
    text = "\n".join([head, *[f"o,{r}" for r in rows]]) + "\n"
    with pytest.raises(ReadError) as err:
        _read(_write(tmp_path, text, "bad.csv"))
    assert words in err.value.problem
    assert err.value.line == line


def test_not_a_boris_export(tmp_path):
    with pytest.raises(ReadError, match="no BORIS header"):
        _read(_write(tmp_path, "a,b\n1,2\n", "x.csv"))
    with pytest.raises(ReadError, match="no events"):
        _read(_write(tmp_path, NEW_HEADER + "\n", "empty.csv"))
    assert boris.sniff(OLD_TSV.encode()) and boris.sniff(AGG_TSV.encode())
    assert not boris.sniff(b"segment_onset,segment_offset,speaker_type\n")


@fuzz(120)
@given(st.data())
def test_mutated_exports_raise_only_read_error(tmp_path, data):
    source = data.draw(st.sampled_from([OLD_TSV, AGG_TSV, "\n".join([NEW_HEADER, *NEW_ROWS])]))
    raw = data.draw(mutations(source.encode(), [b"\t", b",", b'"', b"\n", b"START"]))
    path = tmp_path / "m.tsv"
    path.write_bytes(raw)
    with contextlib.suppress(ReadError):
        _read(path)
