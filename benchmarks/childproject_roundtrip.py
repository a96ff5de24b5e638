"""Round trip through ChildProject 0.4.6: datasets ingested into a store and written back with
``attunement export --format childproject`` are read by ChildProject itself.

    python benchmarks/childproject_roundtrip.py [--keep DIR]

ChildProject lives in ``.venv-bench`` (``make bench`` creates it), never in the main environment:
the check runs there, in a child process. Cases:

1. ChildProject's own example dataset (``../shared/data/real/childproject/valid_raw_data``), its
   index as it stands (the ``vtc_present`` set);
2. the same with its import list ``annotations/input.csv`` (every set). ChildProject reports the
   clips whose range runs past the recording's 4-second ``duration``: the example's list has them
   (ChildProject's own ``import-annotations`` refuses that list for this dataset);
3. three Brent children (c1, f1, i1: 37 CHAT sessions) as a folder with a ``children.csv``.

For each: ``ChildProject(path).read()`` and ``AnnotationManager(project)`` (which reads and
validates the index): its errors and warnings, children, recordings and annotations, and the
segments ``AnnotationManager.get_segments`` reads back against the timed segments in the store.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "real"
VALID = DATA / "childproject" / "valid_raw_data"
BRENT = DATA / "chat" / "brent-corpus"
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
CHECK = """
import json, sys, warnings
warnings.simplefilter("ignore")
from ChildProject.projects import ChildProject
from ChildProject.annotations import AnnotationManager
project = ChildProject(sys.argv[1])
project.read()
am = AnnotationManager(project)
segments = am.get_segments(am.annotations)
print(json.dumps({
    "children": len(project.children), "recordings": len(project.recordings),
    "annotations": len(am.annotations), "segments": len(segments),
    "errors": am.errors, "warnings": am.warnings,
    "ages_months": sorted(set(round(float(a), 2) for a in project.compute_ages().dropna())),
}))
"""


def childproject_reads(folder: Path, python: Path = BENCH_PYTHON) -> dict:
    """What ChildProject 0.4.6 reads from ``folder`` (run with ``python``, where it lives)."""
    done = subprocess.run(
        [str(python), "-c", CHECK, str(folder)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def brent_folder(where: Path, children: tuple[str, ...] = ("c1", "f1", "i1")) -> Path:
    """A folder of links to some Brent children's sessions, with a children.csv of their ids."""
    for child in children:
        (where / child).mkdir(parents=True)
        for session in sorted((BRENT / child).glob("*.cha")):
            (where / child / session.name).symlink_to(session)
    (where / "children.csv").write_text("child_id\n" + "\n".join(children) + "\n")
    return where


def case(name: str, paths: list[Path], work: Path, annotations: list[Path] = ()) -> dict:
    """Ingest ``paths``, export as a ChildProject dataset, and read it back with ChildProject."""
    import duckdb

    from attunement.corpus import ingest
    from attunement.corpus.childproject_out import export_dataset

    db = work / f"{name}.duckdb"
    ingest(paths, db, jobs=1, annotations=annotations)
    out = work / name
    written = export_dataset(db, out)
    con = duckdb.connect(str(db), read_only=True)
    timed = con.execute("SELECT count(*) FROM segments WHERE segment_onset IS NOT NULL").fetchall()
    con.close()
    return {"case": name, "written": written, "store_segments": timed[0][0], "read": out}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--keep", type=Path, help="write the datasets here (default: a temp folder)")
    args = ap.parse_args(argv)
    if not BENCH_PYTHON.exists():
        sys.exit(f"no {BENCH_PYTHON}: run `make bench` once to create the benchmark environment")
    work = args.keep or Path(tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    cases = [
        case("example", [VALID], work),
        case("example-input", [VALID], work, [VALID / "annotations" / "input.csv"]),
        case("brent", [brent_folder(work / "brent-links")], work),
    ]
    for c in cases:
        seen = childproject_reads(c["read"])
        print(
            f"{c['case']}: wrote {c['written']['children']} children, "
            f"{c['written']['recordings']} recordings, {c['written']['annotations']} annotations; "
            f"ChildProject 0.4.6 read {seen['children']} children, {seen['recordings']} "
            f"recordings (discarded ones left out), {seen['annotations']} annotations, "
            f"{seen['segments']} segments (store: {c['store_segments']}); "
            f"{len(seen['errors'])} error(s), {len(seen['warnings'])} warning(s)"
        )
        ages = seen["ages_months"]
        if ages:
            print(f"    ages ChildProject computes (months): {ages[0]} to {ages[-1]}")
        for line in seen["errors"] + seen["warnings"]:
            print(f"    {line.replace(str(c['read']), '<dataset>')}")


if __name__ == "__main__":
    main()
