"""`attunement synchrony`: windowed cross-correlation, peak picking and a surrogate test of two
signals (the ``wcc`` and ``peaks`` families)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from attunement.cli import show
from attunement.cli.common import JsonOpt, err, out
from attunement.errors import ReadError
from attunement.measures.families.peaks import FAMILY as PEAKS
from attunement.measures.families.wcc import FAMILY as WCC
from attunement.measures.params import validate


def command(
    file: Annotated[
        Path, typer.Argument(help="Text/CSV file: header line, then two columns s1 s2.")
    ],
    rate: Annotated[float, typer.Option("--rate", help="Sampling rate in Hz.")],
    lag_s: Annotated[float, typer.Option("--lag-s", help="Largest lag in s (both directions).")],
    window_s: Annotated[float, typer.Option("--window-s", help="Window length in s.")],
    step_s: Annotated[float, typer.Option("--step-s", help="Step between window starts in s.")],
    fisher_z: Annotated[
        bool, typer.Option("--fisher-z", help="Fisher z (atanh, clipped to ±10) of every r.")
    ] = False,
    absolute: Annotated[
        bool, typer.Option("--absolute", help="Absolute values (after Fisher z).")
    ] = False,
    keep_identical: Annotated[
        bool,
        typer.Option(
            "--keep-identical",
            help="Compute r where the two segments are identical (rMEA blanks them).",
        ),
    ] = False,
    peak_search_s: Annotated[
        float | None,
        typer.Option(
            "--peak-search-s",
            help="Peak picking: lags (s) that must confirm a peak [default: 1 s, or lag_s / 2].",
            show_default=False,
        ),
    ] = None,
    n_resamples: Annotated[
        int,
        typer.Option("--n-resamples", help="Surrogates of s2 testing the grand average (0: none)."),
    ] = 0,
    null: Annotated[
        str, typer.Option("--null", help="Surrogates: circular_shift or segment_shuffle.")
    ] = WCC.parameter("null").default,
    min_shift_s: Annotated[
        float, typer.Option("--min-shift-s", help="Smallest circular shift in s.")
    ] = WCC.parameter("min_shift_s").default,
    segment_s: Annotated[
        float | None,
        typer.Option(
            "--segment-s",
            help="Shuffled segment length in s [default: the window].",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the surrogates.")] = 0,
    allow_large: Annotated[
        bool, typer.Option("--allow-large", help="Allow --n-resamples above its cap.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Windowed cross-correlation of two continuous signals (rMEA's output: r at lag 0, means
    over lags, s1/s2-leads means, best lag, grand average), Boker's peak picking, and the grand
    average against surrogates of s2 (--n-resamples). Positive lags mean s2 follows s1; the wcc
    and peaks families (attunement measures) define every figure."""
    from attunement.io.signals import read_signals
    from attunement.measures.synchrony import peaks

    config = validate(
        WCC.parameters,
        {
            "rate_hz": rate,
            "lag_s": lag_s,
            "window_s": window_s,
            "step_s": step_s,
            "fisher_z": fisher_z,
            "absolute": absolute,
            "identical_is_missing": not keep_identical,
            "n_resamples": n_resamples,
            "null": null,
            "min_shift_s": min_shift_s,
            "segment_s": segment_s,
            "seed": seed,
        },
        WCC.name,
        allow_large=allow_large,
    )
    search_s = PEAKS.parameter("search_s").check(peak_search_s, PEAKS.name)
    try:
        signals = read_signals(file)
    except ReadError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    result = WCC.function()(signals, **config)
    result.path = str(file)
    peak = peaks(result, search_s=search_s)
    if as_json:
        show.write_json([result, peak])
    else:
        _print(result, peak)


def _print(result, peak) -> None:
    """Both results' figures by their catalogue labels, then one row per window."""
    p = result.parameters
    value = "|z|" if p["absolute"] and p["fisher_z"] else "z" if p["fisher_z"] else "r"
    if p["absolute"] and not p["fisher_z"]:
        value = "|r|"
    s1, s2 = result.names
    title = f"{result.path}  [windowed cross-correlation of {value}; s1 = {s1}, s2 = {s2}]"
    out.print(show.table(result, title))
    out.print(show.table(peak, f"{result.path}  [peak picking]"))
    frame = result.windows_frame().join(peak.to_frame(), on="window")
    labels = {f.name: f.label for f in (*WCC.figures, *PEAKS.figures)}
    windows = Table(
        title=f"per window ({value}; positive lags: {s2} follows {s1})", title_justify="left"
    )
    for column in frame.columns:
        windows.add_column(labels.get(column, column), justify="right")
    for row in frame.iter_rows():
        windows.add_row(*(_fmt(v) for v in row))
    out.print(windows)


def _fmt(value) -> str:
    if isinstance(value, int):
        return str(value)
    return "n/a" if value is None or math.isnan(value) else f"{value:.3g}"
