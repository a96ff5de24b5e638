"""``attunement sequential``: lag-sequential and time-window contingency tables (the
``sequential`` and ``timed`` families)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from attunement.cli import show
from attunement.cli.common import (
    FormatOpt,
    JsonOpt,
    NoWordsOpt,
    Paths,
    RolesOpt,
    out,
    read_paths,
    report_failures,
)
from attunement.errors import DataError, ReadError
from attunement.io import Batch
from attunement.measures.families.sequential import FAMILY as SEQUENTIAL
from attunement.measures.families.timed import FAMILY as TIMED
from attunement.measures.params import validate

if TYPE_CHECKING:
    import numpy as np
    import polars as pl


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
    try:
        return pl.read_csv(path, schema_overrides={"code": pl.String, "sequence": pl.String})
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError):
        raise ReadError(
            path, "not a readable CSV of codes (column code, optional sequence)"
        ) from None


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
        str, typer.Option("--antecedent", help="Antecedent rows, COLUMN=V|V;COLUMN=V.")
    ] = TIMED.parameter("antecedent").default,
    target: Annotated[
        str, typer.Option("--target", help="Target rows, COLUMN=V|V;COLUMN=V.")
    ] = TIMED.parameter("target").default,
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
    kappa_expected: Annotated[
        str,
        typer.Option(
            "--kappa-expected",
            help="Wampold's kappa: oconnor1999 (n_i n_j / n) or exact (n_i (n_i - 1) / n on "
            "the diagonal).",
        ),
    ] = "oconnor1999",
    allow_large: Annotated[
        bool, typer.Option("--allow-large", help="Allow --n-resamples above its cap.")
    ] = False,
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
    from attunement.measures.sequential.timewindow import parse_selector
    from attunement.roles import load as roles_load

    code_order = [c.strip() for c in codes.split(",")] if codes else None
    role_map = roles_load(roles)  # every option is checked before any file is read
    resampling = {"n_resamples": n_resamples, "seed": seed}
    if window_s is not None:
        config = validate(
            TIMED.parameters,
            {
                "window_s": window_s,
                "unit_s": unit_s,
                "antecedent": antecedent,
                "target": target,
                "antecedent_mode": antecedent_mode,
                "target_mode": target_mode,
                **resampling,
            },
            TIMED.name,
            allow_large=allow_large,
        )
        selectors = {k: parse_selector(config.pop(k), k) for k in ("antecedent", "target")}
    else:
        config = validate(
            SEQUENTIAL.parameters,
            {"lag": lag, "no_repeats": no_repeats, "kappa_expected": kappa_expected, **resampling},
            SEQUENTIAL.name,
            allow_large=allow_large,
        )
    events, recordings, failed = None, [], Batch()
    for path in paths:
        try:
            table = _event_table(path) if path.is_file() else None
            if table is not None:
                events = table if events is None else pl.concat([events, table])
            elif path.is_file() and path.suffix.lower() == ".sds":
                data = sdis.load(path)
                if data.data_type == "Event":
                    events = (
                        data.sequences()
                        if events is None
                        else pl.concat([events, data.sequences()])
                    )
                else:
                    recordings += data.recordings(role_map, keep_text=not no_words)
            else:
                batch = read_paths([path], format, roles, no_words)
                recordings += batch.recordings
                failed.failures += batch.failures
                failed.skipped += batch.skipped
        except ReadError as exc:  # this input is listed at the end; the others are still read
            failed.failures.append(exc)
    if events is None and not recordings:
        report_failures(failed)
    if window_s is not None:
        if not recordings:
            raise DataError("--window-s needs timed data (recordings), not a list of codes")
        result = sequential_timed(recordings, **selectors, **config, pseudo=pseudo_dyads)
    else:
        data = events if events is not None else recordings
        result = sequential(data, codes=code_order, by=by, **config)
    if as_json:
        show.write_json(result)
    elif window_s is not None:
        _print_timed(result)
    else:
        _print_lag(result)
    report_failures(failed)


def _grid(title: str, codes: list[str], rows: np.ndarray, fmt: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("given \\ target")
    for code in codes:
        table.add_column(code, justify="right")
    for code, row in zip(codes, rows, strict=True):
        table.add_row(code, *("" if math.isnan(v) else format(v, fmt) for v in row))
    return table


def _print_lag(result) -> None:
    """The scalar figures by their catalogue labels, then the K x K tables."""
    codes = result.codes
    out.print(show.table(result, f"lag-sequential analysis, lag {result.parameters['lag']}"))
    formats = {"frequencies": ".0f", "adjusted_residuals": ".2f", "yules_q": ".2f"}
    for name, fmt in {**formats, "permutation_p": ".3f"}.items():
        table = getattr(result, name)
        if table is not None:
            label = SEQUENTIAL.figure(name).label
            out.print(_grid(label, codes, table.astype(float), fmt))


def _print_timed(result) -> None:
    """The pooled table's figures by their catalogue labels; with several recordings, one row per
    recording (against its circular shifts when drawn) and per real dyad against pseudo-dyads."""
    out.print(show.table(result, "time-window sequential analysis"))
    if result.recordings > 1:
        _per_recording("per recording", result.circular_shift or result.per_recording)
    if result.pseudo_dyads is not None:
        pseudo = result.pseudo_dyads
        out.print(show.table(pseudo, f"against {pseudo.null_n} pseudo-dyads"))
        _per_recording("each real dyad against the pseudo-dyads", pseudo.per_recording)


def _per_recording(title: str, results: list) -> None:
    """One row per recording: its headline figures that have a value."""
    values = [r.figures() for r in results]
    shown = [f for f in TIMED.scalars if f.headline and any(v[f.name] is not None for v in values)]
    table = Table(title=title, title_justify="left")
    table.add_column("recording")
    for figure in shown:
        table.add_column(figure.label, justify="right")
    for r, v in zip(results, values, strict=True):
        table.add_row(r.recording_id, *(f.display(v[f.name]) for f in shown))
    out.print(table)
