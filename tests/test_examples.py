"""The scripts in examples/ that produce README tables, run on small inputs: every table row and
result line they print must stand in README.md as printed, so the README cannot drift."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import pytest

from tests.conftest import REAL, need

ROOT = Path(__file__).resolve().parents[1]
README = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
BRENT = REAL / "chat" / "brent-corpus"
# every session with >= 20 child vocal units at 8, 12 and 15 months: those months' rows are whole
MONTHS_8_12_15 = [
    "v1/v1-0828",
    *("c1/c1-1207", "c1/c1-1217", "v1/v1-1221"),
    *("c1/c1-1504", "i1/i1-1508", "s1/s1-1500", "w3/w3-1512"),
]


def _run(script: str, argv: list[str], capsys) -> list[str]:
    spec = importlib.util.spec_from_file_location(f"example_{script}", ROOT / "examples" / script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(argv)
    return [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]


def _in_readme(lines: list[str], *prefixes: str) -> list[str]:
    """Every printed table line (and line starting with one of ``prefixes``) must be in README;
    returns them without table headers and separators."""
    checked = [line for line in lines if line.startswith(("|", *prefixes))]
    missing = [line for line in checked if line not in README]
    assert not missing, "printed but not in README.md:\n" + "\n".join(missing)
    headers = {a for a, b in itertools.pairwise(lines) if b.startswith("|---")}
    return [line for line in checked if not line.startswith("|---") and line not in headers]


def test_compare_rules(capsys):
    need(REAL / "lena" / "e20160420_165405_010572.its")
    argv = [str(REAL), "--only", "LENA .its", "--only", "CHAT", "--only", "ELAN"]
    rows = _in_readme(_run("compare_rules.py", argv, capsys))
    assert [r.split(" | ")[0] for r in rows] == [
        "| LENA .its, 6.3 h, 4-month-old",
        "| CHAT, Brent f1, 75 min, 11 months",
        "| ELAN ACLEW, 5 min",
    ]
    assert rows[0].startswith("| LENA .its, 6.3 h, 4-month-old | 370 = 59/h")  # LENA's own CTC


def test_brent_turns_by_age(capsys, tmp_path):
    files = [str(need(BRENT / f"{name}.cha")) for name in MONTHS_8_12_15]
    lines = _run("brent_turns_by_age.py", [*files, "--out", str(tmp_path / "p.png")], capsys)
    assert [r.split(" | ")[0] for r in _in_readme(lines)] == ["| 8", "| 12", "| 15"]
    assert (tmp_path / "p.png").is_file()


@pytest.mark.slow  # a store and a process pool
def test_brent_corpus(capsys, tmp_path):
    files = [str(need(BRENT / f"{name}.cha")) for name in MONTHS_8_12_15]
    argv = [*files, "--db", str(tmp_path / "b.duckdb"), "--out", str(tmp_path / "p.png")]
    rows = _in_readme(_run("brent_corpus.py", argv, capsys))
    assert [r.split(" | ")[0] for r in rows] == ["| 8", "| 12", "| 15"]


def test_sequential_real_data(capsys):
    need(REAL / "connect" / "AttachmentData.csv")
    need(BRENT / "j1")
    lines = _run("sequential_real_data.py", [str(REAL), "--children", "j1,v2"], capsys)
    rows = _in_readme(lines, "- ", "Lag 1 over")
    assert sum(r.startswith("| C") or r.startswith("| M") for r in rows) == 5  # the code pairs
    assert [r.split(" | ")[0] for r in rows if r.startswith(("| j", "| v"))] == ["| j1", "| v2"]
    assert sum(r.startswith("- ") for r in rows) == 4  # lag-1 cells beyond 1.96


def test_repair_real_data(capsys, tmp_path):
    need(REAL / "connect" / "AttachmentData.csv")
    argv = [str(REAL), "--plot", str(tmp_path / "grid.png")]
    lines = _run("repair_real_data.py", argv, capsys)
    rows = _in_readme(lines, "Categorical cross-recurrence", "Both negative")
    # repair rows, neutral rules, two match tables and their neg-neg line, grid, recurrence line
    assert len(rows) == 7 + 3 + 4 + 1 + 7 + 1
    assert (tmp_path / "grid.png").is_file()
