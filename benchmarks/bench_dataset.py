"""A lab's dataset end to end: 1,000 synthetic 16-hour recordings of 100 children, arranged as a
ChildProject dataset (metadata/children.csv, recordings.csv, annotations.csv and one converted VTC
CSV per recording, 10,000 segments each: 10 million segments), ingested into a store, measured
(``turns:rule=adjacent``, ChildProject's ``simple_CTC`` rule, chance baseline off) and exported
(``--per recording`` to CSV, ``--per child`` to Parquet). Target: ingest + export under 2
minutes on the 2-core machine.

Side by side, in the benchmark environment (``.venv-bench``, made by ``make bench``), ChildProject
0.4.6's own route from the same dataset to a per-recording table: ``AclewMetrics(project,
vtc="vtc", threads=JOBS).extract()`` (vocalisations and their durations per hour per speaker and
``simple_CTC_ph``), timed from ``ChildProject(path).read()`` on. The figures differ (the peer has no
ages, sets or parameters sidecar; we count turns with their serves, returns and latencies), the
work is the same: every segment read, one table per recording out.

    python benchmarks/bench_dataset.py [--recordings 1000] [--children 100] [--jobs 2] [--no-peer]

The dataset is generated once into benchmarks/_data/ (seeded) and reused; each run writes a fresh
store and exports.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from attunement.corpus import ingest, measure
from attunement.corpus.tidy import export
from attunement.measures.registry import request
from attunement.simulate.daylong import day

HERE = Path(__file__).parent
ROOT = HERE.parent
SEGMENTS = 10_000
HOURS = 16.0
PEER = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
from ChildProject.projects import ChildProject
from ChildProject.pipelines.metrics import AclewMetrics
project = ChildProject(sys.argv[1]); project.read()
table = AclewMetrics(project, vtc="vtc", threads=int(sys.argv[2])).extract()
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": len(table),
                  "columns": len(table.columns)}))
"""


def make_dataset(folder: Path, recordings: int, children: int) -> Path:
    """The dataset (module docstring), written once; ``folder`` is reused when complete."""
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    converted = folder / "annotations" / "vtc" / "converted"
    converted.mkdir(parents=True)
    (folder / "metadata").mkdir()
    born = date(2020, 1, 1)
    kids = [f"k{i:03d}" for i in range(children)]
    (folder / "metadata" / "children.csv").write_text(
        "experiment,child_id,child_dob\n"
        + "".join(f"bench,{k},{born + timedelta(days=7 * i)}\n" for i, k in enumerate(kids))
    )
    duration = int(HOURS * 3_600_000)
    rec_rows, index_rows = [], []
    for i in range(recordings):
        child = kids[i % children]
        name = f"{child}_{i:05d}.wav"
        when = born + timedelta(days=180 + 30 * (i // children))
        rec_rows.append(
            f"bench,{child},{when},08:00,lena,{name},{duration},{child}_{i // children}\n"
        )
        csv_name = f"{name[:-4]}_0_{duration}.csv"
        index_rows.append(
            f"vtc,{name},0,0,{duration},{name[:-4]}.rttm,vtc_rttm,,{csv_name},"
            "2024-01-01 00:00:00,0.4.6\n"
        )
        frame = day(SEGMENTS, hours=HOURS, seed=i)
        kind = pl.col("speaker_type").cast(pl.String)
        frame.filter(kind.is_in(["CHI", "OCH", "FEM", "MAL", "ADU"])).select(
            "segment_onset",
            "segment_offset",
            pl.when(kind == "ADU").then(pl.lit("NA")).otherwise(kind).alias("speaker_type"),
            pl.lit(f"{name[:-4]}.rttm").alias("raw_filename"),
        ).write_csv(converted / csv_name)
    (folder / "metadata" / "recordings.csv").write_text(
        "experiment,child_id,date_iso,start_time,recording_device_type,recording_filename,"
        "duration,session_id\n" + "".join(rec_rows)
    )
    (folder / "metadata" / "annotations.csv").write_text(
        "set,recording_filename,time_seek,range_onset,range_offset,raw_filename,format,filter,"
        "annotation_filename,imported_at,package_version\n" + "".join(index_rows)
    )
    (folder / "annotations" / "vtc" / "metannots.yml").write_text("segmentation: vtc\n")
    done.touch()
    return folder


def ours(dataset: Path, jobs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench_dataset_"))
    try:
        db = work / "lab.duckdb"
        t0 = time.perf_counter()
        stored = ingest([dataset], db, jobs=jobs)
        t_ingest = time.perf_counter() - t0
        t1 = time.perf_counter()
        measured = measure(str(db), [request("turns:rule=adjacent,n_resamples=0")], jobs=jobs)
        t_measure = time.perf_counter() - t1
        t2 = time.perf_counter()
        export(db, work / "results.csv", "recording")
        export(db, work / "children.parquet", "child")
        t_export = time.perf_counter() - t2
        rows = pl.read_csv(work / "results.csv").height
        children = pl.read_parquet(work / "children.parquet").height
    finally:
        shutil.rmtree(work)
    return {
        "recordings": stored.recordings,
        "segments": stored.segments,
        "failed": len(stored.failed) + len(measured.failed),
        "rows": rows,
        "children": children,
        "ingest_s": round(t_ingest, 2),
        "measure_s": round(t_measure, 2),
        "export_s": round(t_export, 2),
        "ingest_export_s": round(t_ingest + t_export, 2),
        "total_s": round(t_ingest + t_measure + t_export, 2),
    }


def peer(dataset: Path, jobs: int) -> dict | None:
    python = ROOT / ".venv-bench" / "bin" / "python"
    if not python.exists():
        print(f"no {python}: run `make bench` once to compare with ChildProject")
        return None
    done = subprocess.run(
        [str(python), "-c", PEER, str(dataset), str(jobs)], capture_output=True, text=True
    )
    if done.returncode:
        print("ChildProject failed:", done.stderr.strip().splitlines()[-1:])
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--recordings", type=int, default=1000)
    ap.add_argument("--children", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args(argv)
    folder = HERE / "_data" / f"dataset_{args.recordings}x{args.children}x{SEGMENTS}"
    t0 = time.perf_counter()
    dataset = make_dataset(folder, args.recordings, args.children)
    print(f"dataset: {dataset} ({time.perf_counter() - t0:.1f} s to make or find)")
    mine = ours(dataset, args.jobs)
    print(
        f"attunement: ingest {mine['ingest_s']} s ({mine['recordings']} recordings, "
        f"{mine['segments']:,} segments), measure {mine['measure_s']} s, export "
        f"{mine['export_s']} s ({mine['rows']} recording rows, {mine['children']} child rows); "
        f"ingest + export {mine['ingest_export_s']} s, all three {mine['total_s']} s"
    )
    theirs = None if args.no_peer else peer(dataset, args.jobs)
    if theirs:
        ratio = theirs["seconds"] / mine["total_s"]
        print(
            f"ChildProject 0.4.6 AclewMetrics: {theirs['seconds']:.1f} s ({theirs['rows']} rows, "
            f"{theirs['columns']} columns); ratio {ratio:.2f}x (theirs / our ingest + measure + "
            "export)"
        )
    results = {"ours": mine, "childproject_aclew_metrics": theirs, "jobs": args.jobs}
    (HERE / "results" / "dataset.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
