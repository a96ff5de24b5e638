"""``attunement measures``: every measure family, its parameters and its figures (the catalogue)."""

from __future__ import annotations

from typing import Annotated

import typer

from attunement.cli.common import JsonOpt, out


def command(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Only these families (default: all).", show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List every measure family with its parameters (defaults, what a valid value is) and its
    figures (name, unit, label, definition, source): the names used by every --json output,
    CSV, report and export."""
    from attunement.measures.registry import families, family

    chosen = [family(n) for n in names] if names else families()
    if as_json:
        from attunement.cli.show import write_json

        write_json([f.to_dict() for f in chosen])
        return
    from rich.table import Table

    for f in chosen:
        out.print(f"\n[bold]{f.name}[/]: {f.title} (takes {f.input})", highlight=False)
        out.print(f.summary, highlight=False)
        params = Table("parameter", "default", "valid values", "meaning", title_justify="left")
        for p in f.parameters:
            default = "-" if p.default is None else str(p.default)
            params.add_row(p.name, default, p.requirement(), p.help)
        out.print(params)
        figures = Table("figure", "unit", "label", "definition", title_justify="left")
        for g in f.figures:
            figures.add_row(
                g.name + (" (detail)" if g.shape == "detail" else ""), g.unit, g.label, g.definition
            )
        out.print(figures)
        if f.source:
            out.print(f"source: {f.source}", highlight=False)
