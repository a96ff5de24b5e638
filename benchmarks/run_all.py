"""Run every benchmark, print the side-by-side table and write ``benchmarks/results/*.json``.

Usage: ``python benchmarks/run_all.py [--quick] [--repeats N]`` inside ``.venv-bench``
(``make bench`` does it). Speed is measured and reported here, never asserted in the tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import bench_read
import bench_turns
from _common import DATA, RESULTS, machine, table

HERE = Path(__file__).resolve().parent
SEPARATE = (  # own output
    "bench_synchrony.py",
    "bench_attachment.py",
    "bench_startup.py",
    "bench_agree.py",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 timed runs instead of 7")
    parser.add_argument("--repeats", type=int, help="timed runs per side (overrides --quick)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    if not DATA.is_dir():
        print(f"real data not found at {DATA}; nothing to measure", file=sys.stderr)
        return 1

    env = machine()
    print(f"{env['date']}  {env['cpu']}, {env['cores']} cores, Python {env['python']}")
    print("  ".join(f"{k} {v}" for k, v in env["packages"].items() if v))
    print(f"each side: 1 warm-up run, then {repeats} timed runs in alternating rounds\n")

    comparisons, extra = bench_read.run(repeats, warmup=1)
    print("Reading (seconds: median (best); ratio = peer median / our median)")
    print(table(comparisons))
    for c in comparisons:
        print(f"  {c.name}: " + ", ".join(f"{k}={v}" for k, v in c.notes.items()))
    strict = extra["pylangacq_strict_true_on_brent"]
    print(
        f"\npylangacq strict=True (its default) rejects {strict['rejected']} of "
        f"{strict['files']} Brent files, hence strict=False above. Errors:"
    )
    for reason, count in strict["reasons"].items():
        print(f"  {count} x {reason}")

    _write("read.json", env, repeats, comparisons, extra)

    turn_comparisons, turn_extra = bench_turns.run(repeats, warmup=1)
    print("\nTurn counting (seconds: median (best); ratio = peer median / our median)")
    print(table(turn_comparisons))
    print("turn counts on the same data (ours alternation = serve-return; ours adjacent = CP):")
    for label, counts in turn_extra["counts"].items():
        print(f"  {label}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    _write("turns.json", env, repeats, turn_comparisons, turn_extra)
    for script in SEPARATE:
        print(f"\n$ python benchmarks/{script} --repeats {repeats}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), "--repeats", str(repeats)], check=True)
    print(
        "\nThe 50-million-segment corpus benchmark takes minutes to generate its data; run it "
        "with `python benchmarks/bench_corpus.py` (results/corpus.json)."
    )
    return 0


def _write(name: str, env: dict, repeats: int, comparisons: list, extra: dict) -> None:
    """Write one results file and say which targets were missed."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / name
    report = {
        "machine": env,
        "repeats": repeats,
        "warmup": 1,
        "comparisons": [c.as_dict() for c in comparisons],
        **extra,
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    missed = [c.name for c in comparisons if not c.met]
    print(f"\nwrote {out}" + (f"; target missed: {'; '.join(missed)}" if missed else ""))


if __name__ == "__main__":
    sys.exit(main())
