"""A corpus run end to end: ingest 1,000 synthetic 16-hour days (50 million segments, one Parquet
file per day) into a DuckDB store, then the `lena` and `window` turn rules for every recording
(``attunement.corpus.measure``, chance baseline off, 1-hour bins). Target: under 3 minutes on
the 2-core machine. Run with --jobs 1 and --jobs 2 to see the scaling.

    python benchmarks/bench_ingest.py [--days 1000] [--jobs 1 2]

The day files are cut once from bench_corpus.py's cached corpus (or generated with the same
seeds) into benchmarks/_data/ and reused; each run writes a fresh store.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import polars as pl

from attunement.corpus import ingest, measure
from attunement.measures.registry import request

HERE = Path(__file__).parent
SEGMENTS = 50_000


def day_files(days: int) -> Path:
    """``days`` Parquet files (day000000.parquet ...), the days of bench_corpus.py's corpus."""
    from bench_corpus import COLUMNS, make_corpus

    folder = HERE / "_data" / f"days_{SEGMENTS}"
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("day*.parquet"))) >= days:
        return folder
    source = HERE / "_data" / f"corpus_1000x{SEGMENTS}"
    make_corpus(source, 1000, SEGMENTS)
    for part in sorted(source.glob("part-*.parquet")):
        frame = pl.read_parquet(part).with_columns(pl.col("recording_id").cast(pl.String))
        for (rid,), one in frame.group_by("recording_id"):
            one.select(c for c in COLUMNS if c != "recording_id").write_parquet(
                folder / f"{rid}.parquet"
            )
    return folder


def run(folder: Path, days: int, jobs: int, n_resamples: int = 0) -> dict:
    files = sorted(folder.glob("day*.parquet"))[:days]
    work = Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    try:
        db = work / "corpus.duckdb"
        t0 = time.perf_counter()
        stored = ingest(files, db, jobs=jobs)
        t_ingest = time.perf_counter() - t0
        requests = [
            request(f"turns:rule={rule},n_resamples={n_resamples}") for rule in ("lena", "window")
        ]
        t1 = time.perf_counter()
        measured = measure(str(db), requests, jobs=jobs)
        t_measure = time.perf_counter() - t1
        size = db.stat().st_size
    finally:
        shutil.rmtree(work)
    total = t_ingest + t_measure
    return {
        "jobs": jobs,
        "days": days,
        "n_resamples": n_resamples,
        "segments": stored.segments,
        "failed": len(stored.failed) + len(measured.failed),
        "results": measured.computed,
        "ingest_s": round(t_ingest, 2),
        "measure_s": round(t_measure, 2),
        "total_s": round(total, 2),
        "ingest_segments_per_s": round(stored.segments / t_ingest),
        "segments_per_s": round(stored.segments / total),
        "store_mb": round(size / 2**20, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--days", type=int, default=1000)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument(
        "--n-resamples",
        type=int,
        default=0,
        help="circular shifts of the turns' chance baseline (0: off, as in the target run; "
        "100, the command's default, makes measuring compute-bound)",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    folder = day_files(args.days)
    print(f"{args.days} day files ready in {time.perf_counter() - t0:.1f} s: {folder}")
    runs = []
    for jobs in args.jobs:
        r = run(folder, args.days, jobs, args.n_resamples)
        runs.append(r)
        print(
            f"--jobs {jobs}: {r['segments']:,} segments; ingest {r['ingest_s']} s "
            f"({r['ingest_segments_per_s']:,}/s) + lena & window (n_resamples {args.n_resamples}) "
            f"{r['measure_s']} s "
            f"= {r['total_s']} s ({r['segments_per_s']:,} segments/s; target < 180 s "
            "for 1,000 days)"
        )
    result = {
        "runs": runs,
        "speedup_jobs_1_to_2": round(runs[0]["total_s"] / runs[1]["total_s"], 2)
        if len(runs) > 1
        else None,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
    }
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    name = "ingest.json" if args.n_resamples == 0 else f"ingest_chance{args.n_resamples}.json"
    (out / name).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
