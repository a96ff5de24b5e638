"""A corpus of 1,000 synthetic 16-hour days (50 million segments) stored as Parquet: all four
turn rules in one pass. Issue target: under 60 s on the 2-core machine.

    python benchmarks/bench_corpus.py [--days 1000] [--segments 50000]

The corpus is generated once (seeded) into benchmarks/_data/ and reused.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import polars as pl

from attunement.measures.turns import RULES
from attunement.measures.turns.corpus import corpus_turns
from attunement.simulate.daylong import day

HERE = Path(__file__).parent
COLUMNS = [
    "recording_id",
    "segment_onset",
    "segment_offset",
    "speaker_type",
    "speaker_id",
    "kind",
    "words",
]


def make_corpus(path: Path, days: int, segments: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    per_file = 50
    for start in range(0, days, per_file):
        target = path / f"part-{start // per_file:04d}.parquet"
        if target.exists():
            continue
        frames = [
            day(segments, seed=i, recording_id=f"day{i:06d}")
            for i in range(start, min(days, start + per_file))
        ]
        pl.concat(frames).select(COLUMNS).with_columns(
            pl.col("recording_id").cast(pl.Categorical)
        ).write_parquet(target, compression="zstd")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--days", type=int, default=1000)
    ap.add_argument("--segments", type=int, default=50_000)
    args = ap.parse_args()
    folder = HERE / "_data" / f"corpus_{args.days}x{args.segments}"
    t0 = time.perf_counter()
    make_corpus(folder, args.days, args.segments)
    print(f"corpus ready in {time.perf_counter() - t0:.1f} s: {folder}")
    corpus_turns(day(1000, hours=0.5, recording_id="warm"))  # compile the numba kernels once

    t0 = time.perf_counter()
    frame = pl.read_parquet(folder / "*.parquet")
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    counts = corpus_turns(frame, tuple(RULES))
    t_count = time.perf_counter() - t1
    total = time.perf_counter() - t0
    result = {
        "segments": frame.height,
        "recordings": counts.height,
        "read_s": round(t_read, 2),
        "count_s": round(t_count, 2),
        "total_s": round(total, 2),
        "turns_total": {rule: int(counts[f"turns_{rule}"].sum()) for rule in RULES},
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "python": platform.python_version(),
    }
    print(
        f"{frame.height:,} segments in {counts.height} recordings, all four rules: "
        f"read {t_read:.1f} s + count {t_count:.1f} s = {total:.1f} s (target < 60 s)"
    )
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "corpus.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
