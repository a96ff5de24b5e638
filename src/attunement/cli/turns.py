"""``attunement turns``: serve and return per recording under a named turn rule."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from attunement.cli.common import (
    FormatOpt,
    JsonOpt,
    NoWordsOpt,
    Paths,
    RolesOpt,
    err,
    out,
    progress_bar,
    read_paths,
    report_failures,
)
from attunement.measures.turns import RULES
from attunement.measures.turns import turns as measure_turns

SCALARS = (
    "path",
    "recording_id",
    "rule",
    "recorded_s",
    "turns",
    "turns_per_hour",
    "child_units",
    "adult_units",
    "child_serves",
    "adult_serves",
    "child_serves_returned",
    "adult_serves_returned",
    "response_rate",
    "latency_median_s",
    "exchanges",
    "longest_exchange",
    "other_child_units",
    "other_child_turns",
    "chance_turns",
    "chance_ratio",
    "chance_p",
)


def command(
    paths: Paths,
    rule: Annotated[str, typer.Option("--rule", help=f"Turn rule: {', '.join(RULES)}.")] = "lena",
    window: Annotated[
        float | None,
        typer.Option("--window", help="The rule's window in seconds (default: the rule's own)."),
    ] = None,
    overlap: Annotated[
        float | None, typer.Option("--overlap", help="Overlap allowance in s (rule window).")
    ] = None,
    chance: Annotated[
        int, typer.Option("--chance", help="Circular shifts for the chance baseline (0: off).")
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the chance baseline.")] = 0,
    project_12h: Annotated[
        bool, typer.Option("--project-12h", help="Add LENA's 12-hour projection, labelled.")
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Draw each recording to PLOT (PNG/SVG/PDF); several get -ID."),
    ] = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print one CSV row per recording.")] = False,
    format: FormatOpt = None,
    roles: RolesOpt = None,
    no_words: NoWordsOpt = False,
) -> None:
    """Serve and return per recording: turns, serves, response rate, latency, exchanges, chance."""
    if rule not in RULES:
        err.print(f"error: unknown turn rule {rule!r}; choose one of {', '.join(RULES)}")
        raise typer.Exit(2)
    if as_json and as_csv:
        err.print("error: choose one of --json and --csv")
        raise typer.Exit(2)
    params = {"window": window}
    if overlap is not None:
        params["overlap"] = overlap
    batch = read_paths(paths, format, roles, no_words)
    results = []
    try:
        with progress_bar(f"turns ({rule})", len(batch.recordings)) as tick:
            for rec in batch.recordings:
                tick(rec.id)
                results.append(
                    measure_turns(
                        rec, rule, chance=chance, seed=seed, project_12h=project_12h, **params
                    )
                )
    except ValueError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from None
    if plot is not None:
        from attunement.report.turns_plot import plot_turns

        for r in results:
            target = plot if len(results) == 1 else plot.with_stem(f"{plot.stem}-{r.recording_id}")
            err.print(f"plot: {plot_turns(r, target)}")
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in results], indent=2, default=str) + "\n")
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=SCALARS, extrasaction="ignore")
        writer.writeheader()
        for r in results:
            writer.writerow(r.to_dict(bins=False))
    else:
        for r in results:
            _print_turns(r)
    report_failures(batch)


def _print_turns(r) -> None:
    params = ", ".join(f"{k}={v}" for k, v in r.parameters.items())
    table = Table(title=f"{r.path}  [{r.rule}]", title_justify="left", show_header=False)
    table.add_row("parameters", params)
    table.add_row("recorded", f"{r.recorded_s / 3600:.2f} h")
    table.add_row("turns", f"{r.turns}  ({r.turns_per_hour} per hour)")
    table.add_row("serves", f"child {r.child_serves}, adult {r.adult_serves}")
    table.add_row(
        "returned",
        f"child serves {r.child_serves_returned}, adult serves {r.adult_serves_returned}",
    )
    if r.response_rate is not None:
        table.add_row("response rate", f"{r.response_rate:.1%} of child vocalisations")
    if r.latency_median_s is not None:
        q1, q3 = r.latency_iqr_s
        table.add_row("latency", f"median {r.latency_median_s:.2f} s (IQR {q1:.2f}-{q3:.2f} s)")
    table.add_row("exchanges", f"{r.exchanges} (longest {r.longest_exchange} turns)")
    if r.chance_turns is not None:
        ratio = "n/a" if r.chance_ratio is None else f"{r.chance_ratio:.2f}"
        table.add_row(
            "chance", f"{r.chance_turns:.1f} turns; observed/chance {ratio}; p = {r.chance_p:.3f}"
        )
    if r.projection_12h is not None:
        table.add_row("12 h projection", f"{r.projection_12h} turns (LENA-style, projected)")
    if r.lena_agreement is not None:
        a = r.lena_agreement
        table.add_row(
            "LENA's own count",
            f"{a['lena_turns']}; agrees in {a['blocks_agreeing']} of {a['blocks']} blocks",
        )
    for warning in r.warnings:
        table.add_row("[yellow]warning[/]", warning)
    out.print(table)
