"""The command line: one command per capability, ``--json`` for scripts. It holds no science."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import polars as pl
import typer
from rich.table import Table

from attunement.commands import (
    ingest,
    measure,
    repair,
    report,
    score,
    serve,
    simulate,
    simulate_session,
    stability,
    synchrony,
)
from attunement.commands.common import (
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
from attunement.errors import ReadError
from attunement.io import Batch
from attunement.measures.turns import RULES
from attunement.measures.turns import turns as measure_turns
from attunement.roles import RoleMapError
from attunement.roles import load as roles_load

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Measure the caregiver-child dance: serve and return, rupture and repair, attachment.",
)


@app.command()
def inspect(
    paths: Paths,
    format: FormatOpt = None,
    roles: RolesOpt = None,
    no_words: NoWordsOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Per recording: format, duration, segments per speaker type and kind, warnings."""
    batch = read_paths(paths, format, roles, no_words)
    summaries = [rec.summary() for rec in batch.recordings]
    if as_json:
        sys.stdout.write(json.dumps(summaries, indent=2, ensure_ascii=False) + "\n")
    else:
        for s in summaries:
            _print_summary(s)
    report_failures(batch)


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


@app.command("turns")
def turns_command(
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


def _selector(text: str) -> dict[str, list[str]]:
    """``"speaker_type=FEM|MAL,kind=vocal"`` -> ``{"speaker_type": ["FEM", "MAL"], ...}``."""
    out: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        column, sep, values = part.partition("=")
        if not sep or not values:
            raise typer.BadParameter(f"{part!r}: write COLUMN=VALUE[|VALUE...]")
        out[column.strip()] = [v.strip() for v in values.split("|")]
    return out


def _event_table(path: Path) -> pl.DataFrame | None:
    """A CSV of codes (column ``code``, optional ``sequence``, no ``segment_onset``), or None."""
    if path.suffix.lower() != ".csv":
        return None
    try:
        header = pl.read_csv(path, n_rows=0).columns
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError):
        return None
    if "code" not in header or "segment_onset" in header:
        return None
    return pl.read_csv(path, schema_overrides={"code": pl.String, "sequence": pl.String})


@app.command("sequential")
def sequential_command(
    paths: Paths,
    lag: Annotated[int, typer.Option("--lag", help="Lag k (events).")] = 1,
    no_repeats: Annotated[
        bool,
        typer.Option("--no-repeats", help="Codes cannot repeat: collapse repeats, diagonal zero."),
    ] = False,
    codes: Annotated[
        str | None, typer.Option("--codes", help="Comma-separated code order of the table.")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Column holding the code (recordings).")
    ] = None,
    window: Annotated[
        float | None, typer.Option("--window", help="Time-window analysis: window W in s.")
    ] = None,
    unit: Annotated[float, typer.Option("--unit", help="Time unit Δ in s (with --window).")] = 1.0,
    antecedent: Annotated[
        str, typer.Option("--antecedent", help="Antecedent rows, COLUMN=V|V,COLUMN=V.")
    ] = "speaker_type=CHI,kind=vocal",
    target: Annotated[
        str, typer.Option("--target", help="Target rows, COLUMN=V|V,COLUMN=V.")
    ] = "speaker_type=FEM|MAL|ADU,kind=vocal",
    antecedent_mode: Annotated[
        str, typer.Option("--antecedent-mode", help="Window from the onset or the duration.")
    ] = "onset",
    target_mode: Annotated[
        str, typer.Option("--target-mode", help="Target onset or occurrence in a unit.")
    ] = "onset",
    permutations: Annotated[
        int,
        typer.Option("--permutations", help="Permutations (events) or circular shifts (--window)."),
    ] = 0,
    pseudo_dyads: Annotated[
        bool, typer.Option("--pseudo-dyads", help="With --window: test against pseudo-dyads.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the nulls.")] = 0,
    as_json: JsonOpt = False,
    format: FormatOpt = None,
    roles: RolesOpt = None,
    no_words: NoWordsOpt = False,
) -> None:
    """Does B follow A more often than chance? Lag-sequential tables for event data (SDIS,
    a CSV of codes, coded recordings); time-window tables for timed data (--window)."""
    from attunement.io import sdis
    from attunement.measures.sequential import sequential, sequential_timed

    code_order = [c.strip() for c in codes.split(",")] if codes else None
    events, recordings, batch = None, [], Batch()
    try:
        for path in paths:
            table = _event_table(path)
            if table is not None:
                events = table if events is None else pl.concat([events, table])
            elif path.suffix.lower() == ".sds":
                data = sdis.load(path)
                if data.data_type == "Event":
                    events = (
                        data.sequences()
                        if events is None
                        else pl.concat([events, data.sequences()])
                    )
                else:
                    recordings += data.recordings(roles_load(roles), keep_text=not no_words)
            else:
                batch = read_paths([path], format, roles, no_words)
                recordings += batch.recordings
                report_failures(batch)
    except (ReadError, RoleMapError) as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    try:
        if window is not None:
            if not recordings:
                raise ValueError("--window needs timed data (recordings), not a list of codes")
            result = sequential_timed(
                recordings,
                _selector(antecedent),
                _selector(target),
                window=window,
                unit=unit,
                antecedent_mode=antecedent_mode,
                target_mode=target_mode,
                shifts=permutations,
                pseudo=pseudo_dyads,
                seed=seed,
            )
        else:
            data = events if events is not None else recordings
            result = sequential(
                data,
                lag=lag,
                codes=code_order,
                by=by,
                no_repeats=no_repeats,
                permutations=permutations,
                seed=seed,
            )
    except ValueError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
    elif window is not None:
        _print_timed(result)
    else:
        _print_lag(result)


