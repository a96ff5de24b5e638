"""Reports are safe to open and to share: self-contained (no URL outside the page, no script),
every value from data escaped, no transcript word with --no-words, and no diagnostic or
alarming word in any coach sentence."""

from __future__ import annotations

import json
import re
from importlib import resources

import polars as pl
import pytest
from typer.testing import CliRunner

from attunement.report.build import recording_report, scores_report
from attunement.report.coach import load_templates
from tests.conftest import REAL, need
from tests.report_helpers import DENYLIST, Page, external_references, report_app, still_face_dyad

CANARY = "Zebrafinch"


def _evil_csv(tmp_path):
    path = tmp_path / "<script>alert(1).csv"  # "/" cannot be in a file name
    evil = "<script>alert('id')</script>"
    pl.DataFrame(
        {
            "segment_onset": [0, 1500, 4000, 5200],
            "segment_offset": [1000, 2500, 5000, 6000],
            "speaker_type": ["CHI", "FEM", "CHI", "FEM"],
            "speaker_id": ["KCHI", evil, "KCHI", evil],
        }
    ).write_csv(path)
    return path


def test_offline_no_external_url_no_script(tmp_path):
    result = CliRunner().invoke(
        report_app(), ["report", str(_evil_csv(tmp_path)), "-o", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    page = Page(text)
    assert page.count("svg") == 3  # timeline, turns per hour, latency
    assert page.count("script") == 0 and page.count("link") == 0 and page.count("img") == 0
    assert page.count("iframe") == 0 and page.count("object") == 0
    assert external_references(text) == []
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I)
    assert "@import" not in text and "@font-face" not in text
    # internal references point at ids that exist in the page
    ids = {a["id"] for _, a in page.tags if "id" in a}
    refs = {v[1:] for _, a in page.tags for k, v in a.items() if k in ("href", "xlink:href") and v}
    assert refs and refs <= ids
    assert len(ids) == sum(1 for _, a in page.tags if "id" in a)  # no id used twice


def test_values_from_data_are_escaped(tmp_path):
    text = recording_report(_read(_evil_csv(tmp_path)), common={"n_resamples": 0})
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(1)" in text  # file name and recording id
    assert "&lt;script&gt;alert(&#x27;id&#x27;)&lt;/script&gt;" in text  # speaker id in a table


def _read(path):
    from attunement.io import read

    return read(path)


def _canary_chat(tmp_path):
    text = need(REAL / "chat/vandam-daylong/vandam.cha").read_text(encoding="utf-8")
    lines = [
        line.replace("\t", f"\t{CANARY} ", 1) if line.startswith("*MOT:") else line
        for line in text.splitlines()
    ]
    path = tmp_path / "canary.cha"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("no_words", [False, True])
def test_no_words_leaves_no_transcript_text(tmp_path, no_words):
    path = _canary_chat(tmp_path)
    out = tmp_path / "r.html"
    args = ["report", str(path), "-o", str(out), "--n-resamples", "0"]
    result = CliRunner().invoke(report_app(), args + (["--no-words"] if no_words else []))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    # 7 MOT lines carry the canary; with words they are listed in the transcript excerpt
    assert text.count(CANARY) == (0 if no_words else 7)


def test_coach_templates_and_coach_sections_use_no_alarming_word(tmp_path):
    raw = resources.files("attunement.report").joinpath("coach_templates.json").read_text("utf-8")
    templates = json.loads(raw)
    words = " ".join(
        [templates["title"], templates["intro"]]
        + [s["text"] for kind in ("recording", "corpus", "scores") for s in templates[kind]]
    ).lower()
    assert len(load_templates()["recording"]) == 12
    scores = tmp_path / "scores.csv"
    pl.DataFrame({"anxiety": [1.0, 4.5, 2.0], "avoidance": [5.0, 1.5, None]}).write_csv(scores)
    coach = [
        Page(recording_report(still_face_dyad().recording)).coach_text,
        Page(recording_report(_read(_canary_chat(tmp_path)), common={"n_resamples": 0})).coach_text,
        Page(scores_report(scores)).coach_text,
    ]
    assert all(len(c) > 200 for c in coach)
    for text in [words, *(c.lower() for c in coach)]:
        assert [w for w in DENYLIST if w in text] == []
