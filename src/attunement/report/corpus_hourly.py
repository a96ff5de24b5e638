"""Turns per hour by recording across a corpus: one row per recording, one column per hour bin
(clock hour of day when every recording has a clock time, else hours from each recording's
start, for all of them), colour = turns per recorded hour in that bin; bins with no recorded
time are blank."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from matplotlib.figure import Figure

from attunement.report.plain import plain

CLOCK_AXIS = "clock hour"
ELAPSED_AXIS = "hours from the start of each recording"


def has_clock(bins: pl.DataFrame) -> bool:
    """Whether every bin has a clock time (``bin_start``), so clock hours can be compared."""
    return bins.height > 0 and bins["bin_start"].null_count() == 0


def hourly_matrix(bins: pl.DataFrame) -> tuple[list[str], list[int], np.ndarray, str]:
    """``bins`` (``recording_id``, ``bin_start``, ``elapsed_s``, ``recorded_s``, ``turns``; the
    1-hour bins) as recording ids, hour labels, the rate matrix (NaN = not recorded) and the
    axis name. Without a clock time for every recording, a recording that has one counts its
    hours from its first clock hour."""
    clock = has_clock(bins)
    first = pl.col("bin_start").min().over("recording_id")
    elapsed = pl.coalesce(
        pl.col("elapsed_s") // 3600, (pl.col("bin_start") - first).dt.total_hours()
    )
    hour = pl.col("bin_start").dt.hour() if clock else elapsed
    rows = (
        bins.with_columns(hour=hour.cast(pl.Int64))
        .filter(pl.col("recorded_s") > 0)
        .group_by("recording_id", "hour")
        .agg(pl.col("turns").sum(), pl.col("recorded_s").sum())
        .with_columns(rate=pl.col("turns") / (pl.col("recorded_s") / 3600))
    )
    ids = sorted(rows["recording_id"].unique().to_list())
    hours = list(range(int(rows["hour"].min()), int(rows["hour"].max()) + 1)) if rows.height else []
    matrix = np.full((len(ids), len(hours)), np.nan)
    if rows.height:
        r = np.searchsorted(ids, rows["recording_id"].to_numpy())
        c = rows["hour"].to_numpy() - hours[0]
        matrix[r, c] = rows["rate"].to_numpy()
    return ids, hours, matrix, CLOCK_AXIS if clock else ELAPSED_AXIS


def corpus_hourly_figure(bins: pl.DataFrame) -> Figure:
    """The heat map (gid ``rates``)."""
    ids, hours, matrix, axis = hourly_matrix(bins)
    fig, ax = plt.subplots(figsize=(10, 0.22 * len(ids) + 1.8), constrained_layout=True)
    image = ax.imshow(
        np.ma.masked_invalid(matrix), aspect="auto", cmap="viridis", interpolation="nearest"
    )
    image.set_gid("rates")
    fig.colorbar(image, ax=ax, label="turns per hour")
    ax.set_xticks(range(len(hours)), [str(h) for h in hours], fontsize=8)
    ax.set_yticks(range(len(ids)), [plain(i) for i in ids], fontsize=7 if len(ids) > 30 else 9)
    ax.set_xlabel(axis)
    return fig