def _grid(title: str, codes: list[str], rows: np.ndarray, fmt: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("given \\ target")
    for code in codes:
        table.add_column(code, justify="right")
    for code, row in zip(codes, rows, strict=True):
        table.add_row(code, *("" if np.isnan(v) else format(v, fmt) for v in row))
    return table


def _print_lag(result) -> None:
    lag = result.lag
    codes = list(lag.codes)
    out.print(
        f"lag {lag.parameters['lag']}: {lag.n_events} events in {lag.n_sequences} sequence(s), "
        f"{lag.n_pairs} pairs; G² = {lag.g2:.2f}, df = {lag.df}, p = {lag.p:.4g}"
    )
    out.print(_grid("frequencies", codes, lag.frequencies.astype(float), ".0f"))
    out.print(_grid("adjusted residuals", codes, lag.adjusted_residuals, ".2f"))
    out.print(_grid("Yule's Q", codes, lag.yules_q, ".2f"))
    if result.permutation is not None:
        n = result.permutation.parameters["n_permutations"]
        out.print(
            _grid(f"permutation p ({n} permutations)", codes, result.permutation.p_upper, ".3f")
        )
    for warning in lag.warnings:
        err.print(f"warning: {warning}")


def _print_timed(result) -> None:
    summary = result.summary
    frame = summary.to_frame()
    table = Table(title=f"time-window tables: {summary.parameters}", title_justify="left")
    for column in frame.columns:
        table.add_column(column)
    for row in frame.iter_rows():
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
    out.print(table)
    for shift in result.shifts:
        out.print(
            f"{shift.recording_id}: circular-shift p = {shift.test.p:.4f} "
            f"(observed Q {shift.test.observed_q:.3f}, null mean Q {shift.test.null_mean_q:.3f})"
        )


app.command("repair")(repair.command)
app.command("synchrony")(synchrony.command)
app.command("score")(score.command)
app.command("stability")(stability.command)
simulate.app.command("session")(simulate_session.command)
app.add_typer(simulate.app, name="simulate")
app.command("ingest")(ingest.command)
app.command("measure")(measure.command)
app.command("report")(report.command)
app.command("serve")(serve.command)
