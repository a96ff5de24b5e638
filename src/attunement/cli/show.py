"""Results for people and for scripts, with names, labels and units from the figure catalogue.

``table(result)``: a rich table of the result's parameters (in plain ``name value`` form) and
scalar figures (``label``, value with its unit's precision); ``csv_rows(results)``: one CSV row
per result with the catalogue's figure names as columns; ``json_text(results)``: the results'
``to_dict()`` as JSON. No command spells a figure's name or label.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from attunement.measures.base import Result


def parameter_text(result: Result) -> str:
    """The parameters a person needs to read the numbers: every declared parameter the result
    used, ``name value`` with seconds and yes/no spelled out (no Python reprs)."""
    parts = []
    for p in result.spec().parameters:
        value = result.parameters.get(p.name)
        if value is None or value == () or value == []:
            continue
        if p.kind == "seconds":
            shown = f"{value:g} s"
        elif p.kind == "rate":
            shown = f"{value:g} Hz"
        elif p.kind == "flag":
            shown = "yes" if value else "no"
        elif isinstance(value, list | tuple):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        parts.append(f"{p.name} {shown}")
    return "; ".join(parts)


def table(result: Result, title: str) -> Table:
    """One result for people: parameters, then one row per scalar figure that has a value."""
    grid = Table(title=title, title_justify="left", show_header=False)
    grid.add_row("parameters", parameter_text(result))
    values = result.figures()
    for figure in result.spec().scalars:
        if values[figure.name] is not None:
            grid.add_row(figure.label, figure.display(values[figure.name]))
    for warning in result.warnings:
        grid.add_row("[yellow]warning[/]", warning)
    return grid


def columns(results: Sequence[Result]) -> list[str]:
    """CSV columns: identity, then the family's scalar figures in catalogue order."""
    first = results[0]
    return [*first.identity(), *(f.name for f in first.spec().scalars)]


def write_csv(results: Sequence[Result]) -> None:
    """One CSV row per result on stdout."""
    if not results:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=columns(results), extrasaction="ignore")
    writer.writeheader()
    for r in results:
        writer.writerow({**r.identity(), **r.figures()})


def write_json(data: Any) -> None:
    """``data`` (results become their ``to_dict()``) as indented JSON on stdout."""
    if isinstance(data, Result):
        data = data.to_dict()
    elif isinstance(data, list) and data and isinstance(data[0], Result):
        data = [r.to_dict() for r in data]
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
