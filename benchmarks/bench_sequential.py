"""Event-sequence statistics against the issue's targets (issue 4): a lag-1 table with
residuals over 10 million events in under 2 s, and 1,000 permutations of a 10,000-event
sequence in under 5 s. Prints median and best wall-clock seconds of timed runs after one
untimed warm-up (which also compiles the numba kernels).

Usage: ``python benchmarks/bench_sequential.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from attunement.measures.sequential.lag import lag_table
from attunement.measures.sequential.permutation import permutation_test
from attunement.measures.sequential.sequences import Sequences

CODES = ("Chat", "Write", "Read", "Ask", "Attentive")


def synthetic(n_events: int, n_sequences: int, seed: int) -> Sequences:
    """Random codes in ``n_sequences`` sequences of random lengths."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, len(CODES), n_events).astype(np.int32)
    cuts = np.sort(rng.choice(np.arange(1, n_events), n_sequences - 1, replace=False))
    starts = np.concatenate(([0], cuts, [n_events])).astype(np.int64)
    return Sequences(CODES, values, starts, tuple(str(i) for i in range(n_sequences)))


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    """First-call seconds (warm-up, compile) and the timed runs."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return first, runs


def run(repeats: int) -> list[dict]:
    big = synthetic(10_000_000, 1_000, seed=1)
    frame = pl.DataFrame(
        {
            "code": np.array(CODES)[big.values],
            "sequence": big.sequence_index(),
        }
    )
    small = synthetic(10_000, 1, seed=2)
    cases = [
        ("lag-1 table, 10M events, 1,000 sequences", 2.0, lambda: lag_table(big)),
        (
            "lag-1, repeats collapsed + IPF structural diagonal, 10M events",
            None,
            lambda: lag_table(big, no_repeats=True),
        ),
        (
            "Sequences.from_frame, 10M rows (code strings)",
            None,
            lambda: Sequences.from_frame(frame),
        ),
        (
            "1,000 permutations, 10,000 events (shuffle)",
            5.0,
            lambda: permutation_test(small, n_resamples=1000, seed=0),
        ),
        (
            "1,000 permutations, 10,000 events, no repeats (MCMC, 10 sweeps)",
            5.0,
            lambda: permutation_test(small, n_resamples=1000, seed=0, no_repeats=True),
        ),
    ]
    out = []
    for name, target, fn in cases:
        first, runs = timed(fn, repeats)
        out.append({"name": name, "target_s": target, "first_s": first, "runs_s": runs})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'benchmark':<68} {'median':>8} {'best':>8} {'first':>8} {'target':>7}")
    for row in run(args.repeats):
        target = f"{row['target_s']:.1f}" if row["target_s"] else "-"
        print(
            f"{row['name']:<68} {statistics.median(row['runs_s']):8.3f} "
            f"{min(row['runs_s']):8.3f} {row['first_s']:8.3f} {target:>7}"
        )


if __name__ == "__main__":
    main()
