"""Output paths (issue 20, "Inputs are never destroyed"): every command that writes checks its
output before any work, refuses an input, a missing folder or a folder where a file is wanted in
one line with exit 2, and writes atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attunement.cli import app
from attunement.errors import OutputError
from attunement.outputs import atomic, check_file, check_folder, write_text
from tests.corpus_helpers import make_days, query


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    """A recording, an answers file, a store and an export: the inputs of the writing commands."""
    root = tmp_path_factory.mktemp("inputs")
    (rec,) = make_days(root / "files", 1, segments=60, hours=0.1)
    answers = root / "answers.csv"
    answers.write_text("id," + ",".join(f"Q{i}" for i in range(1, 37)) + "\nr1" + ",4" * 36 + "\n")
    store = root / "store.csv"  # a DuckDB store may have any name, even an output's
    result = CliRunner().invoke(app, ["ingest", str(rec), "--db", str(store)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["ingest", "--db", str(store), "--export", str(root / "x")])
    assert result.exit_code == 0, result.output
    return {"rec": rec, "answers": answers, "store": store, "export": root / "x"}


def _refused(args: list[str], *, says: str) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert says in lines[0] and "Traceback" not in result.output
    return lines[0]


# (command arguments with {input} standing for the input file or folder, which input)
OVERWRITES = {
    "report -o": (["report", "{rec}", "-o", "{rec}"], "rec"),
    "report --db -o": (["report", "--db", "{store}", "-o", "{store}"], "store"),
    "score --out": (["score", "ecr-r", "{answers}", "--out", "{answers}"], "answers"),
    "turns --plot": (["turns", "{rec}", "--plot", "{rec}"], "rec"),
    "measure --out": (["measure", "--db", "{store}", "--out", "{store}"], "store"),
    "ingest --export": (
        ["ingest", "--db", "{store}", "--import", "{export}", "--export", "{export}"], "export"
    ),
}  # fmt: skip


def _fill(args: list[str], made: dict[str, Path], **more: Path) -> list[str]:
    names = {k: str(v) for k, v in {**made, **more}.items()}
    return [a.format(**names) for a in args]


def _snapshot(path: Path) -> dict[str, bytes]:
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    return {str(p): p.read_bytes() for p in files if p.is_file()}


@pytest.mark.parametrize("case", list(OVERWRITES))
def test_an_input_as_output_is_refused_and_left_byte_identical(made, case):
    args, which = OVERWRITES[case]
    before = _snapshot(made[which])
    _refused(_fill(args, made), says="is an input of this command")
    assert _snapshot(made[which]) == before


def test_a_link_to_an_input_is_refused_too(made, tmp_path):
    link = tmp_path / "report.html"
    link.symlink_to(made["rec"])
    before = made["rec"].read_bytes()
    said = _refused(["report", str(made["rec"]), "-o", str(link)], says="is an input")
    assert str(made["rec"]) in said and made["rec"].read_bytes() == before


def test_a_plot_must_be_a_figure(made, tmp_path):
    said = _refused(["turns", str(made["rec"]), "--plot", str(tmp_path / "p.txt")], says="plot")
    assert said == f"error: {tmp_path / 'p.txt'}: a plot must end in .png, .svg, .pdf"


# every writing command, with {out} standing for the output path under test
WRITERS = {
    "report": ["report", "{rec}", "-o", "{out}"],
    "report --db": ["report", "--db", "{store}", "-o", "{out}"],
    "score": ["score", "ecr-r", "{answers}", "--out", "{out}"],
    "turns --plot": ["turns", "{rec}", "--plot", "{out}"],
    "measure": ["measure", "--db", "{store}", "--out", "{out}"],
    "simulate session": ["simulate", "session", "--out", "{out}"],
    "simulate population": ["simulate", "population", "--out", "{out}", "--children", "10"],
}
SUFFIX = {"report": ".html", "report --db": ".html", "turns --plot": ".png"}
FOLDER_WRITERS = {
    "simulate session --truth": ["simulate", "session", "--out", "{ok}", "--truth", "{out}"],
    "simulate experiment": ["simulate", "experiment", "repair", "--out", "{out}"],
    "ingest --export": ["ingest", "--db", "{store}", "--export", "{out}"],
}


def _suffix(case: str) -> str:
    return SUFFIX.get(case, ".parquet" if "population" in case else ".csv")


@pytest.mark.parametrize("case", list(WRITERS))
def test_a_missing_folder_is_refused_and_not_created(made, tmp_path, case):
    out = tmp_path / "no" / "such" / f"out{_suffix(case)}"
    said = _refused(_fill(WRITERS[case], made, out=out), says="does not exist")
    assert said == f"error: {out}: the folder {out.parent} does not exist; create it first"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("case", list(WRITERS))
def test_a_folder_as_output_file_is_refused(made, tmp_path, case):
    out = tmp_path / f"out{_suffix(case)}"
    out.mkdir()
    said = _refused(_fill(WRITERS[case], made, out=out), says="is a folder")
    assert said == f"error: {out}: is a folder; give a file name to write"
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("case", list(FOLDER_WRITERS))
def test_output_folders_need_their_parent_and_cannot_be_files(made, tmp_path, case):
    ok = tmp_path / "session.csv"
    out = tmp_path / "no" / "folder"
    _refused(_fill(FOLDER_WRITERS[case], made, out=out, ok=ok), says="does not exist")
    blocker = tmp_path / "a-file"
    blocker.write_text("keep\n")
    said = _refused(_fill(FOLDER_WRITERS[case], made, out=blocker, ok=ok), says="is a file")
    assert said == f"error: {blocker}: is a file; give a folder to write into"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert blocker.read_text() == "keep\n"


def test_measure_refuses_its_output_before_computing(made, tmp_path):
    out = tmp_path / "missing" / "turns.csv"
    _refused(["measure", "--db", str(made["store"]), "--out", str(out)], says="does not exist")
    tables = {t for (t,) in query(made["store"], "SELECT table_name FROM duckdb_tables()")}
    assert "measure_log" not in tables  # nothing was computed


def test_writers_replace_an_old_file_whole(made, tmp_path):
    out = tmp_path / "scores.csv"
    out.write_text("old\n")
    result = CliRunner().invoke(app, ["score", "ecr-r", str(made["answers"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0].startswith("row,id,")  # row: the data row
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    out = tmp_path / "r.html"
    out.write_text("old report\n")
    with pytest.raises(RuntimeError), atomic(out) as temp:
        temp.write_text("half a rep")
        raise RuntimeError("the run failed")
    assert out.read_text() == "old report\n" and [p.name for p in tmp_path.iterdir()] == ["r.html"]
    write_text(out, "new report\n")
    assert out.read_text() == "new report\n" and [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_checks_name_the_path_and_the_problem(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.cha").write_text("@Begin\n@End\n")
    (data / "old.html").write_text("<p>\n")
    hard = tmp_path / "hard.csv"
    os.link(data / "a.cha", hard)
    with pytest.raises(OutputError, match=r"a\.cha: is an input of this command \(.*data\)"):
        check_file(data / "a.cha", [data])  # a file read from an input folder
    with pytest.raises(OutputError, match=r"hard\.csv: is an input .*a\.cha"):
        check_file(hard, [data / "a.cha"])  # the same file under another name
    assert check_file(data / "old.html", [data]) == data / "old.html"  # no reader takes .html
    assert check_file(data / "new.cha", [data]) == data / "new.cha"  # not there, so not read
    with pytest.raises(OutputError, match="is an input of this command; choose another folder"):
        check_folder(data, [data])
    with pytest.raises(OutputError, match=r"x\.html: .*data[/\\]a\.cha is not a folder"):
        check_file(data / "a.cha" / "x.html")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere; permissions not testable")
def test_a_read_only_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(OutputError, match="is not writable"):
        check_file(locked / "r.html")
