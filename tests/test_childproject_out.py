"""ChildProject out: a store written as a ChildProject dataset holds the source's metadata and
segments, keeps confidential columns apart, and ChildProject 0.4.6 itself reads it back (in the
benchmark environment, when it exists)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REAL, need
from tests.corpus_helpers import corpus_app, query

ROOT = Path(__file__).resolve().parents[1]
VALID = (REAL / "childproject" / "valid_raw_data").resolve()
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _store(tmp_path: Path, *extra: str) -> Path:
    db = tmp_path / "c.duckdb"
    args = ["ingest", str(need(VALID)), "--db", str(db), "--jobs", "1", *extra]
    result = CliRunner().invoke(corpus_app(), args)
    assert result.exit_code == 0, result.output
    return db


def test_the_example_dataset_comes_back_with_its_segments_and_metadata(tmp_path):
    db = _store(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        corpus_app(), ["export", "--db", str(db), "--format", "childproject", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in ("sound_0_4000.csv", "sound2_0_4000.csv"):
        source = _rows(VALID / "annotations" / "vtc_present" / "converted" / name)
        ours = _rows(out / "annotations" / "vtc_present" / "converted" / name)
        key = ("segment_onset", "segment_offset", "speaker_type", "raw_filename")
        assert sorted(tuple(r[k] for k in key) for r in ours) == sorted(
            tuple(r[k] for k in key) for r in source
        )
    children = {r["child_id"]: r for r in _rows(out / "metadata" / "children.csv")}
    # child_dob is confidential (metadata/children/0_test.csv): not written unless asked
    assert {c: (r["child_dob"], r["discard"]) for c, r in children.items()} == {
        "1": ("NA", "0"),
        "2": ("NA", "1"),
    }
    recordings = {r["recording_filename"]: r for r in _rows(out / "metadata" / "recordings.csv")}
    assert sorted(recordings) == ["sound.wav", "sound2.wav", "sound3.wav"]
    assert {r["notes"] for r in recordings.values()} == {"NA"}  # confidential column
    assert recordings["sound3.wav"]["discard"] == "1"
    index = _rows(out / "metadata" / "annotations.csv")
    assert sorted((r["set"], r["recording_filename"], r["range_offset"]) for r in index) == [
        ("vtc_present", "sound.wav", "4000"),
        ("vtc_present", "sound2.wav", "4000"),
    ]
    assert not (out / "metadata" / "children").exists()
    asked = tmp_path / "asked"
    args = ["export", "--db", str(db), "--format", "childproject", str(asked), "--confidential"]
    assert CliRunner().invoke(corpus_app(), args).exit_code == 0
    secret = _rows(asked / "metadata" / "children" / "confidential.csv")
    assert {r["child_id"]: r["child_dob"] for r in secret} == {"1": "2020-01-01", "2": "2018-02-02"}
    notes = {
        r["recording_filename"]: r["notes"]
        for r in _rows(asked / "metadata" / "recordings" / "confidential.csv")
    }
    assert notes["sound.wav"] == "VERY confidential notes"


def test_a_store_export_and_import_keeps_the_dataset_tables(tmp_path):
    db = _store(tmp_path)
    folder = tmp_path / "export"
    app = corpus_app()
    assert (
        CliRunner().invoke(app, ["ingest", "--db", str(db), "--export", str(folder)]).exit_code == 0
    )
    copy = tmp_path / "copy.duckdb"
    assert (
        CliRunner().invoke(app, ["ingest", "--db", str(copy), "--import", str(folder)]).exit_code
        == 0
    )
    for table, order in (
        ("children", "child_id"),
        ("clips", "recording_filename"),
        ("dataset_recordings", "recording_filename"),
    ):
        sql = f"SELECT * FROM {table} ORDER BY {order}"
        assert query(copy, sql) == query(db, sql)
    sql = "SELECT recording_id, child_id, annotation_set, date FROM recordings ORDER BY 1"
    assert query(copy, sql) == query(db, sql)


def _roundtrip():
    path = ROOT / "benchmarks" / "childproject_roundtrip.py"
    spec = importlib.util.spec_from_file_location("childproject_roundtrip", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # ChildProject and pandas start in another process
def test_childproject_itself_reads_the_export_back(tmp_path):
    if not BENCH_PYTHON.exists():
        pytest.skip(f"no benchmark environment ({BENCH_PYTHON}): run `make bench` to create it")
    need(VALID)
    roundtrip = _roundtrip()
    example = roundtrip.case("example", [VALID], tmp_path)
    seen = roundtrip.childproject_reads(example["read"])
    assert (seen["errors"], seen["warnings"]) == ([], [])
    assert (seen["children"], seen["recordings"], seen["annotations"]) == (1, 2, 2)
    assert seen["segments"] == example["store_segments"] == 27
    brent = roundtrip.brent_folder(tmp_path / "brent-links", ("f1",))
    session = roundtrip.case("brent", [brent], tmp_path)
    seen = roundtrip.childproject_reads(session["read"])
    assert seen["errors"] == [] and seen["annotations"] == seen["recordings"] == 13
    assert seen["segments"] == session["store_segments"]
