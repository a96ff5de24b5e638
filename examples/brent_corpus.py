"""Worked example: the whole Brent corpus through the store, out as one tidy table.

    python examples/brent_corpus.py [BRENT_DIR or FILES] [--db PATH] [--out PNG] [--table PATH]

The shared Brent folder is read-only, so the script lays the sessions out as a lab would keep
them: one folder per child (links to the transcripts) and a ``children.csv`` naming the children
by their folder names. Then, as on the command line:

    attunement ingest brent/ --db brent.duckdb --no-words
    attunement measure turns:n_resamples=0 --db brent.duckdb
    attunement export --db brent.duckdb --per recording --out brent.parquet

The table has one row per session with ``child_id``, ``age_days`` (from the CHAT ``@ID``
headers) and every turn figure (``turns_lena__turns_per_hour``, ``turns_lena__response_rate``
...). Per month of child age (days / 30.4375, floored): the sessions, the children, the median
turns per hour and the median response rate (share of child vocalisations an adult answered
within 5 s). As in ``brent_turns_by_age.py``, a session counts only when the child has at least
``MIN_CHILD_UNITS`` vocal units (many Brent sessions transcribe the infant sparsely); the `lena`
medians per month agree with that example's table.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import polars as pl

from attunement.corpus import ingest, measure
from attunement.corpus.tidy import export
from attunement.measures.registry import request

MIN_CHILD_UNITS = 20
BRENT = Path("../shared/data/real/chat/brent-corpus")


def lab_folder(paths: list[Path], where: Path) -> Path:
    """The sessions under ``paths`` as ``where/<child>/<session>.cha`` links (the child is the
    session's folder) and a ``children.csv`` of the children's ids."""
    files = [f for p in paths for f in (sorted(p.rglob("*.cha")) if p.is_dir() else [p])]
    for cha in files:
        child = cha.resolve().parent.name
        (where / child).mkdir(parents=True, exist_ok=True)
        (where / child / cha.name).symlink_to(cha.resolve())
    children = sorted(p.name for p in where.iterdir() if p.is_dir())
    (where / "children.csv").write_text("child_id\n" + "\n".join(children) + "\n")
    return where


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("paths", nargs="*", type=Path, help="the corpus folder, or some sessions")
    ap.add_argument("--db", help="store to use (default: a temporary file)")
    ap.add_argument("--out", default="docs/brent_corpus_by_age.png")
    ap.add_argument("--table", help="the exported table (default: a temporary brent.parquet)")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp())
    folder = lab_folder(args.paths or [BRENT], work / "brent")
    db = Path(args.db or work / "brent.duckdb")
    done = ingest([folder], db, keep_text=False)
    print(
        f"ingest: {len(done.stored)} stored, {len(done.present)} already present, "
        f"{len(done.failed)} failed: {done.recordings} recordings, {done.segments:,} segments"
    )
    for failure in done.failed:
        print(f"  could not read: {failure}")
    result = measure(str(db), [request("turns:n_resamples=0")])
    print(f"measure: {result.computed} computed, {result.up_to_date} up to date")
    table = Path(args.table or work / "brent.parquet")
    export(db, table, per="recording")
    sessions = (
        pl.read_parquet(table)
        .filter(pl.col("turns_lena__child_units") >= MIN_CHILD_UNITS)
        .filter(pl.col("age_days").is_not_null())
        .with_columns(age_months=pl.col("age_days") / 30.4375)
    )
    print(
        f"export: {table.name}, {sessions.height} sessions with >= {MIN_CHILD_UNITS} child units\n"
    )
    by_age = (
        sessions.group_by(pl.col("age_months").floor().cast(pl.Int64).alias("month"))
        .agg(
            pl.len().alias("sessions"),
            pl.col("child_id").n_unique().alias("children"),
            pl.col("turns_lena__turns_per_hour").median().round(1).alias("turns_per_hour"),
            pl.col("turns_lena__response_rate").median().alias("response_rate"),
        )
        .sort("month")
    )
    print("| age (months) | sessions | children | median `lena` turns/h | median response rate |")
    print("|---:|---:|---:|---:|---:|")
    for r in by_age.iter_rows(named=True):
        print(
            f"| {r['month']} | {r['sessions']} | {r['children']} | "
            f"{r['turns_per_hour']} | {r['response_rate']:.3f} |"
        )
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for ax, column, label in (
        (ax1, "turns_per_hour", "turns per hour (`lena` rule)"),
        (ax2, "response_rate", "response rate (adult within 5 s)"),
    ):
        ax.scatter(sessions["age_months"], sessions[f"turns_lena__{column}"], s=10, alpha=0.5)
        ax.plot(by_age["month"] + 0.5, by_age[column], "o-", color="black")
        ax.set(xlabel="child age (months)", ylabel=label)
    ax1.set_title("Brent corpus: turns per hour (dots: sessions; line: monthly median)")
    ax2.set_title("Share of child vocalisations answered")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"\nplot: {args.out}")


if __name__ == "__main__":
    main()
