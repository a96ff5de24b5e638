"""`make demo` ends with commands a newcomer can copy: every file they name exists after the
demo, and every one of them runs."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from typer.testing import CliRunner

from attunement import demo
from attunement.cli import app


def test_the_printed_next_commands_name_real_files_and_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    demo.OUT.mkdir()
    rttm = demo.generated_rttm(demo.OUT / "generated_day.rttm", hours=0.2)
    demo.demo_report(rttm, demo.OUT / "report.html")
    lines = demo.next_steps([str(rttm)])
    commands = [shlex.split(line) for line in lines if line.startswith("  ")]
    assert len(commands) == 4
    exe = Path(sys.executable).with_name("attunement")
    assert exe.exists() and {c[0] for c in commands} == {str(exe)}
    opened = lines[-1].removeprefix("Open ").split(" in a browser")[0]
    assert Path(opened) == demo.OUT / "report.html" and Path(opened).is_file()
    for command in commands:
        args = command[1:]
        outputs = {args[i + 1] for i, a in enumerate(args) if a == "-o"}
        named = [a for a in args if "/" in a and a not in outputs]
        assert all(Path(a).exists() for a in named), command
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (command, result.output)
        assert all(Path(o).is_file() for o in outputs)
    assert [c[1] for c in commands] == ["inspect", "turns", "report", "--help"]
