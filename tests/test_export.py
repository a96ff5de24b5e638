"""The tidy export (``attunement export``): one row per unit, catalogue-named figure columns,
a parameters sidecar with the versions, confidential columns only when asked; Brent by session."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from attunement.corpus import ingest, measure
from attunement.measures import definitions
from attunement.measures.registry import family, request
from tests.conftest import REAL, need
from tests.corpus_helpers import corpus_app, query

BRENT = REAL / "chat" / "brent-corpus"
VALID = REAL / "childproject" / "valid_raw_data"
COLUMN = re.compile(r"(?P<prefix>[a-z0-9_]+?)__(?P<figure>[a-z0-9_]+)")


def _brent(where: Path, children: dict[str, list[str]] | None = None) -> Path:
    """Links to Brent sessions in a folder of their own with a children.csv of the folder names
    (the shared corpus is read-only); ``children`` limits it to some sessions."""
    need(BRENT)  # skip, naming the folder, when the shared data is absent
    for child in sorted(children or {d.name: None for d in BRENT.iterdir() if d.is_dir()}):
        sessions = (children or {}).get(child)
        (where / child).mkdir(parents=True)
        for cha in sorted((BRENT / child).glob("*.cha")):
            if sessions is None or cha.stem in sessions:
                (where / child / cha.name).symlink_to(cha)
    names = sorted(p.name for p in where.iterdir() if p.is_dir())
    (where / "children.csv").write_text("child_id\n" + "\n".join(names) + "\n")
    return where


def _header(cha: Path) -> tuple[str, date | None]:
    """The key child's age (the @ID whose role is Child or Target_Child; ``y;m.d`` in days,
    365.25-day years, 30.4375-day months; empty when the transcript has none) and the session's
    ``@Date``, read straight from the transcript."""
    text = cha.read_text(encoding="utf-8")
    found = re.search(
        r"@ID:\t(?:[^|\n]*\|){3}(\d+);(\d+)\.?(\d*)\|(?:[^|\n]*\|){3}\w*Child\|", text
    )
    dated = re.search(r"@Date:\t(\S+)", text)  # one Brent session has none
    day = datetime.strptime(dated.group(1), "%d-%b-%Y").date() if dated else None
    if not found:
        return "", day
    y, m, d = (int(g or 0) for g in found.groups())  # "0;10." has no day part
    return str(round(y * 365.25 + m * 30.4375 + d)), day


def _store(tmp_path: Path, folder: Path, **options) -> Path:
    db = tmp_path / "c.duckdb"
    ingest([folder], db, jobs=1, **options)
    measure(str(db), [request("turns:n_resamples=0")], jobs=1)
    return db


SMALL = {"c1": ["c1-0902", "c1-1207"], "f1": ["f1-1106"], "i1": ["i1-0901", "i1-1508"]}


@pytest.mark.slow  # a store, measured turns (and, for the whole corpus, 179 sessions)
@pytest.mark.parametrize("chosen", [SMALL, None], ids=["five-sessions", "whole-corpus"])
def test_brent_sessions_by_child_with_ages_from_the_chat_headers(tmp_path, chosen):
    folder = _brent(tmp_path / "brent", chosen)
    db = _store(tmp_path, folder, keep_text=False)
    out = tmp_path / "brent.csv"
    result = CliRunner().invoke(
        corpus_app(), ["export", "--db", str(db), "--per", "recording", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    sessions = sorted(p.relative_to(folder).as_posix() for p in folder.glob("*/*.cha"))
    assert [(r["child_id"], r["recording_id"]) for r in rows] == [
        (s.split("/")[0], s) for s in sessions
    ]
    assert len(rows) == (5 if chosen else 179)
    assert sum(not r["age_days"] for r in rows) == (0 if chosen else 43)  # no @ID for the child
    for row in rows:
        age, day = _header(BRENT / row["recording_id"])
        assert row["age_days"] == age and row["date"] == (day.isoformat() if day else "")
    turns = family("turns")
    figures = [c for c in rows[0] if "__" in c]
    assert {COLUMN.fullmatch(c).group("prefix") for c in figures} == {"turns_lena"}
    assert {COLUMN.fullmatch(c).group("figure") for c in figures} == {
        *(f.name for f in turns.scalars),
        "status",
    }
    stored = dict(query(db, "SELECT recording_id, turns_per_hour FROM turns"))
    by_stem = {Path(r["recording_id"]).stem: r for r in rows}
    for rid, value in stored.items():
        assert float(by_stem[rid]["turns_lena__turns_per_hour"]) == pytest.approx(value)
        row = by_stem[rid]
        hours = float(row["hours"])
        assert hours == pytest.approx(float(row["turns_lena__recorded_s"]) / 3600)
        assert int(row["turns_lena__turns"]) / hours == pytest.approx(value, abs=1e-3)
    side = json.loads(out.with_suffix(".parameters.json").read_text())
    assert side["definitions_version"] == definitions.VERSION
    assert side["attunement_version"] == __import__("attunement").__version__
    assert side["columns"]["turns_lena__turns"]["parameters"]["rule"] == "lena"
    assert side["columns"]["turns_lena__turns"]["parameters"]["n_resamples"] == 0
    assert side["columns"]["turns_lena__turns"]["definition"] == turns.figure("turns").definition


@pytest.mark.slow  # a store and measured turns
def test_parquet_types_and_schema_metadata_and_other_units(tmp_path):
    folder = _brent(tmp_path / "brent", SMALL)
    db = _store(tmp_path, folder)
    app = corpus_app()
    for per in ("recording", "child", "hour"):
        out = tmp_path / f"{per}.parquet"
        result = CliRunner().invoke(app, ["export", "--db", str(db), "--per", per, str(out)])
        assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "recording.parquet")
    schema = table.schema
    assert schema.field("age_days").type == pa.int64()
    assert schema.field("date").type == pa.date32()
    assert schema.field("hours").type == pa.float64()
    assert schema.field("turns_lena__turns").type == pa.int64()
    assert schema.field("turns_lena__turns_per_hour").type == pa.float64()
    meta = json.loads(schema.metadata[b"attunement"])
    assert meta["per"] == "recording" and meta["definitions_version"] == definitions.VERSION
    # the README's R snippet names only columns the export has
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```r\n(.*?)```", readme, re.S).group(1)
    named = set(re.findall(r"\b(?:[a-z0-9]+_)*[a-z0-9]+__[a-z0-9_]+\b", snippet))
    named |= {w for w in ("age_days", "child_id") if w in snippet}
    assert named and named <= set(schema.names), named - set(schema.names)
    sessions = table.to_pylist()
    # per child: hours summed; a rate per hour is the pooled rate (all turns over all hours)
    children = pq.read_table(tmp_path / "child.parquet").to_pylist()
    assert [c["child_id"] for c in children] == ["c1", "f1", "i1"]
    for child in children:
        mine = [s for s in sessions if s["child_id"] == child["child_id"]]
        assert child["recordings"] == len(mine)
        assert child["hours"] == pytest.approx(sum(s["hours"] for s in mine))
        pooled = sum(s["turns_lena__turns"] for s in mine) / sum(s["hours"] for s in mine)
        assert child["turns_lena__turns_per_hour"] == pytest.approx(pooled, rel=1e-4)
        assert "turns_lena__chance_p" not in child  # a mean of p-values means nothing
    # per hour: the hours and turns of a session add up to the session's
    hours = pq.read_table(tmp_path / "hour.parquet").to_pylist()
    for s in sessions:
        mine = [h for h in hours if h["recording_id"] == s["recording_id"]]
        assert sum(h["hours"] for h in mine) == pytest.approx(s["hours"])
        assert sum(h["turns_lena__turns"] for h in mine) == s["turns_lena__turns"]


def test_confidential_columns_are_left_out_unless_asked_and_no_words_holds(tmp_path):
    root = need(VALID)
    app = corpus_app()
    for words in (True, False):
        db = tmp_path / f"words{words}.duckdb"
        args = ["ingest", str(root), "--db", str(db), "--jobs", "1"]
        assert CliRunner().invoke(app, args + ([] if words else ["--no-words"])).exit_code == 0
        plain, secret = tmp_path / f"p{words}.csv", tmp_path / f"s{words}.csv"
        assert CliRunner().invoke(app, ["export", "--db", str(db), str(plain)]).exit_code == 0
        asked = ["export", "--db", str(db), str(secret), "--confidential"]
        assert CliRunner().invoke(app, asked).exit_code == 0
        rows = list(csv.DictReader(plain.open()))
        # date_iso and notes are in metadata/recordings/*.csv: confidential
        assert {r["date"] for r in rows} == {""}
        assert not any("notes" in c for c in rows[0])
        assert "VERY confidential" not in plain.read_text()
        assert {r["age_days"] for r in rows} == {"110", "111"}
        shown = {r["recording_id"]: r for r in csv.DictReader(secret.open())}
        assert shown["sound.wav"]["date"] == "2020-04-20"
        # privacy mode keeps no free text in the store: the notes are gone even when asked
        assert ("VERY confidential" in secret.read_text()) is words
        side = json.loads(plain.with_suffix(".parameters.json").read_text())
        assert any("date_iso, notes" in note for note in side["notes"])
