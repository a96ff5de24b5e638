"""Worked example: the whole Brent corpus through the corpus store (ingest, measure, query).

    python examples/brent_corpus.py [BRENT_DIR or FILES] [--db PATH] [--out PNG]

Ingests every file under BRENT_DIR into a DuckDB store (the 179 .cha transcripts; the .mov and
.cdc files are counted as skipped), measures the `lena` turn rule for every recording, and
computes per month of child age (from each recording's child age, days / 30.4375, floored) the
median turns per hour and the median response rate (share of child vocalisations answered by an
adult within 5 s). As in ``brent_turns_by_age.py``, a session counts only when the child has at
least ``MIN_CHILD_UNITS`` vocal units (many Brent sessions transcribe the infant sparsely); the
`lena` medians per month agree with that example's table.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import duckdb
import matplotlib.pyplot as plt

from attunement.corpus import ingest, measure
from attunement.measures.registry import request

MIN_CHILD_UNITS = 20
BY_AGE = """
    SELECT floor(r.child_age_days / 30.4375)::INTEGER AS month,
           count(*) AS sessions,
           count(DISTINCT split_part(r.recording_id, '-', 1)) AS children,
           round(median(t.turns_per_hour), 1) AS median_turns_per_hour,
           round(median(t.response_rate), 3) AS median_response_rate
    FROM turns t JOIN recordings r USING (recording_id)
    WHERE t.rule = 'lena' AND t.child_units >= $min_units AND r.child_age_days IS NOT NULL
    GROUP BY month ORDER BY month
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("paths", nargs="*", type=Path, help="the corpus folder, or some sessions")
    ap.add_argument("--db", help="store to use (default: a temporary file)")
    ap.add_argument("--out", default="docs/brent_corpus_by_age.png")
    args = ap.parse_args(argv)
    db = Path(args.db or Path(tempfile.mkdtemp()) / "brent.duckdb")
    done = ingest(
        args.paths or [Path("../shared/data/real/chat/brent-corpus")], db, keep_text=False
    )
    print(
        f"ingest: {len(done.stored)} stored, {len(done.present)} already present, "
        f"{len(done.failed)} failed, {len(done.unsupported)} skipped (no reader): "
        f"{done.recordings} recordings, {done.segments:,} segments"
    )
    for failure in done.failed:
        print(f"  could not read: {failure}")
    result = measure(str(db), [request("turns:n_resamples=0")])
    print(f"measure: {result.computed} computed, {result.up_to_date} up to date\n")
    con = duckdb.connect(str(db), read_only=True)
    table = con.sql(BY_AGE, params={"min_units": MIN_CHILD_UNITS}).pl()
    sessions = con.sql(
        "SELECT r.recording_id, r.child_age_days / 30.4375 AS age_months, t.turns_per_hour, "
        "t.response_rate FROM turns t JOIN recordings r USING (recording_id) "
        "WHERE t.rule = 'lena' AND t.child_units >= $min_units ORDER BY 1",
        params={"min_units": MIN_CHILD_UNITS},
    ).pl()
    con.close()
    print("| age (months) | sessions | children | median `lena` turns/h | median response rate |")
    print("|---:|---:|---:|---:|---:|")
    for r in table.iter_rows(named=True):
        print(
            f"| {r['month']} | {r['sessions']} | {r['children']} | "
            f"{r['median_turns_per_hour']} | {r['median_response_rate']:.3f} |"
        )
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    ax1.scatter(sessions["age_months"], sessions["turns_per_hour"], s=10, alpha=0.5)
    ax1.plot(table["month"] + 0.5, table["median_turns_per_hour"], "o-", color="black")
    ax1.set(
        xlabel="child age (months)",
        ylabel="turns per hour (`lena` rule)",
        title="Brent corpus: turns per hour (dots: sessions; line: monthly median)",
    )
    ax2.scatter(sessions["age_months"], sessions["response_rate"], s=10, alpha=0.5)
    ax2.plot(table["month"] + 0.5, table["median_response_rate"], "o-", color="black")
    ax2.set(
        xlabel="child age (months)",
        ylabel="response rate (adult within 5 s)",
        title="Share of child vocalisations answered",
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"\nplot: {args.out}")


if __name__ == "__main__":
    main()
