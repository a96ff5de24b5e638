"""Privacy mode: canary words planted in every text-bearing format never survive
`keep_text=False` / `--no-words`, in memory or in any output."""

import json
import re

import polars as pl
import pytest
from typer.testing import CliRunner

import attunement
from attunement.cli import app
from attunement.io import read_batch
from tests import privacy_canaries
from tests.conftest import REAL, need
from tests.test_textgrid import long_format

CANARY = "Zebrafinch"
CANARIES = re.compile(r"zebrafinch|quokkaplum", re.IGNORECASE)


def _chat(tmp_path):
    text = need(REAL / "chat/vandam-daylong/vandam.cha").read_text(encoding="utf-8")
    text = text.replace("Natasha", "Quokkaplum")  # a participant's name
    lines = text.splitlines()
    out, planted = [], 0
    for line in lines:
        if line.startswith("*MOT:") and planted < 3:
            line = line.replace("\t", f"\t{CANARY} ", 1)
            planted += 1
        out.append(line)
    out.append(f"%com:\t{CANARY} said by mum")
    out.append(f"*MOT:\t{CANARY} [=! laughs] .")
    path = tmp_path / "canary.cha"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    assert planted == 3
    return path


def _eaf(tmp_path):
    text = need(REAL / "elan/example.eaf").read_text(encoding="utf-8")
    text, n = re.subn(
        r"(<ANNOTATION_VALUE>)([^<]{3,})(</ANNOTATION_VALUE>)", rf"\1{CANARY} \2\3", text, count=40
    )
    assert n == 40
    path = tmp_path / "canary.eaf"
    path.write_text(text, encoding="utf-8")
    return path


def _textgrid(tmp_path):
    path = tmp_path / "canary.TextGrid"
    path.write_text(
        long_format(
            10,
            [
                ("Mother", [(1, 2, f"{CANARY} there"), (4, 5, "hi")], True),
                ("CHI", [(2.5, 3, "ba")], True),
                ("notes", [(5.5, f"{CANARY} note")], False),
            ],
        ),
        encoding="utf-8",
    )
    return path


def _csv(tmp_path):
    path = tmp_path / "canary.csv"
    pl.DataFrame(
        {
            "segment_onset": [0, 1500],
            "segment_offset": [1000, 2500],
            "speaker_type": ["CHI", "FEM"],
            "transcription": ["ba", f"{CANARY} look"],
        }
    ).write_csv(path)
    return path


MAKERS = [_chat, _eaf, _textgrid, _csv]


def _everything(rec) -> str:
    frame = rec.segments.select(pl.all().cast(pl.String))
    return "\n".join(
        [
            frame.write_csv(),
            repr(rec.warnings),
            repr(rec.extra),
            repr(rec.participants),
            json.dumps(rec.summary(), default=str),
        ]
    )


@pytest.mark.parametrize("make", MAKERS)
def test_canaries_are_there_with_text_and_gone_without(tmp_path, make):
    path = make(tmp_path)
    with_text = attunement.read(path)
    assert CANARIES.search(_everything(with_text)), "the canary must be planted"
    private = attunement.read(path, keep_text=False)
    assert not CANARIES.search(_everything(private))
    assert private.segments["text"].null_count() == private.segments.height
    result = attunement.turns(private, "window", n_resamples=3)
    assert not CANARIES.search(json.dumps(result.to_dict(), default=str))
    assert not CANARIES.search(result.to_frame().write_csv())


