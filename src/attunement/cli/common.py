"""Shared pieces of the command line: consoles, option types, progress bar, batch reading and the
failure summary. Every command module imports these; none of them holds science."""

from __future__ import annotations

import functools
import os
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from typer.core import TyperGroup

from attunement.errors import AttunementError, ParameterError, StoreError
from attunement.io import Batch, formats, read_batch

out = Console()
err = Console(stderr=True)

Paths = Annotated[list[Path], typer.Argument(help="Files or folders to read.", show_default=False)]
FormatOpt = Annotated[
    str | None, typer.Option("--format", help=f"Force a format: {', '.join(formats())}.")
]
RolesOpt = Annotated[
    Path | None, typer.Option("--roles", help="JSON/YAML map of label -> speaker_type.")
]
NoWordsOpt = Annotated[
    bool, typer.Option("--no-words", help="Privacy mode: keep timing and roles, drop all text.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
PreferOpt = Annotated[
    str,
    typer.Option(
        "--prefer",
        help="A dataset's clip with a raw file and its converted CSV: read this one "
        "(converted or raw).",
    ),
]
AnnotationsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--annotations",
        help="A ChildProject import list (set, recording_filename, time_seek, range_onset, "
        "range_offset, raw_filename, format): add its clips to the dataset's index.",
    ),
]


class _OneLineGroup(TyperGroup):
    """The command group: a usage error (an option that is not a number, an unknown option) is
    one line on stderr, ``error: <command>: <problem> (see <command> --help)``, exit 2, like
    every other error, instead of click's three-line usage block."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.TyperException as exc:  # typer's own click: usage and parameter errors
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "attunement"
            hint = f" (see {where} --help)" if ctx is not None else ""
            typer.echo(f"error: {where}: {exc.format_message()}{hint}", err=True)
            sys.exit(getattr(exc, "exit_code", 2))
        except typer.Abort:
            typer.echo("aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class App(typer.Typer):
    """A ``typer.Typer`` whose commands turn an ``AttunementError`` into one line on stderr,
    ``error: <message>``, and exit status 2. Any other exception is a bug and keeps its
    traceback. Help is click's plain text: typer's rich help imports markdown and syntax
    highlighting, a third of the 0.3 s that ``attunement --help`` may take."""

    def __init__(self, **kwargs):
        super().__init__(**{"rich_markup_mode": None, "cls": _OneLineGroup, **kwargs})

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(f):
            register(_one_line_errors(f))
            return f

        return decorator


def _one_line_errors(f):
    @functools.wraps(f)
    def run(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except AttunementError as exc:
            head, *rest = [line.strip() for line in str(exc).splitlines() if line.strip()] or [""]
            typer.echo(" ".join([f"error: {head}", "; ".join(rest)]).rstrip(), err=True)
            raise typer.Exit(2) from None

    return run


def example(arguments: str) -> str:
    """A command's worked example, shown at the end of its ``--help``."""
    return f"Example: attunement {arguments}"


def check_jobs(jobs: int | None) -> None:
    """``--jobs`` from 1 to 4 x the cores: more processes only share the same cores and multiply
    memory (``--jobs 1000`` started 14 processes and took 4.6 GB)."""
    cores = os.cpu_count() or 1
    if jobs is not None and not 1 <= jobs <= 4 * cores:
        raise ParameterError(
            f"jobs must be a whole number from 1 to {4 * cores} (4 x {cores} cores), got {jobs}"
        )


def existing_store(db: Path) -> Path:
    """``db`` when it is a file; a store is only ever created by ``attunement ingest``."""
    if not db.is_file():
        problem = "is a folder, not a store file" if db.is_dir() else "no such store"
        raise StoreError(f"{db}: {problem}; create one with `attunement ingest FILES --db {db}`")
    return db


@contextmanager
def progress_bar(verb: str, total: int):
    """A transient progress bar on stderr when it is a terminal and there is more than one item;
    yields ``tick(name)``."""
    if not (err.is_terminal and total > 1):
        yield lambda name: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn(verb), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[f]}"))
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(verb, total=total, f="")
        yield lambda name: bar.update(task, advance=1, f=str(name))


def read_paths(
    paths: list[Path],
    fmt: str | None,
    roles: Path | None,
    no_words: bool,
    prefer: str = "converted",
    annotations: list[Path] | None = None,
) -> Batch:
    """Every file under ``paths``; a file that cannot be read is kept in ``failures``. A
    dataset among them (``io.childproject``) is read as one, its recordings linked to their
    children, and what it holds is reported on stderr."""
    from attunement.io.childproject import add_import_list, split

    found, files, skipped = split(paths)
    for listed in annotations or []:
        home = [d for d in found if Path(os.path.realpath(listed)).is_relative_to(d.root)] or found
        if len(home) != 1:
            raise ParameterError(f"{listed}: --annotations needs one dataset to add it to")
        add_import_list(home[0], listed)
    with progress_bar("reading", len(files)) as tick:
        batch = read_batch(
            files, format=fmt, roles=roles, keep_text=not no_words, progress=lambda f: tick(f.name)
        )
    batch.skipped = skipped
    if found:
        from attunement.io.entries import read_dataset, summarise

        for ds in found:
            part, work = read_dataset(ds, prefer, roles, keep_text=not no_words)
            report_dataset(summarise(ds, work))
            batch.recordings += part.recordings
            batch.failures += part.failures
            batch.skipped += part.skipped
    return batch


def report_dataset(found) -> None:
    """What a dataset holds and what of it could not be read (``io.entries.DatasetSummary``):
    missing files are listed, never a failure."""
    kind = "ChildProject dataset" if found.layout == "childproject" else "folder with metadata"
    sets = f", {len(found.sets)} annotation set(s), {found.clips} clip(s)" if found.sets else ""
    err.print(
        f"{kind} {found.root}: {found.children} child(ren), {found.recordings} recording(s){sets}",
        highlight=False,
        soft_wrap=True,
    )
    for line in found.warnings:
        err.print(f"  warning: {line}", highlight=False, soft_wrap=True)
    if found.missing:
        err.print(f"  {len(found.missing)} clip(s) not read (files missing):", highlight=False)
        for line in found.missing:
            err.print(f"    {line}", highlight=False, soft_wrap=True)
    if found.unindexed:
        listed = ", ".join(found.unindexed[:5]) + (" ..." if len(found.unindexed) > 5 else "")
        err.print(
            f"  {len(found.unindexed)} file(s) under annotations/ that no clip of the index "
            f"uses, not read (add their import list with --annotations): {listed}",
            highlight=False,
            soft_wrap=True,
        )
    if found.discarded:
        err.print(f"  {found.discarded} clip(s) of discarded recordings left out", highlight=False)
    if found.removed:
        err.print(
            f"  {found.removed} stored recording(s) no longer in the dataset removed",
            highlight=False,
        )


def report_failures(batch: Batch) -> None:
    """Every failure at the end, one line each; exit status 1 if there was any."""
    if batch.skipped:
        kinds = Counter(p.suffix.lower() or p.name for p in batch.skipped)
        listed = ", ".join(f"{k} ×{n}" for k, n in kinds.most_common())
        err.print(
            f"skipped {len(batch.skipped)} file(s) that no reader claims: {listed}",
            highlight=False,
        )
    if batch.failures:
        err.print(f"\n{len(batch.failures)} file(s) could not be read:", style="bold red")
        for failure in batch.failures:
            err.print(f"  {failure}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
