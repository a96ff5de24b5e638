"""Hostile inputs (issues 19 and 20): every reader and ``turns`` end each one with a clean error
or a result, within 10 s and 1.5 GiB; from the command line every failure is one line and the
good files named with them are still read.

The files come from ``tests/hostile.py``; the work runs in child processes with an address-space
limit (``RLIMIT_AS``) and a timeout, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attunement.cli import app
from tests import hostile
from tests.coded_examples import STILL_FACE_ICEP_R
from tests.conftest import REAL
from tests.test_textgrid import long_format, short_format

MEMORY = int(1.5 * 2**30)
SECONDS = 10  # per file, once the child has imported the package
runner = CliRunner()

# name -> words the error must hold (None: a result is fine, or a clean error)
EXPECTED = {
    "bullets.cha": "max_span_days",
    "xmax.TextGrid": "max_span_days",
    "onset_1e30.rttm": "max_span_days",
    "onset_9e15.rttm": "max_span_days",
    "onset_1e12.rttm": "max_span_days",
    "ids.rttm": "max_recordings",
    "observations.csv": "max_recordings",
    "codes.sds": "max_codes",
    "time_1e30.eaf": "max_span_days",
    "huge_time.its": "max_span_days",
    "deep.its": "max_xml_depth",
    "deep.eaf": "max_xml_depth",
    "xxe.its": "refused",
    "utf16_nobom.cha": "UTF-16 text without a byte-order mark",
    "utf16_nobom.TextGrid": "UTF-16 text without a byte-order mark",
    "nul_late.cha": "NUL byte",
    "nul_late.rttm": "NUL byte",
    "nul_late.csv": "NUL byte",
    "truncated.TextGrid": "truncated",
    "list_times.parquet": "not milliseconds",
    "fifo.cha": "named pipe",
    "folder.its": "folder",
    "loop.cha": "symbolic links",
    "unreadable.cha": "Permission denied",
}

CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
import attunement
from attunement.errors import DataError, ParameterError, ReadError
from attunement.io import sdis


def work(path):
    if path == "api-span":  # a Recording built in memory, 32,000 years long
        from attunement import segments as seg
        from attunement.recording import Recording

        big = 10**15
        frame = seg.build({"segment_onset": [0, big - 10], "segment_offset": [10, big],
                           "speaker_type": ["CHI", "FEM"], "speaker_id": ["a", "b"],
                           "kind": ["vocal", "vocal"]})
        return attunement.turns(Recording("x", "x", "table", frame))
    if path.endswith(".sds"):
        return attunement.sequential(sdis.load(path).sequences())
    found = attunement.read(path)
    for rec in found if isinstance(found, list) else [found]:
        attunement.turns(rec)


for path in sys.argv[1:]:
    start = time.perf_counter()
    try:
        work(path)
        outcome, message = "result", ""
    except (ReadError, DataError, ParameterError) as exc:
        outcome, message = type(exc).__name__, str(exc)
    except BaseException as exc:  # what the test is here to catch
        outcome, message = "other " + type(exc).__name__, str(exc)[:300]
    print(json.dumps([path, outcome, message, time.perf_counter() - start]), flush=True)
""".replace("MEMORY", str(MEMORY))


# glibc reserves 64 MB of address space per thread arena: with the reading threads, polars' and
# numba's, the reservations alone can reach the limit (then numba cannot load its library)
ENV = {**os.environ, "MALLOC_ARENA_MAX": "2"}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return hostile.write(tmp_path_factory.mktemp("hostile"))


def _readable_as_unreadable(path: Path) -> bool:
    """chmod 000 does not stop root: the file then reads like any other."""
    return os.access(path, os.R_OK)


def test_every_hostile_file_ends_cleanly_in_time_and_memory(corpus):
    paths = [str(p) for p in corpus.values()] + ["api-span"]
    run = subprocess.run(
        [sys.executable, "-c", CHILD, *paths], capture_output=True, text=True, timeout=300, env=ENV
    )
    outcomes = {
        Path(p).name: (kind, msg, s) for p, kind, msg, s in map(json.loads, run.stdout.splitlines())
    }
    assert len(outcomes) == len(paths), f"the child stopped early:\n{run.stderr[-3000:]}"
    for name, (kind, message, seconds) in outcomes.items():
        assert not kind.startswith("other"), (name, kind, message)
        assert seconds < SECONDS, (name, seconds)
        if name == "api-span":
            assert kind == "DataError" and "max_span_days" in message, message
        elif name == "unreadable.cha" and _readable_as_unreadable(corpus[name]):
            assert kind == "result"
        else:
            assert kind != "result" and EXPECTED[name] in message, (name, kind, message)
    assert set(outcomes) == set(EXPECTED) | {"api-span"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "attunement", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
        preexec_fn=_limit_memory,
    )