@pytest.mark.parametrize("make", MAKERS)
def test_cli_outputs_hold_no_canary_with_no_words(tmp_path, make):
    path = make(tmp_path)
    runner = CliRunner()
    for args in (
        ["inspect", str(path), "--json", "--no-words"],
        ["inspect", str(path), "--no-words"],
        ["turns", str(path), "--json", "--no-words", "--n-resamples", "3"],
        ["turns", str(path), "--csv", "--no-words", "--n-resamples", "3"],
        ["turns", str(path), "--no-words", "--n-resamples", "3"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert not CANARIES.search(result.output), args


# ---- every place text can live, in every format (tests/privacy_canaries.py) ----


@pytest.fixture(scope="module")
def canaries(tmp_path_factory):
    folder = tmp_path_factory.mktemp("canaries")
    return folder, privacy_canaries.write_all(folder / "files")


def _found(text: str) -> set[str]:
    return {m.lower() for m in privacy_canaries.CANARIES.findall(text)}


def test_every_planted_file_shows_its_canaries_when_words_are_kept(canaries):
    _, files = canaries
    batch = read_batch(files["good"])
    assert not batch.failures
    for path in files["good"]:
        seen = "\n".join(_everything(r) for r in batch.recordings if r.path == str(path))
        assert _found(seen), f"{path.name}: the canaries must be planted where a reader sees them"
    assert len(read_batch(files["bad"]).failures) == len(files["bad"])


def test_no_canary_in_recordings_results_or_errors_without_words(canaries):
    _, files = canaries
    batch = read_batch(files["good"] + files["bad"], keep_text=False)
    assert len(batch.failures) == len(files["bad"])
    for failure in batch.failures:
        assert not _found(str(failure)), failure
    for rec in batch.recordings:
        assert not _found(_everything(rec)), (rec.path, _found(_everything(rec)))
        assert rec.segments["text"].null_count() == rec.segments.height
        result = attunement.turns(rec, "window", n_resamples=3)
        assert not _found(json.dumps(result.to_dict(), default=str) + result.to_frame().write_csv())


def test_no_canary_in_any_command_output_without_words(canaries):
    folder, files = canaries
    runner = CliRunner()
    report = folder / "report.html"
    vocal = [str(p) for p in files["good"] + files["bad"] if p.suffix not in (".csv", ".tsv")]
    vocal.append(str(next(p for p in files["good"] if p.name == "canary.csv")))
    outputs = []
    for args in (
        ["inspect", str(folder / "files"), "--json", "--no-words"],
        ["inspect", str(folder / "files"), "--no-words"],
        ["turns", *vocal, "--json", "--no-words", "--n-resamples", "3"],
        ["turns", *vocal, "--csv", "--no-words", "--n-resamples", "3"],
        ["report", *map(str, files["good"]), "--no-words", "-o", str(report)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), (args, result.output)  # 1: the bad files are listed
        outputs.append(result.output)
    outputs.append(report.read_text(encoding="utf-8"))
    assert not _found("\n".join(outputs))


def _store_text(db) -> str:
    """Every text column of every table of the store, as one string."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND "
            "(data_type = 'VARCHAR' OR data_type LIKE 'ENUM%')"
        ).fetchall()
        parts = [repr(columns)]
        for table, column in columns:
            values = con.execute(
                f'SELECT DISTINCT "{column}"::VARCHAR AS v FROM "{table}" ORDER BY v'
            ).fetchall()
            parts.append(repr(values))
        return "\n".join(parts)
    finally:
        con.close()


def _raw(path) -> str:
    return path.read_bytes().decode("latin-1")


def test_no_canary_in_the_store_its_exports_or_the_corpus_report(canaries):
    folder, _ = canaries
    db, export, report = folder / "private.duckdb", folder / "export", folder / "corpus.html"
    runner = CliRunner()
    outputs = []
    for args in (
        ["ingest", str(folder / "files"), "--db", str(db), "--no-words"],
        ["measure", "--db", str(db)],
        ["report", "--db", str(db), "--no-words", "-o", str(report)],
        ["ingest", "--db", str(db), "--export", str(export)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), (args, result.output)  # 1: the bad files are listed
        outputs.append(result.output)
    stored = _store_text(db)
    assert "overlap" in stored and "not a time in seconds" in stored  # the failures are there
    assert not _found("\n".join(outputs)), _found("\n".join(outputs))
    assert not _found(stored), _found(stored)
    assert not _found(_raw(db)) and not _found(report.read_text(encoding="utf-8"))
    for parquet in sorted(export.glob("*.parquet")):
        frame = pl.read_parquet(parquet)
        text = frame.select(pl.all().cast(pl.String)).write_csv() + repr(frame.columns)
        assert not _found(text + _raw(parquet)), (parquet.name, _found(text))


def test_no_words_on_files_stored_with_words_is_refused_in_one_line(canaries):
    folder, files = canaries
    db = folder / "with_words.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(folder / "files"), "--db", str(db)]).exit_code == 1
    before = _store_text(db)
    assert _found(before)  # stored with words
    result = runner.invoke(app, ["ingest", str(files["good"][0]), "--db", str(db), "--no-words"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "stored with their words" in lines[0] and "new store" in lines[0]
    assert not _found(result.output)
    assert _store_text(db) == before  # nothing changed, nothing claimed as skipped


@pytest.mark.parametrize(
    "name",
    [
        "lena/e20160420_165405_010572.its",
        "chat/vandam-daylong/vandam.cha",
        "elan/example.eaf",
        "rttm/example_metrics.rttm",
        "lena/childproject_lena_its.csv",
    ],
)
def test_privacy_mode_keeps_what_the_measures_use(name):
    """Timing, typed roles and declared codes are all the measures read: turn figures with and
    without words are the same on real files."""
    path = need(REAL / name)
    full, bare = attunement.read(path), attunement.read(path, keep_text=False)
    columns = ["segment_onset", "segment_offset", "speaker_type", "kind", "words"]
    assert bare.segments.select(columns).equals(full.segments.select(columns))
    for rule in ("lena", "window"):
        expected = attunement.turns(full, rule, n_resamples=0).figures()
        assert attunement.turns(bare, rule, n_resamples=0).figures() == expected, rule
