"""Privacy mode: canary words planted in every text-bearing format never survive
`keep_text=False` / `--no-words`, in memory or in any output."""

import json
import re

import polars as pl
import pytest
from typer.testing import CliRunner

import attunement
from attunement.cli import app
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
