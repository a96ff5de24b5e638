"""``attunement measure``: measures for every recording of a corpus store, incrementally."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from attunement.cli.common import err, out
from attunement.cli.ingest import DaskOpt, DbOpt, JobsOpt
from attunement.corpus import repair_family, sequential_family, turns_family
from attunement.corpus.measure import export_results, measure
from attunement.corpus.registry import registry
from attunement.corpus.store import StoreError
from attunement.measures.turns import RULES


def command(
    db: DbOpt = Path("corpus.duckdb"),
    turns: Annotated[
        list[str] | None,
        typer.Option("--turns", help=f"Turn rule(s) to compute: {', '.join(RULES)} (repeat)."),
    ] = None,
    sequential: Annotated[
        bool,
        typer.Option("--sequential", help="Lag-1 transitions CHI -> adult and adult -> CHI."),
    ] = False,
    repair: Annotated[
        bool,
        typer.Option("--repair", help="Rupture and repair of coded child and caregiver states."),
    ] = False,
    match_table: Annotated[
        str,
        typer.Option(
            "--match-table", help="With --repair: icep-r, monadic-phases, valence or a CSV."
        ),
    ] = "icep-r",
    min_mismatch: Annotated[
        float, typer.Option("--min-mismatch", help="With --repair: shortest mismatch episode, s.")
    ] = 0.0,
    absent_code: Annotated[
        str | None,
        typer.Option("--absent-code", help="With --repair: the state of a partner with no code."),
    ] = None,
    bins: Annotated[
        list[str] | None, typer.Option("--bins", help="Time bins of turns: 1h, 5min (repeat).")
    ] = None,
    chance: Annotated[
        int, typer.Option("--chance", help="Circular shifts of the turns' chance baseline.")
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the chance baseline.")] = 0,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write results (.csv or .parquet): turns to OUT, other tables to OUT_<table>.",
        ),
    ] = None,
) -> None:
    """Compute measures for every recording in the store; only recordings that are new or changed
    (content hash) or whose parameters changed are computed. Results stay in the store (tables
    turns, turns_bins, sequential, repair) with every parameter as JSON. Default: --turns lena."""
    families = registry()
    requests = []
    try:
        for rule in turns or ([] if sequential or repair else ["lena"]):
            cfg = turns_family.config(rule, chance=chance, seed=seed, bins=tuple(bins or ["1h"]))
            requests.append((families["turns"], cfg))
        if sequential:
            requests.append((families["sequential"], sequential_family.config()))
        if repair:
            cfg = repair_family.config(match_table, min_mismatch, absent_code)
            requests.append((families["repair"], cfg))
        if out_path is not None and out_path.suffix.lower() not in (".csv", ".parquet"):
            raise ValueError(f"{out_path}: --out must end in .csv or .parquet")
    except ValueError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from None
    columns = (
        TextColumn("measure"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("recordings"),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("measure", total=None)
            summary = measure(
                str(db),
                requests,
                jobs=jobs,
                dask=dask,
                on_plan=lambda n: bar.update(task, total=n),
                on_chunk=lambda n, _: bar.update(task, advance=n),
            )
        out.print(
            f"{summary.computed} result(s) computed, {summary.up_to_date} already up to date, "
            f"{len(summary.failed)} failed",
            highlight=False,
        )
        if out_path is not None:
            chosen = list({f.name: f for f, _ in requests}.values())
            for path in export_results(str(db), summary.keys, str(out_path), chosen):
                out.print(f"wrote {path}", highlight=False)
    except StoreError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from None
    if summary.failed:
        err.print(f"\n{len(summary.failed)} measure(s) failed:", style="bold red")
        for line in summary.failed:
            err.print(f"  {line}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
