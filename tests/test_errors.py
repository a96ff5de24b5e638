"""One error hierarchy: every exception class derives from AttunementError, no bare ValueError is
raised, and the command line prints an AttunementError as one line with exit status 2."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import attunement
from attunement.cli import app
from attunement.cli import simulate as simulate_cli
from attunement.cli.common import App
from attunement.errors import AttunementError, DataError, ParameterError

SRC = Path(attunement.__file__).parent
runner = CliRunner()


def _modules():
    for info in pkgutil.walk_packages(attunement.__path__, "attunement."):
        if info.name != "attunement.__main__":  # importing it runs the command line
            yield importlib.import_module(info.name)


def test_every_exception_class_is_an_attunement_error():
    defined = {
        f"{module.__name__}.{name}": cls
        for module in _modules()
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Exception)
        and not issubclass(cls, Warning)  # warnings are not errors
        and cls.__module__ == module.__name__
    }
    assert "attunement.roles.RoleMapError" in defined  # the walk reaches every module
    assert "attunement.cli.stability._BadData" in defined
    outside = [name for name, cls in defined.items() if not issubclass(cls, AttunementError)]
    assert outside == []
    assert issubclass(defined["attunement.measures.repair.match_table.MatchTableError"], ValueError)


def test_no_bare_value_error_is_raised():
    raised = [
        f"{path.relative_to(SRC)}:{number}"
        for path in sorted(SRC.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\braise ValueError\b", line)
    ]
    assert raised == []


def _one_error_line(result, message: str) -> None:
    """Exit 2 and one stderr line, ``error: [<family>: ]<message>``."""
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and line.endswith(message), line
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, AttunementError)


def test_cli_bad_parameters_are_one_line_and_exit_2(tmp_path):
    codes = tmp_path / "codes.csv"
    codes.write_text("code\nA\nB\nA\nB\n")
    result = runner.invoke(app, ["sequential", str(codes), "--lag", "0"])
    _one_error_line(result, "lag must be a whole number >= 1, got 0")
    rttm = tmp_path / "x.rttm"
    rttm.write_text("SPEAKER a 1 0.0 1.0 <NA> <NA> KCHI <NA> <NA>\n")
    result = runner.invoke(app, ["turns", str(rttm), "--format", "mp3"])
    _one_error_line(
        result,
        "unknown format 'mp3'; choose one of chat, its, eaf, textgrid, rttm, coded_streams, "
        "table, boris",
    )
    result = runner.invoke(app, ["score", "ecr-x", str(codes)])
    assert result.exit_code == 2 and result.stderr.startswith("error: unknown instrument 'ecr-x'")
    assert len(result.stderr.splitlines()) == 1


def test_cli_subcommands_of_simulate_catch_too(tmp_path):
    out = tmp_path / "s.csv"
    result = runner.invoke(app, ["simulate", "session", "--out", str(out), "--matching", "1.2"])
    _one_error_line(result, "session.matching must lie strictly between 0 and 1, got 1.2")
    assert not out.exists()


def test_every_registered_command_is_wrapped():
    commands = [*app.registered_commands, *simulate_cli.app.registered_commands]
    assert len(commands) >= 15
    unwrapped = [c.name for c in commands if not hasattr(c.callback, "__wrapped__")]
    assert unwrapped == []
    assert isinstance(simulate_cli.app, App) and isinstance(app, App)


def test_a_message_over_several_lines_prints_as_one():
    local = App()
    local.callback()(lambda: None)

    @local.command("fail")
    def fail() -> None:
        raise DataError("3 problem(s) in the Q-sorts:\n  child a: missing\n  child b: twice")

    result = runner.invoke(local, ["fail"])
    _one_error_line(result, "3 problem(s) in the Q-sorts: child a: missing; child b: twice")


def test_an_unknown_format_fails_once_before_any_file_is_read(tmp_path):
    with pytest.raises(ParameterError, match=r"unknown format 'mp3'; choose one of chat, its"):
        attunement.read_batch([tmp_path / "nothing.cha"], format="mp3")
