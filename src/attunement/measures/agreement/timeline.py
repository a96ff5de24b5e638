"""Annotations as interval sets per class, and their common segmentation.

An annotation is compared by ``speaker_type``: for each class, the union of its timed segments of
a vocal kind (``vocal``, ``cry``, ``vegetative``), so two female adults speaking at once make one
stretch of ``FEM`` ("class c is speaking" is a yes/no fact at each instant). Times are float
milliseconds. ``pieces`` cuts the compared region (the *uem*, NIST's "un-partitioned evaluation
map") at every boundary of every side, giving elementary pieces on which each class of each side
is either active or not: the exact, vectorised form of pyannote.metrics' ``common_timeline``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

VOCAL_KINDS = ("vocal", "cry", "vegetative")


def merge(intervals: np.ndarray) -> np.ndarray:
    """The union of ``(n, 2)`` half-open intervals as sorted, disjoint, non-touching intervals."""
    iv = np.asarray(intervals, dtype=np.float64).reshape(-1, 2)
    iv = iv[iv[:, 1] > iv[:, 0]]
    if not len(iv):
        return iv
    iv = iv[np.argsort(iv[:, 0], kind="stable")]
    reach = np.maximum.accumulate(iv[:, 1])
    new = np.ones(len(iv), dtype=bool)
    new[1:] = iv[1:, 0] > reach[:-1]
    starts = iv[new, 0]
    group = np.cumsum(new) - 1
    ends = np.zeros(len(starts))
    np.maximum.at(ends, group, iv[:, 1])
    return np.column_stack([starts, ends])


def class_intervals(segments: pl.DataFrame, classes: tuple[str, ...]) -> list[np.ndarray]:
    """Per class, the merged stretches where the annotation says that class is speaking."""
    timed = segments.filter(
        pl.col("segment_onset").is_not_null()
        & pl.col("kind").cast(pl.String).is_in(VOCAL_KINDS)
        & (pl.col("segment_offset") > pl.col("segment_onset"))
    )
    kind = timed["speaker_type"].cast(pl.String).to_numpy()
    onset = timed["segment_onset"].to_numpy().astype(np.float64)
    offset = timed["segment_offset"].to_numpy().astype(np.float64)
    return [merge(np.column_stack([onset[kind == c], offset[kind == c]])) for c in classes]


def span(segments: pl.DataFrame) -> tuple[float, float] | None:
    """First onset and last offset of any timed segment (silence and noise included), or None."""
    timed = segments.filter(pl.col("segment_onset").is_not_null())
    if not timed.height:
        return None
    return float(timed["segment_onset"].min()), float(timed["segment_offset"].max())


def subtract(uem: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """``uem`` minus the union of ``cuts`` (both ``(n, 2)``)."""
    cuts = merge(cuts)
    uem = merge(uem)
    if not len(cuts) or not len(uem):
        return uem
    points = np.unique(np.concatenate([uem.ravel(), cuts.ravel()]))
    inside = (_cover(points, uem) > 0) & (_cover(points, cuts) == 0)
    return merge(np.column_stack([points[:-1][inside], points[1:][inside]]))


def collar_cuts(boundaries: np.ndarray, collar_ms: float) -> np.ndarray:
    """Intervals of ``collar_ms`` centred on each boundary (pyannote.metrics' ``extrude``)."""
    b = np.asarray(boundaries, dtype=np.float64).ravel()
    return np.column_stack([b - collar_ms / 2, b + collar_ms / 2])


def _cover(points: np.ndarray, intervals: np.ndarray) -> np.ndarray:
    """How many of ``intervals`` cover each elementary piece ``[points[i], points[i + 1])``;
    every interval end must be one of ``points``."""
    n = len(points)
    if not len(intervals):
        return np.zeros(max(n - 1, 0), dtype=np.int64)
    delta = np.bincount(np.searchsorted(points, intervals[:, 0]), minlength=n + 1)
    delta -= np.bincount(np.searchsorted(points, intervals[:, 1]), minlength=n + 1)
    return np.cumsum(delta)[: max(n - 1, 0)]


@dataclass(frozen=True)
class Pieces:
    """The compared region cut at every boundary: ``duration`` of each piece (the unit of the
    inputs: ms, or frames) and ``active[side, piece, class]``."""

    duration: np.ndarray
    active: np.ndarray


def pieces(sides: list[list[np.ndarray]], uem: np.ndarray) -> Pieces:
    """The elementary pieces of ``uem`` for every side's class intervals."""
    uem = merge(uem)
    parts = [uem.ravel()] + [iv.ravel() for side in sides for iv in side]
    points = np.unique(np.concatenate(parts)) if parts else np.empty(0)
    keep = _cover(points, uem) > 0
    active = np.stack(
        [np.stack([_cover(points, iv)[keep] > 0 for iv in side], axis=1) for side in sides]
    )
    return Pieces(np.diff(points)[keep], active)
