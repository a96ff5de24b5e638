"""The command line: one command per capability, ``--json`` for scripts. It holds no science."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from attunement.io import Batch, expand, formats, read_batch
from attunement.roles import RoleMapError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Measure the caregiver-child dance: serve and return, rupture and repair, attachment.",
)
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


def _read(paths: list[Path], fmt: str | None, roles: Path | None, no_words: bool) -> Batch:
    if fmt is not None and fmt not in formats():
        err.print(f"error: unknown format {fmt!r}; known: {', '.join(formats())}")
        raise typer.Exit(2)
    files, _ = expand(paths)
    show = err.is_terminal and len(files) > 1
    try:
        if not show:
            return read_batch(paths, format=fmt, roles=roles, keep_text=not no_words)
        with Progress(
            TextColumn("reading"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[f]}"),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("read", total=len(files), f="")

            def tick(f: Path) -> None:
                bar.update(task, advance=1, f=f.name)

            return read_batch(paths, format=fmt, roles=roles, keep_text=not no_words, progress=tick)
    except RoleMapError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from None


def _report_failures(batch: Batch) -> None:
    """Every failure at the end, one line each; exit status 1 if there was any."""
    for path in batch.skipped:
        err.print(f"skipped (no reader for this extension): {path}", highlight=False)
    if batch.failures:
        err.print(f"\n{len(batch.failures)} file(s) could not be read:", style="bold red")
        for failure in batch.failures:
            err.print(f"  {failure}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


@app.command()
def inspect(
    paths: Paths,
    format: FormatOpt = None,
    roles: RolesOpt = None,
    no_words: NoWordsOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Per recording: format, duration, segments per speaker type and kind, warnings."""
    batch = _read(paths, format, roles, no_words)
    summaries = [rec.summary() for rec in batch.recordings]
    if as_json:
        sys.stdout.write(json.dumps(summaries, indent=2, ensure_ascii=False) + "\n")
    else:
        for s in summaries:
            _print_summary(s)
    _report_failures(batch)


def _print_summary(s: dict) -> None:
    table = Table(title=f"{s['path']}  [{s['format']}]", title_justify="left", show_header=False)
    table.add_row("recording", s["id"])
    table.add_row("duration", f"{s['duration_s'] / 3600:.2f} h ({s['duration_s']:.1f} s)")
    if s["start"]:
        table.add_row("start", s["start"])
    if s["child_age_days"] is not None:
        table.add_row("child age", f"{s['child_age_days']} days")
    table.add_row("segments", f"{s['segments']} ({s['timed']} timed, {s['untimed']} untimed)")
    table.add_row("speaker_type", "  ".join(f"{k} {v}" for k, v in s["speaker_type"].items()))
    table.add_row("kind", "  ".join(f"{k} {v}" for k, v in s["kind"].items()))
    for warning in s["warnings"]:
        table.add_row("[yellow]warning[/]", warning)
    out.print(table)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
