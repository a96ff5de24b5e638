"""Worked example: turns per hour by child age in the Brent corpus (16 infants, 179 sessions).

    python examples/brent_turns_by_age.py [BRENT_DIR or FILES] [--out PNG]

For every session: the `lena` rule's turns per hour, and for the `window` rule (W = 1 s,
Warlaumont et al. 2014) the ratio of observed to chance-level turns (adult stream circularly
shifted 100 times). Prints a table by month of age and draws one line per child.

The 2012 Brent release transcribes the infant sparsely: many sessions have no CHI participant
at all (the mother alone) and others only a handful of child lines, so a session counts only
when its child has at least ``MIN_CHILD_UNITS`` vocal units; the excluded sessions are counted.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import polars as pl

import attunement

MIN_CHILD_UNITS = 20


def sessions(paths: list[Path]) -> pl.DataFrame:
    batch = attunement.read_batch(paths, keep_text=False)
    for failure in batch.failures:
        print(f"could not read: {failure}")
    rows = []
    for rec in batch.recordings:
        lena = attunement.turns(rec, "lena", n_resamples=0, bins=False)
        window = attunement.turns(rec, "window", window_s=1.0, n_resamples=100, seed=0, bins=False)
        rows.append(
            {
                "child": rec.id.split("-")[0],
                "session": rec.id,
                "age_months": rec.child_age_days / 30.4375 if rec.child_age_days else None,
                "hours": lena.recorded_s / 3600,
                "child_units": lena.child_units,
                "lena_turns_per_hour": lena.turns_per_hour,
                "window_1s_vs_chance": window.chance_ratio,
            }
        )
    return pl.DataFrame(rows).sort("child", "age_months")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("paths", nargs="*", type=Path, help="the corpus folder, or some sessions")
    ap.add_argument("--out", default="docs/brent_turns_by_age.png")
    args = ap.parse_args(argv)
    everything = sessions(args.paths or [Path("../shared/data/real/chat/brent-corpus")])
    table = everything.filter(pl.col("child_units") >= MIN_CHILD_UNITS)
    print(
        f"{everything.height} sessions; {table.height} with >= {MIN_CHILD_UNITS} child vocal "
        f"units ({everything.filter(pl.col('child_units') == 0).height} with no child line)\n"
    )
    by_month = (
        table.with_columns(month=pl.col("age_months").floor().cast(pl.Int64))
        .group_by("month")
        .agg(
            sessions=pl.len(),
            children=pl.col("child").n_unique(),
            median_turns_per_hour=pl.col("lena_turns_per_hour").median().round(1),
            median_window_vs_chance=pl.col("window_1s_vs_chance").median().round(2),
        )
        .sort("month")
    )
    print(
        "| age (months) | sessions | children | median `lena` turns/h "
        "| median `window` 1 s / chance |"
    )
    print("|---:|---:|---:|---:|---:|")
    for r in by_month.iter_rows(named=True):
        print(
            f"| {r['month']} | {r['sessions']} | {r['children']} | {r['median_turns_per_hour']} "
            f"| {r['median_window_vs_chance']} |"
        )
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for ax in (ax1, ax2):
        ax.set_prop_cycle(color=plt.cm.tab20.colors)
    for child, part in table.group_by("child", maintain_order=True):
        ax1.plot(
            part["age_months"], part["lena_turns_per_hour"], marker="o", ms=3, lw=1, label=child[0]
        )
        ax2.plot(part["age_months"], part["window_1s_vs_chance"], marker="o", ms=3, lw=1)
    ax1.set(
        xlabel="child age (months)",
        ylabel="turns per hour (`lena` rule)",
        title="Brent corpus: conversational turns",
    )
    ax2.axhline(1.0, color="grey", ls="--", lw=1)
    ax2.set(
        xlabel="child age (months)",
        ylabel="observed / chance turns",
        title="Contingency: `window` rule, 1 s, vs shifted adults",
    )
    ax1.legend(ncol=4, fontsize=7, title="child", title_fontsize=8)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"\nplot: {args.out}")


if __name__ == "__main__":
    main()
