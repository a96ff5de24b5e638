"""The session timeline: who vocalised when, which serves were returned, and (for coded streams)
each partner's codes with the mismatch episodes and their repairs.

Lanes, top to bottom: child and adult vocalisations (key-child cries lighter), the child's and
the caregiver's coded states. A turn is a line from the serve's end to the response's start
(``TurnResult.pairs``); an exchange is a shaded band from its first serve to its last response.
A mismatch episode (``RepairResult.mismatches``) is a band over the code lanes ending in a
triangle when repaired and a bar when censored.

A session longer than ``OVERVIEW_ABOVE_S`` is drawn as an overview of the whole recording
(turns and vocalisations per 5 minutes) above a detail of its busiest ``window_s`` seconds: the
window with the most turns, else the most mismatch episodes, else the most child vocalisations.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from attunement.measures.coded_streams import JointStates
from attunement.recording import Recording
from attunement.report.plain import plain

OVERVIEW_ABOVE_S = 1800.0
WINDOW_S = 600.0
OVERVIEW_BIN_S = 300.0
CHILD_TYPES = ("CHI",)
ADULT_TYPES = ("FEM", "MAL", "ADU")
LANE = {"child": 3.0, "adult": 2.0, "child code": 1.0, "caregiver code": 0.0}
COLOURS = {"child": "#4C72B0", "adult": "#DD8452", "cry": "#A6BDDB", "exchange": "#FFF2B3"}


@dataclass
class Timeline:
    """The figure and what it shows: the detail window in seconds from the start, and whether
    the whole session fits in it (no overview)."""

    figure: Figure
    start_s: float
    end_s: float
    whole: bool
    chosen_by: str


def busiest_window(times_s: np.ndarray, width_s: float) -> float:
    """Start of the ``width_s`` window holding the most of ``times_s`` (the earliest such)."""
    times = np.sort(np.asarray(times_s, dtype=float))
    if times.size == 0:
        return 0.0
    counts = np.searchsorted(times, times + width_s, side="left") - np.arange(times.size)
    return float(times[int(np.argmax(counts))])


def timeline_figure(
    rec: Recording,
    pairs: pl.DataFrame | None = None,
    mismatches: pl.DataFrame | None = None,
    states: JointStates | None = None,
    *,
    window_s: float = WINDOW_S,
) -> Timeline:
    """The timeline of ``rec`` with its turn ``pairs``, mismatch episodes and coded ``states``
    (each optional); see the module docstring."""
    seg = rec.segments.filter(pl.col("segment_onset").is_not_null())
    speaker = pl.col("speaker_type").cast(pl.String)
    kind = pl.col("kind").cast(pl.String)
    child = seg.filter(speaker.is_in(CHILD_TYPES) & kind.is_in(["vocal", "cry"]))
    adult = seg.filter(speaker.is_in(ADULT_TYPES) & (kind == "vocal"))
    end_ms = max(
        int(rec.duration_ms or 0), int(seg["segment_offset"].max() or 0) if seg.height else 0
    )
    duration_s = end_ms / 1000
    pairs = pairs if pairs is not None and pairs.height else None
    mismatches = mismatches if mismatches is not None and mismatches.height else None
    whole = duration_s <= max(OVERVIEW_ABOVE_S, window_s)
    if whole:
        start, stop, chosen_by = 0.0, max(duration_s, 1.0), "whole session"
    else:
        if pairs is not None:
            times, chosen_by = pairs["serve_segment_onset"].to_numpy() / 1000, "most turns"
        elif mismatches is not None:
            times, chosen_by = mismatches["onset_s"].to_numpy(), "most mismatch episodes"
        else:
            times, chosen_by = child["segment_onset"].to_numpy() / 1000, "most child sounds"
        start = min(busiest_window(times, window_s), max(duration_s - window_s, 0.0))
        stop = start + window_s
    lanes = []
    if child.height or adult.height:
        lanes += ["child", "adult"]
    if states is not None:
        lanes += ["child code", "caregiver code"]
    if whole:
        fig, detail = plt.subplots(figsize=(11, 0.7 * len(lanes) + 1.6), constrained_layout=True)
    else:
        fig, (overview, detail) = plt.subplots(
            2,
            1,
            figsize=(11, 0.7 * len(lanes) + 3.6),
            gridspec_kw={"height_ratios": [1.3, 0.5 * len(lanes) + 0.6]},
            constrained_layout=True,
        )
        _overview(overview, child, adult, pairs, duration_s, start, stop)
    _detail(detail, child, adult, pairs, mismatches, states, lanes, start, stop)
    return Timeline(figure=fig, start_s=start, end_s=stop, whole=whole, chosen_by=chosen_by)


def _scale(span_s: float) -> tuple[float, str]:
    return (60.0, "minutes") if span_s <= 3 * 3600 else (3600.0, "hours")


def _overview(ax: Axes, child, adult, pairs, duration_s, start, stop) -> None:
    unit, name = _scale(duration_s)
    edges = np.arange(0.0, duration_s + OVERVIEW_BIN_S, OVERVIEW_BIN_S)
    for frame, label, colour in ((child, "child", "child"), (adult, "adult", "adult")):
        counts, _ = np.histogram(frame["segment_onset"].to_numpy() / 1000, edges)
        ax.stairs(counts, edges / unit, color=COLOURS[colour], label=f"{label} vocalisations")
    if pairs is not None:
        counts, _ = np.histogram(pairs["serve_segment_onset"].to_numpy() / 1000, edges)
        ax.stairs(counts, edges / unit, fill=True, color="#55A868", alpha=0.6, label="turns")
    ax.axvspan(start / unit, stop / unit, color="#999999", alpha=0.25, label="detail below")
    ax.set_xlim(0, duration_s / unit)
    ax.set_xlabel(f"{name} from start")
    ax.set_ylabel(f"per {OVERVIEW_BIN_S / 60:g} min")
    ax.legend(loc="upper right", fontsize=8, ncols=4)
    ax.set_title("whole recording", fontsize=10)


def _in_window(frame: pl.DataFrame, on: str, off: str, start_ms: float, stop_ms: float):
    return frame.filter((pl.col(off) >= start_ms) & (pl.col(on) <= stop_ms))


def _bars(ax: Axes, frame: pl.DataFrame, y: float, colour: str, unit: float) -> None:
    if frame.height:
        on = frame["segment_onset"].to_numpy() / 1000 / unit
        width = (frame["segment_offset"] - frame["segment_onset"]).to_numpy() / 1000 / unit
        ax.broken_barh(list(zip(on, width, strict=True)), (y - 0.3, 0.6), color=colour)


def _detail(ax: Axes, child, adult, pairs, mismatches, states, lanes, start, stop) -> None:
    unit, name = _scale(stop - start)
    lo, hi = start * 1000, stop * 1000
    y_of = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}
    if pairs is not None:
        shown = _in_window(pairs, "serve_segment_onset", "response_segment_offset", lo, hi)
        spans = shown.group_by("exchange").agg(
            pl.col("serve_segment_onset").min(), pl.col("response_segment_offset").max()
        )
        a = spans["serve_segment_onset"].to_numpy() / 1000 / unit
        b = spans["response_segment_offset"].to_numpy() / 1000 / unit
        band = (-0.5, len(lanes))
        ax.broken_barh(list(zip(a, b - a, strict=True)), band, color=COLOURS["exchange"], zorder=0)
        child_served = shown["serve_speaker_type"].cast(pl.String).is_in(CHILD_TYPES).to_numpy()
        ys = np.where(child_served, y_of["child"], y_of["adult"])
        yr = np.where(child_served, y_of["adult"], y_of["child"])
        x0 = shown["serve_segment_offset"].to_numpy() / 1000 / unit
        x1 = shown["response_segment_onset"].to_numpy() / 1000 / unit
        lines = np.stack([np.column_stack([x0, ys]), np.column_stack([x1, yr])], axis=1)
        colours = np.where(child_served, "#2F4B7C", "#A0522D")
        ax.add_collection(LineCollection(lines, colors=colours.tolist(), lw=0.9, zorder=3))
    if "child" in y_of:
        cries = pl.col("kind").cast(pl.String) == "cry"
        near = _in_window(child, "segment_onset", "segment_offset", lo, hi)
        _bars(ax, near.filter(~cries), y_of["child"], COLOURS["child"], unit)
        _bars(ax, near.filter(cries), y_of["child"], COLOURS["cry"], unit)
        near = _in_window(adult, "segment_onset", "segment_offset", lo, hi)
        _bars(ax, near, y_of["adult"], COLOURS["adult"], unit)
    if states is not None:
        _codes(ax, states, y_of, lo, hi, unit)
    if mismatches is not None and states is not None:
        _mismatches(ax, mismatches, y_of, start, stop, unit)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    if unique:
        ax.legend(unique.values(), unique.keys(), loc="upper right", fontsize=7, ncols=6)
    ax.set_yticks(list(y_of.values()), list(y_of))
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.set_xlim(start / unit, stop / unit)
    ax.set_xlabel(f"{name} from start")
    if pairs is not None:
        ax.set_title("turns: lines from serve to answer; exchanges: shaded bands", fontsize=10)


def _codes(ax: Axes, states: JointStates, y_of, lo, hi, unit) -> None:
    bounds = states.bounds
    keep = (bounds[1:] >= lo) & (bounds[:-1] <= hi)
    on, off = bounds[:-1][keep] / 1000 / unit, bounds[1:][keep] / 1000 / unit
    codes = sorted({c for c in (*states.child[keep], *states.caregiver[keep]) if c})
    palette = plt.get_cmap("tab20")
    colour = {c: palette(i % 20) for i, c in enumerate(codes)}
    for lane, stream in (("child code", states.child), ("caregiver code", states.caregiver)):
        stream = stream[keep]
        for code in codes:
            mask = stream == code
            if mask.any():
                spans = list(zip(on[mask], (off - on)[mask], strict=True))
                ax.broken_barh(
                    spans, (y_of[lane] - 0.3, 0.6), color=colour[code], label=plain(code)
                )


def _mismatches(ax: Axes, mismatches: pl.DataFrame, y_of, start, stop, unit) -> None:
    shown = mismatches.filter((pl.col("offset_s") >= start) & (pl.col("onset_s") <= stop))
    top, bottom = y_of["child code"] + 0.45, y_of["caregiver code"] - 0.45
    a, b = shown["onset_s"].to_numpy() / unit, shown["offset_s"].to_numpy() / unit
    spans = list(zip(a, b - a, strict=True))
    ax.broken_barh(spans, (bottom, top - bottom), color="#C44E52", alpha=0.18, label="mismatch")
    repaired = shown.filter(pl.col("repaired"))
    censored = shown.filter(~pl.col("repaired"))
    ax.scatter(
        repaired["offset_s"].to_numpy() / unit,
        np.full(repaired.height, top),
        marker="v",
        color="#2CA02C",
        s=30,
        zorder=4,
        label="repair",
    )
    ax.scatter(
        censored["offset_s"].to_numpy() / unit,
        np.full(censored.height, top),
        marker="|",
        color="#555555",
        s=60,
        zorder=4,
        label="ended without a match (censored)",
    )
