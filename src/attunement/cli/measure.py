"""``attunement measure``: measure families for every recording of a corpus store, incrementally."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attunement.cli.common import check_jobs, err, existing_store, out
from attunement.cli.ingest import DaskOpt, DbOpt, JobsOpt
from attunement.errors import ParameterError


def command(
    specs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Families to measure, FAMILY or FAMILY:PARAM=VALUE,... (attunement measures "
            "lists them); default: every family that runs on recordings, with its defaults.",
            show_default=False,
        ),
    ] = None,
    db: DbOpt = Path("corpus.duckdb"),
    allow_large: Annotated[
        bool, typer.Option("--allow-large", help="Allow expensive values above their cap.")
    ] = False,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write results (.csv or .parquet): the first family's table to OUT, the "
            "others to OUT_<table>.",
        ),
    ] = None,
) -> None:
    """Compute measure families for every recording in the store; only recordings that are new
    or changed (content hash) or whose parameters changed are computed. Results stay in the
    store (one table per family, named after it, plus its detail tables), with every parameter
    as JSON and a status saying why a recording could not be measured."""
    check_jobs(jobs)
    from attunement.measures.registry import families, request

    chosen = (
        [request(spec, allow_large=allow_large) for spec in specs]
        if specs
        else [(f, f.configure()) for f in families("recording")]
    )
    if out_path is not None and out_path.suffix.lower() not in (".csv", ".parquet"):
        raise ParameterError(f"{out_path}: --out must end in .csv or .parquet")
    existing_store(db)
    if out_path is not None:
        from attunement.outputs import check_file

        check_file(out_path, [db])
    summary = _run(db, chosen, jobs, dask)
    out.print(
        f"{summary.computed} result(s) computed, {summary.up_to_date} already up to date, "
        f"{len(summary.failed)} failed",
        highlight=False,
    )
    if out_path is not None:
        from attunement.corpus.measure import export_results

        unique = list({f.name: f for f, _ in chosen}.values())
        for path in export_results(str(db), summary.keys, str(out_path), unique):
            out.print(f"wrote {path}", highlight=False)
    if summary.failed:
        err.print(f"\n{len(summary.failed)} measure(s) failed:", style="bold red")
        for line in summary.failed:
            err.print(f"  {line}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


def _run(db: Path, chosen, jobs, dask):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from attunement.corpus.measure import measure

    columns = (
        TextColumn("measure"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("recordings"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("measure", total=None)
        return measure(
            str(db),
            chosen,
            jobs=jobs,
            dask=dask,
            on_plan=lambda n: bar.update(task, total=n),
            on_chunk=lambda n, _: bar.update(task, advance=n),
        )
