"""``attunement ingest``: files into a corpus store (DuckDB), resumable; Parquet export/import."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from attunement.cli.common import (
    AnnotationsOpt,
    NoWordsOpt,
    PreferOpt,
    RolesOpt,
    check_jobs,
    err,
    out,
    report_dataset,
)
from attunement.outputs import check_folder

if TYPE_CHECKING:
    from attunement.corpus.ingest import IngestSummary

DbOpt = Annotated[Path, typer.Option("--db", help="The corpus store (a DuckDB file).")]
JobsOpt = Annotated[
    int | None, typer.Option("--jobs", help="Worker processes (default: every core).")
]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask", help="Run on this Dask scheduler (tcp://host:8786) instead."),
]


def command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to read.", show_default=False)
    ] = None,
    db: DbOpt = Path("corpus.duckdb"),
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    roles: RolesOpt = None,
    no_words: NoWordsOpt = False,
    export: Annotated[
        Path | None, typer.Option("--export", help="Write every table to DIR/<table>.parquet.")
    ] = None,
    import_: Annotated[
        Path | None,
        typer.Option("--import", help="Merge an export (DIR/<table>.parquet) into the store."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="One line per file as it is committed.")
    ] = False,
    release_every: Annotated[
        float,
        typer.Option(
            "--release-every",
            min=0.0,
            help="Let readers in (between two commits) at least every S seconds.",
        ),
    ] = 2.0,
    prefer: PreferOpt = "converted",
    annotations: AnnotationsOpt = None,
) -> None:
    """Read files into a corpus store: one transaction per file, files already stored (same
    content hash) skipped, a killed run resumed by running it again. Failures are kept in the
    store and listed at the end (exit 1). A ChildProject dataset (or a folder with
    children.csv / recordings.csv) is stored with its children, recordings, annotation sets
    and clips. With --export / --import, move the store's tables to or from Parquet (after
    reading PATHs, if any)."""
    check_jobs(jobs)
    if not paths and export is None and import_ is None:
        err.print("error: give files or folders to read, or --export / --import DIR")
        raise typer.Exit(2)
    if export is not None:
        check_folder(export, [import_, *(paths or [])])
    from attunement.corpus.exchange import export_store, import_store  # duckdb
    from attunement.roles import load as load_roles

    role_map = load_roles(roles) if roles is not None else None
    if import_ is not None:
        added = import_store(db, import_)
        out.print(f"imported from {import_}: " + ", ".join(f"{t} {n}" for t, n in added.items()))
    options = {"prefer": prefer, "annotations": annotations or []}
    summary = (
        _ingest(paths, db, jobs, dask, role_map, not no_words, verbose, release_every, options)
        if paths
        else None
    )
    if export is not None:
        files = export_store(db, export)
        out.print(f"exported {len(files)} table(s) to {export}")
    if summary is not None:
        _report(summary)


def _ingest(
    paths, db, jobs, dask, role_map, keep_text, verbose, release_every, options
) -> IngestSummary:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from attunement.corpus.ingest import ingest

    columns = (
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files, {task.fields[segments]:,} segments"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("ingest", total=None, segments=0)
        segments = 0

        def on_plan(plan) -> None:
            bar.update(task, total=len(plan.to_read))

        def on_file(outcome) -> None:
            nonlocal segments
            segments += outcome.n_segments
            bar.update(task, advance=1, segments=segments)
            if verbose:
                what = (
                    f"failed: {outcome.error}"
                    if outcome.error
                    else f"{outcome.n_segments} segments"
                )
                err.print(f"stored {outcome.path} ({what})", highlight=False, soft_wrap=True)

        return ingest(
            paths,
            db,
            jobs=jobs,
            dask=dask,
            roles=role_map,
            keep_text=keep_text,
            on_plan=on_plan,
            on_file=on_file,
            release_every=release_every,
            **options,
        )


def _report(summary: IngestSummary) -> None:
    for ds in summary.datasets:
        report_dataset(ds)
    out.print(
        f"{len(summary.stored)} file(s) stored ({summary.recordings} recordings, "
        f"{summary.segments:,} segments), {len(summary.present)} skipped as already present, "
        f"{len(summary.failed)} failed",
        highlight=False,
    )
    if summary.unsupported:
        kinds = Counter(p.suffix.lower() or p.name for p in summary.unsupported)
        listed = ", ".join(f"{k} ×{n}" for k, n in kinds.most_common())
        err.print(
            f"skipped {len(summary.unsupported)} file(s) that no reader claims: {listed}",
            highlight=False,
        )
    if summary.failed:
        err.print(f"\n{len(summary.failed)} file(s) could not be read:", style="bold red")
        for failure in summary.failed:
            err.print(f"  {failure}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
