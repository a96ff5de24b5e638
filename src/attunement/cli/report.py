"""``attunement report``: one self-contained HTML report (inline SVG, no script, works offline)
of recordings, a corpus store or questionnaire scores, with a coach view for families."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attunement.cli.common import (
    FormatOpt,
    NoWordsOpt,
    RolesOpt,
    err,
    existing_store,
    read_paths,
    report_failures,
)
from attunement.errors import ReadError, StoreDamaged, StoreError
from attunement.measures.families.turns import RULE_NAMES
from attunement.measures.registry import family
from attunement.outputs import check_file
from attunement.report.specs import TOP_DEFAULT


def _is_scores(path: Path) -> bool:
    """A CSV whose header has ``anxiety`` and ``avoidance`` (``attunement score --out``)."""
    import polars as pl

    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    try:
        header = pl.read_csv(path, n_rows=0).columns
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError):
        return False
    return {"anxiety", "avoidance"} <= set(header)


def command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Recordings (files or folders) or one score file.", show_default=False),
    ] = None,
    db: Annotated[
        Path | None, typer.Option("--db", help="Report on a corpus store instead of files.")
    ] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    coach_view: Annotated[
        bool, typer.Option("--coach", help="Open on the coach view for families; numbers behind.")
    ] = False,
    no_words: NoWordsOpt = False,
    rule: Annotated[
        str, typer.Option("--rule", help=f"Turn rule: {', '.join(RULE_NAMES)}.")
    ] = "lena",
    n_resamples: Annotated[
        int,
        typer.Option("--n-resamples", help="Circular shifts for the chance baseline (0: off)."),
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the chance baseline.")] = 0,
    match_table: Annotated[
        str,
        typer.Option(
            "--match-table", help="Repair match table: a preset, a CSV, or auto (first that fits)."
        ),
    ] = "auto",
    top: Annotated[
        int, typer.Option("--top", min=0, help="With --db: sections for the N busiest recordings.")
    ] = TOP_DEFAULT,
    scale_min: Annotated[
        float | None, typer.Option("--scale-min", help="Scores: lowest answer (draws midpoint).")
    ] = None,
    scale_max: Annotated[
        float | None, typer.Option("--scale-max", help="Scores: highest answer.")
    ] = None,
    coach_templates: Annotated[
        Path | None,
        typer.Option("--coach-templates", help="JSON file replacing coach sentences by id."),
    ] = None,
    format: FormatOpt = None,
    roles: RolesOpt = None,
) -> None:
    """Write one self-contained HTML report (plots as inline SVG, no network needed) of
    recordings, of a corpus store (--db) or of a score file from `attunement score --out`:
    timeline, turns per hour, response latency, state space grid and repair latency as the data
    allow, with a plain-language coach view for families and every number one click away."""
    if bool(paths) == (db is not None):
        err.print("error: give files or folders to report on, or --db STORE (not both)")
        raise typer.Exit(2)
    if (scale_min is None) != (scale_max is None):
        err.print("error: give both --scale-min and --scale-max, or neither")
        raise typer.Exit(2)
    from attunement.report import build  # numpy, polars, matplotlib: only when a report is made
    from attunement.report.coach import load_templates

    templates = load_templates(coach_templates)
    if db is not None:
        existing_store(db)
    inputs = [*(paths or []), db, coach_templates, roles, Path(match_table)]
    check_file(out_path, inputs)
    batch = None
    options = {"coach_view": coach_view, "templates": templates}
    measures = {
        "settings": {"turns": {"rule": rule}, "repair": {"match_table": match_table}},
        "common": {"n_resamples": n_resamples, "seed": seed},
    }
    for name, values in measures["settings"].items():  # refused before any work starts
        family(name).configure({**values, **measures["common"]} if name == "turns" else values)
    try:
        if db is not None:
            text = build.corpus_report(db, top=top, words=not no_words, **measures, **options)
        elif any(_is_scores(p) for p in paths):
            if len(paths) != 1:
                err.print("error: a score file is reported on its own; give just that file")
                raise typer.Exit(2)
            scale = None if scale_min is None else (scale_min, scale_max)
            text = build.scores_report(paths[0], scale=scale, **options)
        else:
            batch = read_paths(paths, format, roles, no_words)
            if not batch.recordings:
                for failure in batch.failures:
                    err.print(f"error: {failure}", highlight=False, soft_wrap=True)
                err.print("error: no recording could be read; nothing to report")
                raise typer.Exit(1)
            text = build.recording_report(
                batch.recordings, words=not no_words, **measures, **options
            )
    except StoreDamaged:  # a damaged store: one line, exit 2, as from every command
        raise
    except (ReadError, StoreError) as exc:  # an input that cannot be read: exit 1
        err.print(f"error: {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    path = build.write(text, out_path)
    err.print(f"report: {path}", highlight=False)
    if batch is not None:
        report_failures(batch)  # files that could not be read are listed; exit status 1
