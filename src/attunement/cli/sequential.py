"""``attunement sequential``: lag-sequential and time-window contingency tables."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    read_paths,
    report_failures,
)
from attunement.errors import DataError, ReadError
from attunement.io import Batch

if TYPE_CHECKING:
    import numpy as np
    import polars as pl


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
    import polars as pl

    if path.suffix.lower() != ".csv":
        return None
    try:
        header = pl.read_csv(path, n_rows=0).columns
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError):
        return None
    if "code" not in header or "segment_onset" in header:
        return None
    return pl.read_csv(path, schema_overrides={"code": pl.String, "sequence": pl.String})


def command(
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
    window_s: Annotated[
        float | None, typer.Option("--window-s", help="Time-window analysis: window W in s.")
    ] = None,
    unit_s: Annotated[
        float, typer.Option("--unit-s", help="Time unit Δ in s (with --window-s).")
    ] = 1.0,
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
    n_resamples: Annotated[
        int,
        typer.Option(
            "--n-resamples", help="Permutations (events) or circular shifts (--window-s)."
        ),
    ] = 0,
    pseudo_dyads: Annotated[
        bool, typer.Option("--pseudo-dyads", help="With --window-s: test against pseudo-dyads.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the nulls.")] = 0,
    as_json: JsonOpt = False,
    format: FormatOpt = None,
    roles: RolesOpt = None,
    no_words: NoWordsOpt = False,
) -> None:
    """Does B follow A more often than chance? Lag-sequential tables for event data (SDIS,
    a CSV of codes, coded recordings); time-window tables for timed data (--window-s)."""
    import polars as pl

    from attunement.io import sdis
    from attunement.measures.sequential import sequential, sequential_timed
    from attunement.roles import RoleMapError
    from attunement.roles import load as roles_load

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
    except (ReadError, RoleMapError) as exc:  # an input that cannot be read: exit 1
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    if window_s is not None:
        if not recordings:
            raise DataError("--window-s needs timed data (recordings), not a list of codes")
        result = sequential_timed(
            recordings,
            _selector(antecedent),
            _selector(target),
            window_s=window_s,
            unit_s=unit_s,
            antecedent_mode=antecedent_mode,
            target_mode=target_mode,
            n_resamples=n_resamples,
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
            n_resamples=n_resamples,
            seed=seed,
        )
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
    elif window_s is not None:
        _print_timed(result)
    else:
        _print_lag(result)


def _grid(title: str, codes: list[str], rows: np.ndarray, fmt: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("given \\ target")
    for code in codes:
        table.add_column(code, justify="right")
    for code, row in zip(codes, rows, strict=True):
        table.add_row(code, *("" if math.isnan(v) else format(v, fmt) for v in row))
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
        n = result.permutation.parameters["n_resamples"]
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
            f"(observed Q {shift.table.yules_q:.3f}, null mean Q {shift.test.null_mean:.3f})"
        )