@pytest.mark.parametrize("command", ["inspect", "turns"])
def test_cli_lists_each_hostile_file_in_one_line_and_reads_the_good_ones(corpus, command, tmp_path):
    good = tmp_path / "good.cha"
    good.write_text(hostile._chat("*CHI:\t&=babble .\x150_500\x15\n*MOT:\thi .\x15900_1500\x15\n"))
    bad = [
        p for p in corpus.values() if p.name != "unreadable.cha" or not _readable_as_unreadable(p)
    ]
    run = _cli(command, str(bad[0]), str(good), *map(str, bad[1:]), "--json")
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    read = json.loads(run.stdout)
    assert [r.get("recording_id", r.get("id")) for r in read] == ["good"]
    lines = run.stderr.splitlines()
    for path in bad:  # SDIS is no recording format: inspect and turns do not read it
        expected = "unrecognised format" if path.suffix == ".sds" else EXPECTED[path.name]
        [line] = [x for x in lines if x.strip().startswith(f"{path}:")]
        assert expected in line, line


def test_inspect_json_parses_when_praatio_would_print(tmp_path):
    grid = tmp_path / "past_xmax.TextGrid"
    grid.write_text(long_format(5, [("CHI", [(0, 1, "a"), (1, 8, "b")], True)]))
    result = runner.invoke(app, ["inspect", str(grid), "--json"])
    assert result.exit_code == 0, result.output
    [summary] = json.loads(result.stdout)
    assert summary["duration_s"] == 8.0
    assert any(
        "Maximum timestamp in Textgrid changed from (5.0) to (8.0)" in w
        for w in summary["warnings"]
    )


def test_inspect_json_is_json_for_the_whole_test_corpus(corpus, tmp_path):
    """Every real file, the hostile ones and TextGrids that make praatio talk, in one process
    (a print below Python's sys.stdout would show here, not under CliRunner)."""
    grids = []
    for i, layout in enumerate([long_format, short_format]):
        grids.append(tmp_path / f"past_xmax_{i}.TextGrid")
        grids[-1].write_text(layout(5, [("CHI", [(0, 1, "a"), (1, 8, "b")], True)]))
    real = [str(REAL)] if REAL.exists() else []
    run = _cli("inspect", "--json", *real, *map(str, grids), *map(str, corpus.values()))
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-3000:]
    ids = [r["id"] for r in json.loads(run.stdout)]
    assert {"past_xmax_0", "past_xmax_1"} <= set(ids)
    # the real folder holds 194 recordings; ChildProject's example dataset among them is read as
    # one dataset (the 2 recordings of its index), not file by file
    assert len(ids) > 190 or not real
    assert not real or {"sound@vtc_present", "sound2@vtc_present"} <= set(ids)


