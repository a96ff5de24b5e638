"""ChildProject datasets and folders with children.csv / recordings.csv: recognised, read once,
linked to children, sessions and clips; ChildProject's own example dataset as the real case."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attunement.errors import ReadError
from attunement.io.childproject import add_import_list, clips, find, split
from attunement.io.entries import plan, read_dataset
from tests.conftest import REAL, need
from tests.corpus_helpers import corpus_app, query

VALID = (REAL / "childproject" / "valid_raw_data").resolve()
INPUT = VALID / "annotations" / "input.csv"


def _valid():
    return find(need(VALID))


def test_the_example_dataset_metadata_children_and_confidential_columns():
    ds = _valid()
    assert ds.layout == "childproject"
    assert sorted(ds.children) == ["1", "2"]
    assert sorted(ds.recordings) == ["sound.wav", "sound2.wav", "sound3.wav"]
    # metadata/children/0_test.csv replaces child 1's date of birth (ChildProject's accumulate)
    assert ds.children["1"]["child_dob"] == "2020-01-01"
    assert ds.confidential == {"children": ["child_dob"], "recordings": ["date_iso", "notes"]}
    # the index lists one set, vtc_present, for both kept recordings
    assert [(c.set, c.recording_filename, c.range_onset, c.range_offset) for c in ds.clips] == [
        ("vtc_present", "sound2.wav", 0, 4000),
        ("vtc_present", "sound.wav", 0, 4000),
    ]


def test_without_an_import_list_only_indexed_clips_are_read_and_the_rest_is_listed():
    ds = _valid()
    work = plan(ds)
    assert [e.id for e in work.entries] == ["sound2@vtc_present", "sound@vtc_present"]
    assert not work.missing
    unindexed = {p.relative_to(VALID).as_posix() for p in work.unindexed}
    assert "annotations/eaf_basic/raw/example.eaf" in unindexed
    assert len(unindexed) == 9  # alice (3 files), 2 eaf, 2 TextGrid, 2 rttm
    batch, _ = read_dataset(ds)
    by_id = {r.id: r for r in batch.recordings}
    # the converted CSVs' rows, as ChildProject wrote them (11 and 16 lines below a header)
    assert by_id["sound@vtc_present"].segments.height == 11
    assert by_id["sound2@vtc_present"].segments.height == 16
    # ages in days from the confidential date of birth: 2020-01-01 to 2020-04-20 and -21
    assert by_id["sound@vtc_present"].child_age_days == 110
    assert by_id["sound2@vtc_present"].child_age_days == 111
    assert by_id["sound@vtc_present"].extra["link"] == {
        "dataset": str(VALID.resolve()),
        "recording_name": "sound.wav",
        "annotation_set": "vtc_present",
        "child_id": "1",
        "session_id": "s1",
        "date": "2020-04-20",
    }


def _rttm_clip(path: Path, file_id: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """An independent oracle: RTTM lines of one file id, to ms, clipped as ChildProject does."""
    out = []
    for line in path.read_text().splitlines():
        f = line.split()
        if f[1] != file_id:
            continue
        on = round(float(f[3]) * 1000)
        off = round((float(f[3]) + float(f[4])) * 1000)
        on, off = min(max(on, lo), hi), min(max(off, lo), hi)
        if off > on:
            out.append((on, off))
    return sorted(out)


def test_with_the_import_list_every_set_is_read_once_with_its_clip_ranges():
    ds = _valid()
    add_import_list(ds, need(INPUT))
    work = plan(ds)
    entries = {e.id: e for e in work.entries}
    assert sorted(entries) == sorted(
        [
            *("sound2@vtc_present", "sound@vtc_present", "sound@textgrid", "sound@eaf_basic"),
            *("sound@eaf_solis", "sound@vtc_rttm", "sound@alice/output", "sound@metrics"),
            *("sound2@vtc_rttm", "sound2@alice/output"),
        ]
    )
    # alice/output has raw and converted files: read once, from the converted twin
    assert [s.kind for s in entries["sound@alice/output"].sources] == ["converted"]
    assert sorted(s.problem for s in work.missing) == [
        "raw file missing: annotations/new_its/raw/example_lena_new.its",
        "raw file missing: annotations/old_its/raw/example_lena_old.its",
    ]
    batch, _ = read_dataset(ds)
    assert not batch.failures
    rec = {r.id: r for r in batch.recordings}["sound@vtc_rttm"]
    expected = _rttm_clip(
        VALID / "annotations/vtc_rttm/raw/example.rttm",
        "namibie_aiku_20160714_1",
        1_980_000,
        1_990_000,
    )
    got = sorted(rec.segments.select("segment_onset", "segment_offset").iter_rows())
    assert got == expected and len(got) == 5
    assert set(rec.segments["range_onset"]) == {1_980_000}
    assert rec.extra["recordings"] == [
        {"start_ms": 1_980_000, "end_ms": 1_990_000, "start_clock": "2020-04-20T09:33:00"}
    ]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _tiny_dataset(root: Path, seek: int = 1000) -> Path:
    """One child, one recording; set `vtc` has a raw RTTM and a converted twin that differ."""
    _write(root / "metadata/children.csv", "experiment,child_id,child_dob\nx,k1,2021-01-01\n")
    _write(
        root / "metadata/recordings.csv",
        "experiment,child_id,date_iso,start_time,recording_device_type,recording_filename,"
        "duration,session_id\nx,k1,2021-07-01,8:30,usb,day.wav,60000,visit1\n",
    )
    _write(
        root / "metadata/annotations.csv",
        "set,recording_filename,time_seek,range_onset,range_offset,raw_filename,format,"
        "filter,annotation_filename\n"
        f"vtc,day.wav,{seek},2000,10000,day.rttm,vtc_rttm,,day_2000_10000.csv\n",
    )
    _write(
        root / "annotations/vtc/raw/day.rttm",
        "SPEAKER day 1 0.5 2.0 <NA> <NA> KCHI <NA> <NA>\n"  # 500-2500 ms
        "SPEAKER day 1 4.0 1.0 <NA> <NA> FEM <NA> <NA>\n"  # 4000-5000
        "SPEAKER day 1 8.5 3.0 <NA> <NA> MAL <NA> <NA>\n"  # 8500-11500
        "SPEAKER day 1 12.0 1.0 <NA> <NA> FEM <NA> <NA>\n",  # 12000-13000
    )
    _write(
        root / "annotations/vtc/converted/day_2000_10000.csv",
        "segment_onset,segment_offset,speaker_type,raw_filename\n2000,3000,CHI,day.rttm\n",
    )
    return root


def test_time_seek_and_clipping_follow_childproject_and_twins_are_read_once(tmp_path):
    root = _tiny_dataset(tmp_path / "ds")
    ds = find(root)
    (converted,) = read_dataset(ds)[0].recordings
    assert converted.segments.select("segment_onset", "segment_offset").rows() == [(2000, 3000)]
    (raw,) = read_dataset(ds, prefer="raw")[0].recordings
    # plus time_seek 1000: 1500-3500, 5000-6000, 9500-12500, 13000-14000; clipped to
    # [2000, 10000]: 2000-3500, 5000-6000, 9500-10000, and the last one left empty is dropped
    rows = raw.segments.select("segment_onset", "segment_offset").rows()
    assert rows == [(2000, 3500), (5000, 6000), (9500, 10000)]
    assert raw.child_age_days == 181  # 2021-01-01 to 2021-07-01
    assert raw.start.isoformat() == "2021-07-01T08:30:00"
    assert raw.extra["recordings"][0]["start_clock"] == "2021-07-01T08:30:02"


def test_clip_lists_parse_and_refuse_bad_ranges_with_their_line(tmp_path):
    good = _write(
        tmp_path / "list.csv",
        "set,recording_filename,time_seek,range_onset,range_offset\na,r.wav,-500,0,60000\n",
    )
    (clip,) = clips(good)
    assert (clip.set, clip.recording_filename, clip.time_seek, clip.range_offset) == (
        "a",
        "r.wav",
        -500,
        60000,
    )
    assert clip.converted_name == "r_0_60000.csv"
    bad = _write(
        tmp_path / "bad.csv",
        "set,recording_filename,range_onset,range_offset\na,r.wav,0,10\na,r.wav,50,50\n",
    )
    with pytest.raises(ReadError) as caught:
        clips(bad)
    assert caught.value.line == 3 and "range_offset must be greater" in caught.value.problem


def test_a_plain_folder_links_files_by_folder_name_and_header_conflicts_are_warned(tmp_path):
    root = tmp_path / "corpus"
    source = need(REAL / "chat" / "brent" / "f1-1106.cha")
    (root / "f1").mkdir(parents=True)
    (root / "f1" / source.name).symlink_to(source)
    # the @ID says 0;11.06 (341 days); this date of birth gives 300 days at the @Date
    _write(root / "children.csv", "child_id,child_dob\nf1,1997-01-01\n")
    found, files, skipped = split([root])
    assert [d.layout for d in found] == ["folder"] and not files and not skipped
    (rec,) = read_dataset(found[0])[0].recordings
    assert rec.extra["link"]["child_id"] == "f1"
    assert rec.extra["link"]["recording_name"] == "f1/f1-1106.cha"
    day = date.fromisoformat(rec.extra["link"]["date"])
    expected = (day - date(1997, 1, 1)).days
    assert rec.child_age_days == expected
    (warning,) = [w for w in rec.warnings if w.startswith("child age")]
    assert f"the metadata gives {expected} days" in warning and "header 341 days" in warning


def test_inspect_on_the_example_dataset_reports_no_metadata_file_as_a_failure():
    root = need(VALID)
    result = CliRunner().invoke(corpus_app(), ["inspect", str(root), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [r["id"] for r in listed] == ["sound2@vtc_present", "sound@vtc_present"]
    assert "could not be read" not in result.stderr
    assert "9 file(s) under annotations/ that no clip of the index uses" in result.stderr


def test_ingest_stores_children_recordings_sets_and_clips_once(tmp_path):
    root = need(VALID)
    db = tmp_path / "c.duckdb"
    args = ["ingest", str(root), "--db", str(db), "--jobs", "1", "--annotations", str(INPUT)]
    first = CliRunner().invoke(corpus_app(), args)
    assert first.exit_code == 0, first.output
    assert "2 clip(s) not read (files missing)" in first.stderr
    assert "annotations/new_its/raw/example_lena_new.its" in first.stderr
    assert query(db, "SELECT child_id, discard FROM children ORDER BY 1") == [
        ("1", False),
        ("2", True),
    ]
    assert query(db, "SELECT recording_filename FROM dataset_recordings ORDER BY 1") == [
        ("sound.wav",),
        ("sound2.wav",),
        ("sound3.wav",),
    ]
    # sound.wav: one recording in seven sets, each stored once and linked to child 1
    sets = query(
        db,
        "SELECT annotation_set, child_id, session_id FROM recordings "
        "WHERE recording_name = 'sound.wav' ORDER BY 1",
    )
    assert [s for s, *_ in sets] == [
        *("alice/output", "eaf_basic", "eaf_solis", "metrics"),
        *("textgrid", "vtc_present", "vtc_rttm"),
    ]
    assert {(c, s) for _, c, s in sets} == {("1", "s1")}
    status = query(db, "SELECT status, count(*) FROM clips GROUP BY 1 ORDER BY 1")
    assert status == [("missing", 2), ("read", 10)]
    ranges = query(
        db,
        "SELECT r.annotation_set, min(s.range_onset), max(s.range_offset) FROM segments s "
        "JOIN recordings r USING (recording_id) WHERE r.recording_name = 'sound.wav' "
        "GROUP BY 1 ORDER BY 1",
    )
    assert ("vtc_rttm", 1_980_000, 1_990_000) in ranges and ("textgrid", 0, 10_000) in ranges
    outside = query(
        db,
        "SELECT count(*) FROM segments WHERE segment_onset < range_onset "
        "OR segment_offset > range_offset",
    )
    assert outside == [(0,)]
    again = CliRunner().invoke(corpus_app(), args)
    assert "0 file(s) stored" in again.stdout and "10 skipped as already present" in again.stdout


def test_reingest_relinks_changed_metadata_and_removes_what_the_dataset_dropped(tmp_path):
    root = _tiny_dataset(tmp_path / "ds")
    db = tmp_path / "c.duckdb"
    app = corpus_app()
    args = ["ingest", str(root), "--db", str(db), "--jobs", "1", "--prefer", "raw"]
    assert CliRunner().invoke(app, args).exit_code == 0
    sql = "SELECT recording_id, child_age_days, n_segments FROM recordings"
    assert query(db, sql) == [("day@vtc", 181, 3)]  # the raw RTTM, clipped: 3 segments
    _write(root / "metadata/children.csv", "experiment,child_id,child_dob\nx,k1,2021-02-01\n")
    again = CliRunner().invoke(app, args)
    assert "1 file(s) stored" in again.stdout
    assert query(db, sql) == [("day@vtc", 150, 3)]  # 2021-02-01 to 2021-07-01
    _write(
        root / "metadata/annotations.csv",
        "set,recording_filename,time_seek,range_onset,range_offset,raw_filename,format\n"
        "vtc,day.wav,0,0,1000,../../../metadata/children.csv,vtc_rttm\n",
    )
    last = CliRunner().invoke(app, args)
    assert last.exit_code == 0
    assert "1 stored recording(s) no longer in the dataset removed" in last.stderr
    assert "leads outside annotations/vtc" in last.stderr
    assert query(db, "SELECT count(*) FROM recordings") == [(0,)]
    assert query(db, "SELECT status FROM clips") == [("missing",)]
