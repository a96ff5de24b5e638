"""`attunement score`: score an attachment questionnaire, one row per respondent."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from attunement.attachment import (
    METHODS,
    ResponseError,
    available,
    classify,
    load,
    read_responses,
    score,
    summarise,
)
from attunement.cli.common import JsonOpt, err, out
from attunement.errors import DataError, ParameterError, ReadError
from attunement.outputs import atomic, check_file


def command(
    instrument: Annotated[
        str, typer.Argument(help=f"Instrument: {', '.join(available())}.", show_default=False)
    ],
    file: Annotated[
        Path, typer.Argument(help="Responses: CSV/TSV, one row per respondent.", show_default=False)
    ],
    items_prefix: Annotated[
        str, typer.Option("--items-prefix", help="Item columns are PREFIX1..PREFIXk.")
    ] = "Q",
    scale_min: Annotated[
        int | None, typer.Option("--scale-min", help="Lowest answer (default: published).")
    ] = None,
    scale_max: Annotated[
        int | None, typer.Option("--scale-max", help="Highest answer (default: published).")
    ] = None,
    missing: Annotated[
        str | None,
        typer.Option("--missing", help="Declared missing code(s), comma-separated (e.g. 0)."),
    ] = None,
    max_missing: Annotated[
        float,
        typer.Option("--max-missing", help="Largest share of a subscale's items allowed missing."),
    ] = 0.2,
    styles: Annotated[
        str | None,
        typer.Option("--styles", help=f"Add a category by method: {', '.join(METHODS)}."),
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option("--id-column", help="Respondent id column (default: 'id' if present)."),
    ] = None,
    invalid: Annotated[
        str,
        typer.Option(
            "--invalid",
            help="Invalid answers: 'error' lists them and stops; 'missing' scores them as "
            "missing and reports them.",
        ),
    ] = "error",
    confidence: Annotated[
        float, typer.Option("--confidence", help="Confidence level of alpha's interval.")
    ] = 0.95,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write one row of scores per respondent here.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score an attachment questionnaire (ECR, ECR-R, ECR-S, ECR-12, ECR-RS, RQ): subscale
    scores per respondent, flags and an optional style; a summary with alpha (Feldt CI), omega
    and style counts. Every invalid answer is named by respondent and item."""
    if invalid not in ("error", "missing"):
        err.print("error: --invalid must be 'error' or 'missing'")
        raise typer.Exit(2)
    if styles is not None and styles not in METHODS:
        err.print(f"error: unknown --styles {styles!r}; choose one of {', '.join(METHODS)}")
        raise typer.Exit(2)
    inst = load(instrument)
    try:
        codes = [float(c) for c in missing.split(",") if c.strip()] if missing else []
    except ValueError:
        raise ParameterError(f"--missing must be numbers, got {missing!r}") from None
    if styles is not None and not {"anxiety", "avoidance"} <= set(inst.subscales):
        err.print(f"error: {inst.id} has no anxiety and avoidance scores to classify")
        raise typer.Exit(2)
    if out_path is not None:
        check_file(out_path, [file])
    try:
        data = read_responses(file)
        if id_column is None and "id" in data.columns:
            id_column = "id"
        result = score(
            data,
            inst,
            items_prefix=items_prefix,
            scale_min=scale_min,
            scale_max=scale_max,
            missing=codes,
            max_missing=max_missing,
            id_column=id_column,
            invalid="raise" if invalid == "error" else "missing",
            first_line=2,
        )
    except ReadError as exc:  # an input that cannot be read: exit 1
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    except ResponseError as exc:
        err.print(
            f"error: {file}: {len(exc.problems)} invalid item response(s):",
            highlight=False,
            soft_wrap=True,
        )
        for problem in exc.problems:
            err.print(f"  {problem}", highlight=False, soft_wrap=True)
        err.print("fix them, declare missing codes (--missing), or use --invalid missing")
        raise typer.Exit(1) from None
    except DataError as exc:  # the table lacks item or id columns: name the file
        err.print(f"error: {file}: {exc}", highlight=False)
        raise typer.Exit(2) from None

    frame = result.scores
    style_result = None
    if styles is not None:
        style_result = classify(
            frame["anxiety"].to_numpy(),
            frame["avoidance"].to_numpy(),
            styles,
            scale_min=result.parameters["scale_min"],
            scale_max=result.parameters["scale_max"],
        )
        frame = frame.with_columns(style_result.labels, style_method=pl.lit(styles))
    summary = summarise(result, confidence=confidence, styles=style_result)
    summary["file"] = str(file)
    if out_path is not None:
        with atomic(out_path) as temp:
            frame.write_csv(temp)
        summary["out"] = str(out_path)
    for problem in result.problems:
        err.print(f"warning: scored as missing: {problem}", highlight=False)
    for warning in result.warnings:
        err.print(f"warning: {warning}", highlight=False)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        _print(summary)


def _print(summary: dict) -> None:
    title = f"{summary['file']}  [{summary['instrument']}]"
    table = Table(title=title, title_justify="left")
    for column in ("subscale", "items", "n", "mean", "sd", "alpha (CI)", "omega"):
        table.add_column(column, justify="left" if column == "subscale" else "right")
    for name, s in summary["subscales"].items():
        alpha = "" if s["alpha"] is None else f"{s['alpha']:.3f}"
        if s["alpha_ci"]:
            alpha += f" ({s['alpha_ci'][0]:.3f}-{s['alpha_ci'][1]:.3f})"
        table.add_row(
            name,
            str(s["items"]),
            str(s["n"]),
            "" if s["mean"] is None else f"{s['mean']:.3f}",
            "" if s["sd"] is None else f"{s['sd']:.3f}",
            alpha,
            "" if s["omega"] is None else f"{s['omega']:.3f}",
        )
    out.print(table)
    out.print(
        f"{summary['n_respondents']} respondents, {summary['n_complete']} complete; "
        f"{summary['straight_line']} straight-lined; {summary['n_problems']} invalid answers"
    )
    for pair, r in summary["correlations"].items():
        out.print(f"r({pair.replace('~', ', ')}) = {r:.3f}" if r is not None else pair)
    if "styles" in summary:
        st = summary["styles"]
        counts = ", ".join(f"{k} {v}" for k, v in st["counts"].items())
        out.print(f"styles ({st['method']}): {counts}")
        for warning in st["warnings"]:
            err.print(f"note: {warning}")
    if "out" in summary:
        out.print(f"scores written to {summary['out']}")
