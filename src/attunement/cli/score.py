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
    item_map: Annotated[
        str | None,
        typer.Option(
            "--item-map",
            help="Which data column holds which item, COLUMN=ITEM,... (the RQ by letter: "
            "A=secure,B=fearful,C=preoccupied,D=dismissing as your form letters them).",
        ),
    ] = None,
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
    keep: Annotated[
        str | None,
        typer.Option("--keep", help="Columns passed through to every output row (age,gender)."),
    ] = None,
    invalid: Annotated[
        str,
        typer.Option(
            "--invalid",
            help="Invalid answers: 'error' lists them and stops; 'missing' scores them as "
            "missing and reports them.",
        ),
    ] = "error",
    range_check: Annotated[
        bool,
        typer.Option(
            "--range-check/--no-range-check",
            help="Stop when 30+ respondents never reach an end of the scale.",
        ),
    ] = True,
    extrapolate: Annotated[
        bool,
        typer.Option(
            "--extrapolate",
            help="Allow --styles brennan1998 on instruments other than the 36-item ECR.",
        ),
    ] = False,
    confidence: Annotated[
        float, typer.Option("--confidence", help="Confidence level of alpha's interval.")
    ] = 0.95,
    items: Annotated[
        bool,
        typer.Option("--items", help="Print the item analysis (mean, SD, item-total r, alpha)."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="List every invalid answer one by one.")
    ] = False,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write one row of scores per respondent here.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score an attachment questionnaire (ECR, ECR-R, ECR-S, ECR-12, ECR-RS, RQ): subscale
    scores per respondent, flags and an optional style; a summary with alpha (Feldt CI), omega,
    the item analysis and style counts. Answers that do not fit the declared scale stop it with
    one summary and the flags that fix it. attunement measures score defines every figure."""
    from attunement.attachment import ResponseError, load, read_responses, score
    from attunement.measures.families.score import parse_item_map

    if invalid not in ("error", "missing"):
        err.print("error: --invalid must be 'error' or 'missing'")
        raise typer.Exit(2)
    inst = load(instrument)
    try:
        codes = [float(c) for c in missing.split(",") if c.strip()] if missing else []
    except ValueError:
        raise ParameterError(f"--missing must be numbers, got {missing!r}") from None
    pairs = parse_item_map(p for p in (item_map or "").split(",") if p.strip())
    kept = [c.strip() for c in (keep or "").split(",") if c.strip()]
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
            item_map=pairs,
            scale_min=scale_min,
            scale_max=scale_max,
            missing=codes,
            max_missing=max_missing,
            id_column=id_column,
            keep=kept,
            invalid="raise" if invalid == "error" else "missing",
            range_check=range_check,
            first_line=2,
            confidence=confidence,
            styles=styles,
            extrapolate=extrapolate,
        )
    except ReadError as exc:  # an input that cannot be read: exit 1
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    except ResponseError as exc:  # one summary with the flags that fix it; --verbose: every cell
        lines = exc.lines(str(file))
        err.print(f"error: {lines[0]}", highlight=False, soft_wrap=True)
        for line in lines[1:]:
            err.print(line, highlight=False, soft_wrap=True)
        for problem in exc.problems if verbose else ():
            err.print(f"  {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except DataError as exc:  # the table lacks item or id columns: name the file
        err.print(f"error: {file}: {exc}", highlight=False)
        raise typer.Exit(2) from None
    result = replace(result, path=str(file))
    if out_path is not None:
        with atomic(out_path) as temp:
            result.to_frame().write_csv(temp)
        err.print(f"scores written to {out_path}", highlight=False)
    if verbose:
        for problem in result.problems:
            err.print(f"warning: scored as missing: {problem}", highlight=False)
    elif result.problems:
        err.print(
            f"warning: {len(result.problems):,} invalid answer(s) scored as missing "
            "(--verbose lists them)",
            highlight=False,
        )
    if as_json:
        for warning in result.warnings:
            err.print(f"warning: {warning}", highlight=False)
        show.write_json(result)
    else:
        _print(result)
        if items:
            _print_items(result)


def _print_items(result: ScoreResult) -> None:
    """The item analysis: one row per item in administration order."""
    table = Table(
        title="items (keyed answers, complete cases; r: with the rest of the subscale)",
        title_justify="left",
    )
    for column in ("item", "column", "subscale", "reversed", "mean", "sd", "r", "alpha if deleted"):
        table.add_column(column, justify="left" if column in ("column", "subscale") else "right")
    for row in result.items.iter_rows(named=True):
        table.add_row(
            str(row["item"]),
            row["column"],
            row["subscale"],
            "yes" if row["reversed"] else "",
            *(_number(row[k]) for k in ("mean", "sd", "r_corrected", "alpha_if_deleted")),
        )
    out.print(table)


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
