"""The measure contract: a family registered in one place appears in every face.

A toy family (the key child's share of vocal time, computed by hand below) is registered with
``measures.registry.register`` and nothing else: it must show up in ``attunement measures``, be
measured by ``attunement measure --db`` (in worker processes too) into a table named after it
with a column named after its figure, and get its numbers in the report under its label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import polars as pl
import pytest
from typer.testing import CliRunner

from attunement.cli import app
from attunement.corpus import ingest
from attunement.errors import DataError, ParameterError
from attunement.io import read_file
from attunement.measures.base import META, Result
from attunement.measures.figures import Figure
from attunement.measures.params import Param, validate
from attunement.measures.registry import (
    Family,
    families,
    register,
    request,
    run_all,
    unregister,
)
from attunement.report.build import recording_report
from attunement.report.html import esc
from tests.corpus_helpers import make_days, query
from tests.report_helpers import still_face_dyad

LABEL = "the child's share of vocal time"


@dataclass
class ToyResult(Result):
    family: ClassVar[str] = "toy"

    path: str
    recording_id: str
    parameters: dict[str, Any]
    source: str
    definition: str
    child_share: float
    warnings: list[str] = field(default_factory=list)


def run_toy(recording, *, min_s: float) -> ToyResult:
    seg = recording.segments.filter(
        (pl.col("kind").cast(pl.String) == "vocal")
        & ((pl.col("segment_offset") - pl.col("segment_onset")) >= min_s * 1000)
    )
    seconds = (seg["segment_offset"] - seg["segment_onset"]).cast(pl.Float64)
    if not seg.height:
        raise DataError("no vocal segments")
    child = seconds.filter(seg["speaker_type"].cast(pl.String) == "CHI").sum()
    return ToyResult(
        recording.path,
        recording.id,
        {"min_s": min_s},
        "this test",
        "child vocal time / all vocal time",
        child / seconds.sum(),
    )


TOY = Family(
    name="toy",
    title="Toy share",
    summary="the key child's share of vocal time",
    input="recording",
    parameters=(Param("min_s", "seconds", 0.0, "Shortest segment counted."),),
    figures=(Figure("child_share", "share", LABEL, "Child vocal time / all vocal time."),),
    runner=run_toy,
)


def by_hand(path, min_s=0.0) -> float:
    frame = pl.read_csv(path).filter(
        (pl.col("kind") == "vocal")
        & ((pl.col("segment_offset") - pl.col("segment_onset")) >= min_s * 1000)
    )
    length = frame["segment_offset"] - frame["segment_onset"]
    return length.filter(frame["speaker_type"] == "CHI").sum() / length.sum()


@pytest.fixture
def toy():
    register(TOY)
    yield TOY
    unregister("toy")


def test_toy_family_is_listed_with_its_parameters_and_figures(toy):
    result = CliRunner().invoke(app, ["measures", "--json"])
    assert result.exit_code == 0, result.output
    listed = {f["family"]: f for f in json.loads(result.stdout)}
    assert listed["toy"]["figures"] == [
        {
            "name": "child_share",
            "unit": "share",
            "label": LABEL,
            "definition": "Child vocal time / all vocal time.",
            "source": "",
            "shape": "scalar",
        }
    ]
    assert listed["toy"]["parameters"][0]["name"] == "min_s"
    assert {"turns", "sequential", "repair", "grid"} <= set(listed)


def test_toy_family_is_measured_into_the_store_by_worker_processes(toy, tmp_path):
    folder = tmp_path / "files"
    paths = make_days(folder, 2)
    db = tmp_path / "c.duckdb"
    ingest([folder], db, jobs=1)
    result = CliRunner().invoke(app, ["measure", "toy:min_s=0.5", "--db", str(db), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    rows = query(db, "SELECT recording_id, status, child_share FROM toy ORDER BY 1")
    assert [(r, s) for r, s, _ in rows] == [("day000", "measured"), ("day001", "measured")]
    for (_, _, share), path in zip(rows, paths, strict=True):
        assert share == pytest.approx(by_hand(path, 0.5))
    # the default run measures every recording family, the toy one included
    everything = CliRunner().invoke(app, ["measure", "--db", str(db), "--jobs", "1"])
    assert everything.exit_code == 0, everything.output
    assert query(db, "SELECT count(*) FROM toy") == [(4,)]  # min_s 0 is a new configuration


def test_toy_family_numbers_are_in_the_report_under_its_label(toy, tmp_path):
    (path,) = make_days(tmp_path, 1)
    text = recording_report(read_file(path)[0], common={"n_resamples": 0})
    shown = toy.figure("child_share").display(by_hand(path))
    assert f'<td>{esc(LABEL)}</td><td class="num">{shown}</td><td>child_share</td>' in text


def test_every_recording_family_reports_exactly_its_catalogue_in_its_types(tmp_path):
    """On a generated day and on the hand-coded Still-Face dyad, every recording family's
    ``figures()`` has exactly the catalogue's scalar names with the catalogue's types, and its
    ``to_dict()`` has nothing else than the base's metadata, key parameters and figures."""
    (path,) = make_days(tmp_path, 1)
    recordings = [read_file(path)[0], still_face_dyad().recording]
    seen = set()
    for rec in recordings:
        for outcome in run_all(rec, {"repair": {"match_table": "auto"}}, common={"n_resamples": 3}):
            if outcome.result is None:
                continue
            seen.add(outcome.family.name)
            spec, values = outcome.family, outcome.result.figures()
            assert list(values) == [f.name for f in spec.scalars], spec.name
            for f in spec.scalars:
                value = values[f.name]
                kinds = {"int": int, "float": (int, float), "str": str}[f.dtype]
                assert value is None or isinstance(value, kinds), (spec.name, f.name, value)
            allowed = {*META, *spec.key_parameters, *(f.name for f in spec.figures)}
            assert set(outcome.result.to_dict()) <= allowed, spec.name
            json.dumps(outcome.result.to_dict())  # JSON-ready
    assert seen == {f.name for f in families("recording")} - {"toy"}


