"""``attunement turns``: serve and return per recording under a named turn rule."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attunement.cli import show
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
from attunement.measures.families.turns import FAMILY, RULE_NAMES
from attunement.measures.params import validate
from attunement.outputs import check_plot


def command(
    paths: Paths,
    rule: Annotated[
        str, typer.Option("--rule", help=f"Turn rule: {', '.join(RULE_NAMES)}.")
    ] = "lena",
    window_s: Annotated[
        float | None,
        typer.Option("--window-s", help="The rule's window W in s (default: the rule's own)."),
    ] = None,
    overlap_s: Annotated[
        float | None,
        typer.Option("--overlap-s", help="Rule window: how far an answer may overlap, in s."),
    ] = None,
    n_resamples: Annotated[
        int,
        typer.Option("--n-resamples", help="Circular shifts for the chance baseline (0: off)."),
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the chance baseline.")] = 0,
    allow_large: Annotated[
        bool, typer.Option("--allow-large", help="Allow --n-resamples above its cap.")
    ] = False,
    project_12h: Annotated[
        bool, typer.Option("--project-12h", help="Add LENA's 12-hour projection, labelled.")
    ] = False,
    error_model: Annotated[
        str | None,
        typer.Option(
            "--error-model",
            help="Error model JSON (attunement agree --save-error-model) or a preset "
            "(vtc-lavechin2020, lena-lavechin2020): 95% intervals from --n-resamples "
            "simulated days.",
        ),
    ] = None,
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
    """Serve and return per recording: turns, serves, returns, response rate, latency,
    exchanges and the chance baseline (attunement measures defines every figure)."""
    if as_json and as_csv:
        err.print("error: choose one of --json and --csv")
        raise typer.Exit(2)
    config = validate(
        FAMILY.parameters,
        {
            "rule": rule,
            "window_s": window_s,
            "overlap_s": overlap_s,
            "n_resamples": n_resamples,
            "seed": seed,
            "project_12h": project_12h,
            "error_model": error_model,
        },
        FAMILY.name,
        allow_large=allow_large,
    )
    if plot is not None:
        check_plot(plot, [*paths, roles])
    if error_model is not None:  # a bad file is one line before any recording is read
        from attunement.measures.agreement.error_model import load

        load(error_model)
    batch = read_paths(paths, format, roles, no_words)
    results = []
    with progress_bar(f"turns ({rule})", len(batch.recordings)) as tick:
        for rec in batch.recordings:
            tick(rec.id)
            results.append(FAMILY.function()(rec, **config))
    if plot is not None:
        from attunement.report.turns_plot import plot_turns

        for r in results:
            target = plot if len(results) == 1 else plot.with_stem(f"{plot.stem}-{r.recording_id}")
            err.print(f"plot: {plot_turns(r, target)}")
    if as_json:
        show.write_json(results)
    elif as_csv:
        show.write_csv(results)
    else:
        for r in results:
            grid = show.table(r, f"{r.path}  [{r.rule}]")
            if r.lena_agreement is not None:
                a = r.lena_agreement
                grid.add_row(
                    FAMILY.figure("lena_agreement").label,
                    f"LENA counts {a['lena_turns']:,}; same count in {a['blocks_agreeing']:,} "
                    f"of {a['blocks']:,} conversation blocks",
                )
            out.print(grid)
    report_failures(batch)
