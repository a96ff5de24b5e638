"""``attunement report``: one self-contained HTML report (inline SVG, no script, works offline)
of recordings, a corpus store or questionnaire scores, with a coach view for families."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

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
from attunement.errors import ParameterError, ReadError, StoreDamaged, StoreError
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
    error_model: Annotated[
        str | None,
        typer.Option(
            "--error-model",
            help="Error model JSON or preset: turns shown with their 95% range.",
        ),
    ] = None,
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
    child_name: Annotated[
        str | None, typer.Option("--child-name", help="With --coach: the child's name.")
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="With --coach: the language, en or es.")
    ] = "en",
    birth_date: Annotated[
        str | None,
        typer.Option("--birth-date", help="With --coach: YYYY-MM-DD, for the age at each visit."),
    ] = None,
    visit_dates: Annotated[
        list[str] | None,
        typer.Option(
            "--visit-date",
            help="With --coach: ID=YYYY-MM-DD, the date of a recording that has none (repeat).",
        ),
    ] = None,
    min_hours: Annotated[
        float,
        typer.Option(
            "--min-hours", min=0, max=24 * 31, help="With --coach: the least audio for figures."
        ),
    ] = 4.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --coach: print what the pages say as JSON.")
    ] = False,
    format: FormatOpt = None,
    roles: RolesOpt = None,
) -> None:
    """Write one self-contained HTML report (plots as inline SVG, no network needed) of
    recordings, of a corpus store (--db) or of a score file from `attunement score --out`:
    timeline, turns per hour, response latency, state space grid and repair latency as the data
    allow, with a plain-language coach view for families and every number one click away.

    With --coach, recordings of one child are visits: one page per visit (ordered by date, or
    by the files' order when a date is missing) and a progress page, in English or Spanish."""
    if bool(paths) == (db is not None):
        err.print("error: give files or folders to report on, or --db STORE (not both)")
        raise typer.Exit(2)
    if (scale_min is None) != (scale_max is None):
        err.print("error: give both --scale-min and --scale-max, or neither")
        raise typer.Exit(2)
    family_view = coach_view and db is None and not any(_is_scores(p) for p in paths or [])
    family_options = _family_options(
        family_view, child_name, lang, birth_date, visit_dates, min_hours, as_json
    )
    from attunement.report import build  # numpy, polars, matplotlib: only when a report is made
    from attunement.report.coach import load_templates

    templates = load_templates(coach_templates)
    if db is not None:
        existing_store(db)
    inputs = [*(paths or []), db, coach_templates, roles, Path(match_table)]
    check_file(out_path, inputs)
    batch = result = None
    options = {"coach_view": coach_view, "templates": templates}
    measures = {
        "settings": {
            "turns": {"rule": rule, "error_model": error_model},
            "repair": {"match_table": match_table},
        },
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
            if family_view:
                from attunement.report.family import family_report

                result = family_report(
                    batch.recordings,
                    words=not no_words,
                    settings=measures["settings"],
                    common=measures["common"],
                    **family_options,
                )
                text = result.html
            else:
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
    if as_json and result is not None:
        sys.stdout.write(json.dumps(result.data, ensure_ascii=False, indent=2) + "\n")
    if batch is not None:
        report_failures(batch)  # files that could not be read are listed; exit status 1


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{option} must be a date as YYYY-MM-DD, got {text!r}") from None


def _family_options(
    family_view: bool,
    child_name: str | None,
    lang: str,
    birth_date: str | None,
    visit_dates: list[str] | None,
    min_hours: float,
    as_json: bool,
) -> dict[str, Any]:
    """The family view's options, checked before any file is read; each is refused (one line,
    exit 2) without --coach on recordings."""
    from attunement.report.i18n import LANGUAGES

    given = child_name or lang != "en" or birth_date or visit_dates or as_json or min_hours != 4.0
    if given and not family_view:
        raise ParameterError(
            "--child-name, --lang, --birth-date, --visit-date, --min-hours and --json belong to "
            "the family view: add --coach and give recordings"
        )
    if lang not in LANGUAGES:
        raise ParameterError(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    dates = {}
    for item in visit_dates or []:
        rec_id, sep, day = item.rpartition("=")
        if not sep or not rec_id:
            raise ParameterError(f"--visit-date must be ID=YYYY-MM-DD, got {item!r}")
        dates[rec_id] = _day(day, "--visit-date")
    return {
        "lang": lang,
        "child_name": child_name,
        "birth_date": _day(birth_date, "--birth-date") if birth_date else None,
        "dates": dates,
        "min_hours": min_hours,
    }
