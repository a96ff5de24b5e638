"""`attunement synchrony`: windowed cross-correlation and peak picking of two signals."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from attunement.cli.common import JsonOpt, err, out
from attunement.errors import ReadError

if TYPE_CHECKING:
    import numpy as np


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
    as_json: JsonOpt = False,
) -> None:
    """Windowed cross-correlation of two continuous signals (rMEA's output: r at lag 0, means
    over lags, s1/s2-leads means, best lag, grand average) and Boker's peak picking. Positive
    lags mean s2 follows s1."""
    from attunement.io.signals import read_signals
    from attunement.measures.synchrony import peaks, wcc

    try:
        signals = read_signals(file)
    except ReadError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    result = wcc(
        signals.s1,
        signals.s2,
        rate=rate,
        lag_s=lag_s,
        window_s=window_s,
        step_s=step_s,
        fisher_z=fisher_z,
        absolute=absolute,
        identical_is_missing=not keep_identical,
        names=signals.names,
    )
    # default: 1 s, or half the lag range when that is shorter, in whole samples
    default_steps = min(round(rate), max(1, round(lag_s * rate) // 2))
    search_s = peak_search_s if peak_search_s is not None else default_steps / rate
    peak = peaks(result, search_s=search_s)
    if as_json:
        report = {
            "file": str(file),
            "n_missing_samples": list(signals.n_missing),
            **result.to_dict(matrix=False),
            "peaks": peak.to_dict(),
        }
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        _print(file, signals, result, peak)


def _fmt(value: float | None, spec: str = ".4f") -> str:
    return "n/a" if value is None or math.isnan(value) else format(value, spec)


def _mean(values: np.ndarray) -> float:
    import numpy as np

    return float(np.nanmean(values)) if (~np.isnan(values)).any() else math.nan


def _print(file: Path, signals, result, peak) -> None:
    p = result.parameters
    value = "|z|" if p["absolute"] and p["fisher_z"] else "z" if p["fisher_z"] else "r"
    if p["absolute"] and not p["fisher_z"]:
        value = "|r|"
    s1, s2 = result.names
    table = Table(title=f"{file}  [windowed cross-correlation]", title_justify="left")
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("signals", f"s1 = {s1}, s2 = {s2}; positive lags: {s2} follows {s1}")
    missing = signals.n_missing
    table.add_row(
        "samples",
        f"{result.n_samples} at {p['rate_hz']:g} Hz ({result.n_samples / p['rate_hz']:.1f} s); "
        f"missing {missing[0]} / {missing[1]}",
    )
    table.add_row(
        "parameters",
        f"lag ±{p['lag_s']:g} s, window {p['window_s']:g} s, step {p['step_s']:g} s, "
        f"fisher_z={p['fisher_z']}, absolute={p['absolute']}, "
        f"identical_is_missing={p['identical_is_missing']}, max_missing={p['max_missing']}",
    )
    table.add_row(
        "grid", f"{result.n_windows} windows × {result.n_lags} lags; {result.n_missing_cells} NaN"
    )
    table.add_row(f"grand average ({value})", _fmt(result.grand_average))
    table.add_row("mean at lag 0", _fmt(_mean(result.lag_zero)))
    table.add_row(
        "mean s1 leads / s2 leads",
        f"{_fmt(_mean(result.s1_lead))} / {_fmt(_mean(result.s2_lead))}",
    )
    table.add_row("mean best lag", f"{_fmt(_mean(result.best_lag_s), '.2f')} s")
    summary = peak.summary()
    table.add_row(
        f"peaks (search {peak.parameters['search_s']:g} s)",
        f"{peak.n_peaks} of {result.n_windows} windows; peak {value} "
        f"{_fmt(summary['mean_peak_r'])} (SD {_fmt(summary['sd_peak_r'])}), lag "
        f"{_fmt(summary['mean_peak_lag_s'], '.2f')} s (SD {_fmt(summary['sd_peak_lag_s'], '.2f')})",
    )
    out.print(table)
    windows = Table(title="per window", title_justify="left")
    for name in ("window", "start s", "lag 0", "all lags", "best lag s", "peak", "peak lag s"):
        windows.add_column(name, justify="right")
    for i in range(result.n_windows):
        windows.add_row(
            str(i + 1),
            f"{result.window_start_s[i]:g}",
            _fmt(result.lag_zero[i]),
            _fmt(result.all_lags[i]),
            _fmt(result.best_lag_s[i], ".2f"),
            _fmt(peak.peak_r[i]),
            _fmt(peak.peak_lag_s[i], ".2f"),
        )
    out.print(windows)