@pytest.mark.parametrize("layout", [long_format, short_format])
def test_a_truncated_textgrid_never_loses_a_tier_silently(tmp_path, layout):
    from attunement.errors import ReadError
    from attunement.io import read_file

    tiers = [("CHI", [(0, 1, "a"), (2, 3, "b")], True), ("MOT", [(1, 2, "c")], True)]
    tiers.append(("FAT", [(5, 6, "e")], True))
    data = layout(10, tiers).encode()
    path = tmp_path / "cut.TextGrid"
    read = 0
    for cut in range(1, len(data) + 1):
        path.write_bytes(data[:cut])
        try:
            (rec,) = read_file(path)
        except ReadError:
            continue
        read += 1
        assert set(rec.segments["speaker_id"]) == {"CHI", "MOT", "FAT"}, cut
    assert read >= 1  # the whole file, at least


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path):
    levels = ["&a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    levels += [
        f"&{b} [" + ",".join([f"*{a}"] * 9) + "]"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    bomb = tmp_path / "roles.yaml"
    bomb.write_text("Mother: [" + ", ".join(levels) + "]\n")  # 315 bytes, 9**9 strings
    code = "from attunement import roles; roles.load(__import__('sys').argv[1])"
    run = subprocess.run(
        [sys.executable, "-c", code, str(bomb)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
    )
    assert "RoleMapError" in run.stderr and "aliases (*name) are not allowed" in run.stderr
    assert "MemoryError" not in run.stderr


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "a.cha").write_text(hostile._chat("*CHI:\t&=babble .\x150_500\x15\n"))
    (folder / "e.sds").write_text("Event a b c;\na b c a b /\n")
    (folder / "sig.txt").write_text("a b\n" + "".join(f"{i % 7} {i % 5}\n" for i in range(400)))
    (folder / "dyad.csv").write_text(STILL_FACE_ICEP_R)
    names = {"cha": "a.cha", "sds": "e.sds", "sig": "sig.txt", "dyad": "dyad.csv"}
    return {key: str(folder / name) for key, name in names.items()} | {"dir": str(folder)}


BAD_NUMBERS = [
    ("turns {cha} --n-resamples 100000000", "above the default cap of 10,000"),
    ("turns {cha} --n-resamples -5", "n_resamples must be a whole number >= 0, got -5"),
    ("turns {cha} --seed 9223372036854775808", "seed must be a whole number from 0 to 2**63 - 1"),
    ("turns {cha} --window-s inf", "window_s must be a number of seconds >= 0, got inf"),
    ("turns {cha} --rule window --window-s 1e308", "window_s must be at most 1e+09"),
    ("sequential {sds} --lag 1000000", "lag 1000000 is not shorter than the longest sequence"),
    ("sequential {sds} --n-resamples -1", "n_resamples must be a whole number >= 0"),
    (
        "synchrony {sig} --rate 1e308 --lag-s 2 --window-s 30 --step-s 15",
        "rate_hz must be at most 1e+06",
    ),
    ("repair {dyad} --min-mismatch-s inf", "min_mismatch_s must be a number of seconds"),
    ("simulate population --out {dir}/p.parquet --children 1000000000000", "default cap"),
    ("simulate population --out {dir}/p.parquet --years 1e308", "years must be a number > 0"),
    ("simulate generations --out {dir}/g.parquet --families 1000000000000", "default cap"),
    ("simulate experiment rhythm --children 1000000000000", "above the default cap of 1e+06"),
    ("simulate experiment power --children 1000000000000 --out {dir}", "default cap"),
    ("simulate session --out {dir}/s.csv --minutes inf", "minutes must be > 0 and <= 44640"),
    ("simulate session --out {dir}/s.csv --repair-hazard inf", "must be a finite number > 0"),
    ("ingest {cha} --db {dir}/x.duckdb --jobs 1000", "jobs must be a whole number from 1 to"),
    ("ingest {cha} --db {dir}/x.duckdb --jobs 0", "jobs must be a whole number from 1 to"),
    ("measure turns --db {dir}/x.duckdb --jobs 1000", "jobs must be a whole number from 1 to"),
    ("--max-span-days inf inspect {cha}", "max_span_days must be a number > 0"),
    ("--max-recordings 0 inspect {cha}", "max_recordings must be a whole number > 0"),
]


@pytest.mark.parametrize(("args", "message"), BAD_NUMBERS)
def test_numbers_out_of_range_are_one_line_exit_2_before_any_work(inputs, args, message):
    result = runner.invoke(app, args.format(**inputs).split())
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and message in line, line
    assert "Traceback" not in result.output
    assert not Path(inputs["dir"], "x.duckdb").exists()


def test_a_raised_limit_reads_what_the_default_refuses(tmp_path):
    week = tmp_path / "week.rttm"
    week.write_text(
        "SPEAKER w 1 0 1 <NA> <NA> KCHI 1 <NA>\nSPEAKER w 1 3000000 2 <NA> <NA> FEM 1 <NA>\n"
    )
    refused = runner.invoke(app, ["inspect", str(week)])
    assert refused.exit_code == 1 and "--max-span-days" in refused.stderr
    assert f"{week}:2: onset 3000000 s at 34.72 days" in refused.stderr
    raised = runner.invoke(app, ["--max-span-days", "40", "inspect", str(week), "--json"])
    assert raised.exit_code == 0, raised.output
    assert json.loads(raised.stdout)[0]["duration_s"] == 3_000_002
