"""Sequential analysis on real data, as Markdown for the README.

    python examples/sequential_real_data.py [DATA_DIR] [--children c1,d1]   # ../shared/data/real

1. ConNEcT's AttachmentData (Bodner et al. 2019): one mother-child dyad in a stressful puzzle
   task, 7 binary codes per 2-s interval. Time-window analysis (W = 4 s, Δ = 2 s, target onset
   within the window after the antecedent's onset) against 1,000 circular shifts, and the lag-1
   table of code onsets with 1,000 permutations.
2. The Brent corpus: does the mother start speaking within 2 s of the infant's vocalisation
   onset (Δ = 0.5 s) more often than when her stream is circularly shifted (200 shifts per
   session)? Per child: sessions, pooled Yule's Q, mean null Q, share of sessions with p < .05.
   --children keeps those children's folders (each child's row depends on its sessions only).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np
import polars as pl

import attunement
from attunement.io.intervals import from_binary_table
from attunement.measures.sequential import sequential, sequential_timed

ROLES = {
    "Mpos": "FEM",
    "Mneg": "FEM",
    "MAlone": "FEM",
    "Cpos": "CHI",
    "Cneg": "CHI",
    "CAlone": "CHI",
    "Togth": "UNK",
}
PAIRS = [("Cneg", "Mpos"), ("Cneg", "Mneg"), ("Mpos", "Cpos"), ("Mneg", "Cneg"), ("MAlone", "Cneg")]


def attachment(root: Path) -> None:
    frame = pl.read_csv(root / "connect" / "AttachmentData.csv")
    rec = from_binary_table(frame, interval_s=2.0, role_map=ROLES, recording_id="AttachmentData")
    print("| antecedent → target | a | b | c | d | Yule's Q | null mean Q | shift p |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for ante, targ in PAIRS:
        res = sequential_timed(
            rec, {"code": ante}, {"code": targ}, window_s=4.0, unit_s=2.0, n_resamples=1000, seed=1
        )
        t, s = res.pooled, res.test
        print(
            f"| {ante} → {targ} | {t.a} | {t.b} | {t.c} | {t.d} | {t.yules_q:.2f} "
            f"| {s.null_mean:.2f} | {s.p:.3f} |"
        )
    lag = sequential(rec, n_resamples=1000, seed=1)
    print(
        f"\nLag 1 over the {lag.lag.n_events} code onsets: G² = {lag.lag.g2:.2f}, "
        f"df = {lag.lag.df}, p = {lag.lag.p:.3f}. Cells with adjusted residual > 1.96:"
    )
    frame = lag.to_frame().filter(pl.col("adjusted_residual") > 1.96)
    for r in frame.iter_rows(named=True):
        print(
            f"- {r['given']} → {r['target']}: {r['count']} times (expected "
            f"{r['expected']:.1f}), z = {r['adjusted_residual']:.2f}, Q = {r['yules_q']:.2f}, "
            f"permutation p = {r['permutation_p']:.3f}"
        )


def brent(root: Path, children: list[str] | None = None) -> None:
    corpus = root / "chat" / "brent-corpus"
    paths = [corpus / child for child in children] if children else [corpus]
    batch = attunement.read_batch(paths, keep_text=False)
    by_child = defaultdict(list)
    for rec in batch.recordings:
        child_units = rec.segments.filter(
            pl.col("speaker_type") == "CHI", pl.col("kind") == "vocal"
        ).height
        if child_units >= 20:
            by_child[rec.id.split("-")[0]].append(rec)
    print(
        "| child | sessions | child vocalisations | mother starts within 2 s | pooled Q "
        "| mean null Q | sessions p < .05 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for child, recs in sorted(by_child.items()):
        res = sequential_timed(
            recs,
            {"speaker_type": "CHI", "kind": "vocal"},
            {"speaker_type": "FEM", "kind": "vocal"},
            window_s=2.0,
            unit_s=0.5,
            n_resamples=200,
            seed=7,
        )
        pooled = res.pooled
        null_q = np.nanmean([s.null_mean_q for s in res.circular_shift])
        significant = sum(s.p < 0.05 for s in res.circular_shift)
        print(
            f"| {child} | {len(recs)} | {res.antecedents} | {pooled.a} of {pooled.a + pooled.b} "
            f"window units | {pooled.yules_q:.2f} | {null_q:.2f} | {significant} of {len(recs)} |"
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("root", nargs="?", type=Path, default=Path("../shared/data/real"))
    ap.add_argument("--children", help="comma-separated Brent children (default: all)")
    args = ap.parse_args(argv)
    attachment(args.root)
    print()
    brent(args.root, args.children.split(",") if args.children else None)


if __name__ == "__main__":
    main()
