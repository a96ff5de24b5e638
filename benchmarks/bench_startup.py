"""Start-up, each a fresh process timed end to end (wall clock, best of N): ``attunement --help``,
``python -c "import attunement"`` and ``attunement turns`` on the real 6.3 h LENA day with
``--json``, beside ``child-project --help`` (ChildProject 0.4.6). Targets: help under 0.3 s,
the turns run under 1.5 s.

Two conditions, both sides alike:

- **cached**: Python's bytecode cache exists (any installed package after its first run); the
  cache lives in a temporary ``PYTHONPYCACHEPREFIX`` filled by one untimed run of each command.
- **compiling**: ``PYTHONDONTWRITEBYTECODE=1``, as this project's machine sets for every
  process: the standard library's bytecode is read, but the packages (installed by uv, which does
  not compile them) compile their source on every import. This is what its shells see.

The commands come from this interpreter's ``bin`` folder (``.venv-bench``: attunement installed
editable, ChildProject beside it); without ``child-project`` the peer column stays empty.

Usage: ``python benchmarks/bench_startup.py [--repeats N]`` (writes results/startup.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DATA, RESULTS, machine

BIN = Path(sys.executable).parent
ITS = DATA / "lena" / "e20160420_165405_010572.its"
PEER = "child-project --help"
TARGETS_S = {"attunement --help": 0.3, "attunement turns day.its --json": 1.5}


def commands() -> dict[str, list[str]]:
    """Every timed command line, ours first; the peer only when it is installed."""
    out = {
        "attunement --help": [str(BIN / "attunement"), "--help"],
        "import attunement": [sys.executable, "-c", "import attunement"],
        "attunement turns day.its --json": [str(BIN / "attunement"), "turns", str(ITS), "--json"],
    }
    if (BIN / "child-project").exists():
        out[PEER] = [str(BIN / "child-project"), "--help"]
    return out


def environment(condition: str, prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    if condition == "compiling":
        return env | {"PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env | {"PYTHONPYCACHEPREFIX": prefix}


def wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def measure(condition: str, repeats: int) -> dict[str, list[float]]:
    """Seconds of each run of each command, in alternating rounds after one untimed run."""
    runs: dict[str, list[float]] = {name: [] for name in commands()}
    with tempfile.TemporaryDirectory() as prefix:
        env = environment(condition, prefix)
        for argv in commands().values():
            wall(argv, env)  # warm-up: file system cache, numba's kernel cache, bytecode cache
        for _ in range(repeats):
            for name, argv in commands().items():
                runs[name].append(wall(argv, env))
    return runs


def table(results: dict[str, dict[str, list[float]]]) -> str:
    """One row per command: best time per condition and the ratio to ``child-project --help``."""
    head = ["command"]
    for condition in results:
        head += [condition, f"{PEER} / this"]
    rows = [head]
    for name in commands():
        row = [name]
        for runs in results.values():
            best = min(runs[name])
            peer = min(runs[PEER]) if PEER in runs else None
            row += [f"{best:.3f} s", "" if peer is None or name == PEER else f"{peer / best:.1f}x"]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per command")
    args = parser.parse_args(argv)
    if not ITS.is_file():
        print(f"real data not found at {ITS}; nothing to measure", file=sys.stderr)
        return 1
    env = machine()
    results = {c: measure(c, args.repeats) for c in ("cached", "compiling")}
    print(f"Start-up, wall clock, best of {args.repeats} fresh processes ({env['date']})")
    print(table(results))
    for name, target in TARGETS_S.items():
        best = min(results["cached"][name])
        verdict = "met" if best < target else "NOT met"
        print(f"  {name}: {best:.3f} s cached, target {target:g} s: {verdict}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "startup.json"
    report = {
        "machine": env,
        "repeats": args.repeats,
        "commands": {name: " ".join(argv) for name, argv in commands().items()},
        "best_s": {
            c: {n: round(min(r), 4) for n, r in runs.items()} for c, runs in results.items()
        },
        "runs_s": {
            c: {n: [round(t, 4) for t in r] for n, r in runs.items()} for c, runs in results.items()
        },
        "targets_s": TARGETS_S,
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
