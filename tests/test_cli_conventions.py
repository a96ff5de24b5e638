"""Command-line conventions (issue 13, item 5): --version, help without a command, a worked
example in every command's help, and stores that only `ingest` creates."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import attunement
from attunement.cli import app

ROOT = typer.main.get_command(app)


def _commands(group=ROOT, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if hasattr(command, "commands"):  # a group (typer vendors its own click)
            yield from _commands(command, (*path, name))


COMMANDS = dict(_commands())


def test_version_is_the_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"attunement {attunement.__version__}\n"
    assert attunement.__version__ == version("attunement")


@pytest.mark.parametrize("args", [[], ["simulate"]])
def test_no_command_prints_help_and_exits_0(args):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output and "Commands" in result.output


def test_every_command_is_covered():
    assert {" ".join(p) for p in COMMANDS} >= {
        "inspect", "turns", "sequential", "repair", "synchrony", "score", "stability", "ingest",
        "measure", "report", "serve", "simulate", "simulate session", "simulate population",
        "simulate calibrate", "simulate experiment",
    }  # fmt: skip


@pytest.mark.parametrize("path", [" ".join(p) for p in COMMANDS])
def test_every_help_shows_a_worked_example_that_parses(path):
    words = path.split()
    result = CliRunner().invoke(app, [*words, "--help"])
    assert result.exit_code == 0
    assert f"Example: attunement {path}" in " ".join(result.output.split())
    command = COMMANDS[tuple(words)]
    example = shlex.split(command.epilog.removeprefix("Example: attunement "))
    assert example[: len(words)] == words
    # the example's options and arguments exist: click parses them without running anything
    command.make_context(path, example[len(words) :])


@pytest.mark.parametrize("command", ["measure", "report"])
def test_a_missing_store_is_refused_not_created(tmp_path, command):
    db = tmp_path / "typo.duckdb"
    args = [command, "--db", str(db)] + (["-o", str(tmp_path / "r.html")] * (command == "report"))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: {db}: no such store; create one with `attunement ingest FILES --db {db}`\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_installs_as_a_tool_outside_the_repository(tmp_path):
    """`uv tool install .` (README, Start here) gives a working `attunement` in its own venv."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (make install puts it in .venv/bin)")
    env = {
        **os.environ,
        "UV_TOOL_DIR": str(tmp_path / "tools"),
        "UV_TOOL_BIN_DIR": str(tmp_path / "bin"),
    }
    repo = Path(__file__).resolve().parents[1]
    install = [uv, "tool", "install", "--quiet", str(repo)]
    done = subprocess.run([*install, "--offline"], env=env, capture_output=True, text=True)
    if done.returncode:  # not all in uv's cache: fetch from the index
        done = subprocess.run(install, env=env, capture_output=True, text=True)
    if done.returncode and re.search(r"(?i)network|connect|dns|resolve host|offline", done.stderr):
        pytest.skip(f"offline, and uv's cache lacks a dependency: {done.stderr.strip()[-200:]}")
    assert done.returncode == 0, done.stderr
    tool = tmp_path / "bin" / "attunement"
    ran = subprocess.run([tool, "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert (ran.returncode, ran.stdout) == (0, f"attunement {version('attunement')}\n")
    assert repo not in tool.resolve().parents  # its own environment, not the repository's
