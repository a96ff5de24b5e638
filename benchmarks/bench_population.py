"""The development model at scale: 1,000,000 children from birth to 18 years in weekly steps
(936 steps), streamed to Parquet in chunks. Issue target: under 5 minutes on the 2-core machine.

    python benchmarks/bench_population.py [--children 1000000] [--years 18] [--chunk-size 100000]

Writes benchmarks/results/population.json (the Parquet file goes to a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import os

from _common import RESULTS, machine, timed_simulation
from attunement.simulate.population import weeks_of, write_population

TARGET_S = 300.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--children", type=int, default=1_000_000)
    ap.add_argument("--years", type=float, default=18.0)
    ap.add_argument("--chunk-size", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    write_population(os.devnull, 100, 0.1, 0)  # compile or load the numba kernels once
    summary, fields, sentence = timed_simulation(
        lambda path: write_population(
            path, args.children, args.years, args.seed, chunk_size=args.chunk_size
        ),
        args.children * weeks_of(args.years),
        TARGET_S,
    )
    result = {
        "children": args.children,
        "weeks": weeks_of(args.years),
        "chunk_size": args.chunk_size,
        **fields,
        "class_rates": {str(a): r for a, r in summary.class_rates.items()},
        "stability": summary.to_dict()["stability"],
        "machine": machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "population.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.children:,} children x {weeks_of(args.years)} weeks in " + sentence)


if __name__ == "__main__":
    main()
