"""`attunement score`: score an attachment questionnaire, one row per respondent."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from attunement.cli import show
from attunement.cli.common import JsonOpt, err, out
from attunement.errors import DataError, ParameterError, ReadError
from attunement.measures.families.styles import METHODS
from attunement.outputs import atomic, check_file

if TYPE_CHECKING:
    from attunement.attachment import ScoreResult


def command(
    instrument: Annotated[
        str,
        typer.Argument(
            help="Instrument id: ecr, ecr-r, ecr-s, ecr-12, ecr-rs, rq ... (an unknown id lists "
            "every one).",
            show_default=False,
        ),
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
    and style counts. Every invalid answer is named by respondent and item. attunement measures
    score defines every figure."""
    from attunement.attachment import ResponseError, load, read_responses, score

    if invalid not in ("error", "missing"):
        err.print("error: --invalid must be 'error' or 'missing'")
        raise typer.Exit(2)
    inst = load(instrument)
    try:
        codes = [float(c) for c in missing.split(",") if c.strip()] if missing else []
    except ValueError:
        raise ParameterError(f"--missing must be numbers, got {missing!r}") from None
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
            confidence=confidence,
            styles=styles,
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
    result = replace(result, path=str(file))
    if out_path is not None:
        with atomic(out_path) as temp:
            result.to_frame().write_csv(temp)
        err.print(f"scores written to {out_path}", highlight=False)
    for problem in result.problems:
        err.print(f"warning: scored as missing: {problem}", highlight=False)
    if as_json:
        for warning in result.warnings:
            err.print(f"warning: {warning}", highlight=False)
        show.write_json(result)
    else:
        _print(result)


def _print(result: ScoreResult) -> None:
    """Every subscale (descriptives and reliability), the sample's figures with their catalogue
    labels, and the categories when asked for."""
    table = Table(title=f"{result.path}  [{result.instrument.id}]", title_justify="left")
    columns = ("subscale", "items", "scored", "complete", "mean", "sd", "alpha (CI)", "omega")
    for column in columns:
        table.add_column(column, justify="left" if column == "subscale" else "right")
    for name, s in result.subscales.items():
        alpha = _number(s["alpha"])
        if s["alpha"] is not None:
            alpha += f" ({s['alpha_low']:.3f}-{s['alpha_high']:.3f})"
        table.add_row(
            name,
            str(s["items"]),
            str(s["scored"]),
            str(s["n"]),
            *(_number(s[k]) for k in ("mean", "sd")),
            alpha,
            _number(s["omega"]),
        )
    out.print(table)
    out.print(show.table(result, "sample"))
    if result.styles is not None:
        out.print(show.table(result.styles, "attachment categories"))


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
