"""Families across generations at scale: 100,000 families x 3 generations, each child from birth
to 18 years in weekly steps (3 x 100,000 x 936 child-weeks), streamed to Parquet in chunks.
Issue target: under 5 minutes on the 2-core machine.

    python benchmarks/bench_generations.py [--families 100000] [--generations 3]

Writes benchmarks/results/generations.json (the Parquet file goes to a temporary folder) with
the load average before and after: the machine is shared, so a loaded run is slower.
"""

from __future__ import annotations

import argparse
import json
import os

from _common import RESULTS, machine, timed_simulation
from attunement.simulate.generations import ADULT_WEEKS, write_generations

TARGET_S = 300.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--families", type=int, default=100_000)
    ap.add_argument("--generations", type=int, default=3)
    ap.add_argument("--chunk-size", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    write_generations(os.devnull, 50, 1, 0)  # compile or load the numba kernels once
    summary, fields, sentence = timed_simulation(
        lambda path: write_generations(
            path, args.families, args.generations, args.seed, chunk_size=args.chunk_size
        ),
        args.families * args.generations * ADULT_WEEKS,
        TARGET_S,
    )
    result = {
        "families": args.families,
        "generations": args.generations,
        "weeks_per_generation": ADULT_WEEKS,
        "chunk_size": args.chunk_size,
        **fields,
        "by_generation": summary["by_generation"],
        "machine": machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "generations.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{args.families:,} families x {args.generations} generations x {ADULT_WEEKS} weeks in "
        + sentence
    )


if __name__ == "__main__":
    main()
