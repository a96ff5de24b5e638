"""The CLI's contract: `inspect --json` fields, one-line errors, batches that go on."""

import json

from typer.testing import CliRunner

from attunement.cli import app
from tests.conftest import REAL, need

runner = CliRunner()

RTTM = (
    "SPEAKER a 1 0.0 1.0 <NA> <NA> KCHI <NA> <NA>\n"
    "SPEAKER a 1 1.5 2.0 <NA> <NA> FEM <NA> <NA>\n"
    "SPEAKER b 1 0.0 0.5 <NA> <NA> MAL <NA> <NA>\n"
)


def test_inspect_json_one_object_per_recording(tmp_path):
    p = tmp_path / "x.rttm"
    p.write_text(RTTM)
    result = runner.invoke(app, ["inspect", str(p), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == ["a", "b"]
    first = data[0]
    assert first["path"] == str(p)
    assert first["format"] == "rttm"
    assert first["duration_s"] == 3.5
    assert first["segments"] == 2
    assert first["warnings"] == []
    assert first["speaker_type"] == {"CHI": 1, "FEM": 1} or first["speaker_type"] == {
        "FEM": 1,
        "CHI": 1,
    }


def test_batch_goes_on_and_lists_every_failure(tmp_path):
    good = tmp_path / "good.rttm"
    good.write_text(RTTM)
    bad1 = tmp_path / "bad1.rttm"
    bad1.write_text("SPEAKER a 1 zero 1 <NA> <NA> FEM <NA> <NA>\n")
    bad2 = tmp_path / "bad2.csv"
    bad2.write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(app, ["inspect", str(bad1), str(good), str(bad2), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == ["a", "b"]
    err = result.stderr
    assert "2 file(s) could not be read" in err
    assert f"{bad1}:1: onset is not a number of seconds" in err
    assert str(bad2) in err and "binary" in err
    assert "Traceback" not in result.output


def test_missing_file_and_unknown_format(tmp_path):
    result = runner.invoke(app, ["inspect", str(tmp_path / "nope.cha")])
    assert result.exit_code == 1
    assert "no such file" in result.stderr
    p = tmp_path / "x.txt"
    p.write_text("just some words\n")
    result = runner.invoke(app, ["inspect", str(p)])
    assert result.exit_code == 1
    assert "unrecognised format" in result.stderr
    result = runner.invoke(app, ["inspect", str(p), "--format", "mp3"])
    assert result.exit_code == 2
    assert "unknown format 'mp3'" in result.stderr


def test_role_map_file_from_cli(tmp_path):
    p = tmp_path / "x.rttm"
    p.write_text("SPEAKER a 1 0 1 <NA> <NA> Mum <NA> <NA>\n")
    result = runner.invoke(app, ["inspect", str(p), "--json"])
    assert "'Mum' ×1" in json.loads(result.stdout)[0]["warnings"][0]
    roles = tmp_path / "roles.yaml"
    roles.write_text("Mum: FEM\n")
    result = runner.invoke(app, ["inspect", str(p), "--json", "--roles", str(roles)])
    data = json.loads(result.stdout)[0]
    assert data["warnings"] == [] and data["speaker_type"] == {"FEM": 1}
    roles.write_text("Mum: MUM\n")
    result = runner.invoke(app, ["inspect", str(p), "--roles", str(roles)])
    assert result.exit_code == 2 and "speaker_type must be one of" in result.stderr


def test_inspect_real_folder_reads_every_format():
    folder = need(REAL)
    result = runner.invoke(
        app,
        [
            "inspect",
            str(folder / "lena/test.its"),
            str(folder / "elan/example.eaf"),
            str(folder / "rttm/vcm.rttm"),
            str(folder / "chat/rollins/di06.cha"),
            str(folder / "lena/childproject_lena_its.csv"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["format"] for d in data] == ["its", "eaf", "rttm", "chat", "table"]
    assert [d["segments"] for d in data] == [589, 296, 20, 343, 23_289]


def test_folder_files_no_reader_claims_are_summarised_not_dropped_silently(tmp_path):
    (tmp_path / "a.rttm").write_text(RTTM)
    (tmp_path / "media").mkdir()
    for name in ("x.mov", "y.mov", "notes.cdc"):
        (tmp_path / "media" / name).write_bytes(b"\x00")
    result = runner.invoke(app, ["inspect", str(tmp_path), "--json"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 2
    assert "skipped 3 file(s)" in result.stderr and ".mov ×2" in result.stderr


def test_turns_json_and_csv_fields(tmp_path):
    p = tmp_path / "x.rttm"
    p.write_text(RTTM)
    result = runner.invoke(app, ["turns", str(p), "--json", "--rule", "window", "--window-s", "1"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)[0]
    for key in (
        "path",
        "rule",
        "parameters",
        "turns",
        "turns_per_hour",
        "child_serves",
        "adult_serves",
        "response_rate",
        "latency_median_s",
        "chance_turns",
    ):
        assert key in first, key
    assert first["path"] == str(p) and first["rule"] == "window"
    assert first["parameters"]["window_s"] == 1.0
    # KCHI 0-1 s, FEM from 1.5 s: the adult starts 0.5 s after the child ends, within 1 s
    assert first["turns"] == 1 and first["child_serves"] == 1 and first["response_rate"] == 1.0
    assert first["latency_median_s"] == 0.5
    result = runner.invoke(app, ["turns", str(p), "--csv", "--n-resamples", "0"])
    header, row_a, row_b = result.stdout.strip().splitlines()
    assert header.startswith("path,recording_id,rule,turns,turns_per_hour,recorded_s")
    assert row_a.split(",")[3] == "1" and row_b.split(",")[3] == "0"


def test_many_files_keep_their_order_and_every_failure_is_listed(tmp_path):
    from attunement.io import read_batch

    paths = []
    for i in range(8):  # enough files for the thread pool
        p = tmp_path / f"f{i}.rttm"
        onset = "0" if i % 3 else "zero"  # files 0, 3 and 6 are bad
        p.write_text(f"SPEAKER r{i} 1 {onset} 1 <NA> <NA> FEM <NA> <NA>\n")
        paths.append(p)
    batch = read_batch(paths)
    assert [r.id for r in batch.recordings] == ["r1", "r2", "r4", "r5", "r7"]
    assert [f.path for f in batch.failures] == [str(paths[i]) for i in (0, 3, 6)]
    assert all(f.line == 1 and "not a number" in f.problem for f in batch.failures)