def test_one_validator_one_wording():
    params = (
        Param("window_s", "seconds", 5.0, "w"),
        Param("n_resamples", "count", 100, "n", cap=10_000),
        Param("seed", "seed", 0, "s"),
        Param("rule", "option", "lena", "r", ("lena", "window")),
    )
    assert validate(params, {}, "x") == {
        "window_s": 5.0,
        "n_resamples": 100,
        "seed": 0,
        "rule": "lena",
    }
    cases = {
        "window_s": (-1, "x: window_s must be a number of seconds >= 0, got -1"),
        "n_resamples": (-5, "x: n_resamples must be a whole number >= 0, got -5"),
        "seed": (1.5, "x: seed must be a whole number from 0 to 2**63 - 1, got 1.5"),
        "rule": ("nope", "x: rule must be one of lena, window, got 'nope'"),
    }
    for name, (value, message) in cases.items():
        with pytest.raises(ParameterError) as caught:
            validate(params, {name: value}, "x")
        assert str(caught.value) == message
    with pytest.raises(ParameterError, match="above the default cap of 10,000"):
        validate(params, {"n_resamples": 10**8}, "x")
    assert validate(params, {"n_resamples": 10**8}, "x", allow_large=True)["n_resamples"] == 10**8
    with pytest.raises(ParameterError, match="unknown parameter chance; its parameters are"):
        validate(params, {"chance": 3}, "x")
    for inf in (float("inf"), float("nan")):
        with pytest.raises(ParameterError):
            validate(params, {"window_s": inf}, "x")


def test_spec_strings_parse_by_kind():
    family, config = request("turns:rule=window,window_s=1.5,n_resamples=0,partners=FEM|MAL")
    assert family.name == "turns"
    assert (config["rule"], config["window_s"], config["n_resamples"]) == ("window", 1.5, 0)
    assert config["partners"] == ("FEM", "MAL")
    with pytest.raises(ParameterError, match="turns: unknown parameter chance"):
        request("turns:chance=3")
    with pytest.raises(ParameterError, match="unknown measure family 'turn'"):
        request("turn")
