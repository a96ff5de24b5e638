"""A light start: ``attunement --help`` and ``import attunement`` import no numerical, plotting,
storage or web library (they load inside the command that needs them). The test checks which
modules are imported, never the time (``benchmarks/bench_startup.py`` measures that)."""

import subprocess
import sys

import pytest

from attunement.io.registry import formats, readers

HEAVY = (
    "scipy",
    "matplotlib",
    "numba",
    "duckdb",
    "lifelines",
    "dask",
    "distributed",
    "fastapi",
    "uvicorn",
    "pyarrow",
    "polars",
    "numpy",
)
COMMANDS = ("inspect", "turns", "sequential", "repair", "synchrony", "score", "stability")
COMMANDS += ("ingest", "measures", "measure", "report", "serve", "simulate")


def _imported(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``python -X importtime ARGS``; the process and every module it imported."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, timeout=120
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:") and "cumulative" not in line
    }
    return run, modules


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (("-m", "attunement", "--help"), "attunement.cli"),
        (("-c", "import attunement"), "attunement"),
    ],
    ids=["help", "import"],
)
def test_no_heavy_module_is_imported(args, loaded):
    run, modules = _imported(*args)
    assert run.returncode == 0, run.stderr[-2000:]
    assert loaded in modules  # the importtime lines were read
    assert _heavy(modules) == []


def test_help_lists_every_command():
    run, _ = _imported("-m", "attunement", "--help")
    assert run.returncode == 0, run.stderr[-2000:]
    commands = run.stdout.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    assert set(COMMANDS) <= {line.split()[0] for line in commands.splitlines()}, run.stdout


def test_the_public_api_still_loads_on_use():
    code = (
        "import sys, attunement\n"
        "assert 'polars' not in sys.modules\n"
        "from attunement import turns, Recording, synchrony\n"
        "print(turns.__module__, Recording.__name__, synchrony.wcc.__name__)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["attunement.measures.turns", "Recording", "wcc"]


def test_format_names_are_the_reader_modules():
    """The --format help lists ``formats()`` without importing a reader: each reader's FORMAT is
    its module's name."""
    assert list(readers()) == formats()


def test_no_command_help_imports_a_heavy_module():
    """Every command's --help, rendered in one process, leaves the heavy modules unimported."""
    code = (
        "import sys\n"
        "import typer\n"
        "from attunement.cli import app\n"
        "group = typer.main.get_command(app)\n"
        "paths = [[n] for n in group.commands if n != 'simulate']\n"
        "paths += [['simulate', n] for n in group.commands['simulate'].commands]\n"
        "for path in paths:\n"
        "    try:\n"
        "        app([*path, '--help'], prog_name='attunement')\n"
        "    except SystemExit as done:\n"
        "        assert done.code == 0, path\n"
        "print(len(paths), *sorted({m.split('.')[0] for m in sys.modules}))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    count, *loaded = run.stdout.splitlines()[-1].split()
    assert int(count) >= len(COMMANDS) + 3  # simulate's four sub-commands
    assert sorted(set(loaded) & set(HEAVY)) == []
