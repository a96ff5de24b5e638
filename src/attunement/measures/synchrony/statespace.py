"""State space grids of a child and a caregiver state stream (Lewis, Lamey & Douglas 1999;
Hollenstein 2013, *State Space Grids*, Springer; GridWare, Lamey, Hollenstein, Lewis & Granic
2004).

Input is the joint-states representation: ``bounds`` (int64 ms, length n + 1, strictly
increasing) cut time into n intervals; interval k = [bounds[k], bounds[k+1]) has child state
``x[k]`` (horizontal axis) and caregiver state ``y[k]`` (vertical axis). An interval where either
state is ``""`` is *uncoded*: it has no cell, is left out of every measure, and is counted
(``uncoded_events``, ``uncoded_s``). The grid has ``n_cells = len(x_categories) ·
len(y_categories)`` cells, visited or not.

Definitions (computed in whole ms, reported in seconds; D = ``coded_s``, the coded duration):

* ``events``: coded intervals (GridWare's events: one per row of the trajectory).
* ``visits``: maximal runs of consecutive coded intervals in one cell; a new visit starts when
  the cell changes or after uncoded time (a gap ends the visit: what happened in it is unknown).
* ``transitions``: observed moves between cells, i.e. consecutive visits with no uncoded time
  between them; ``visits - 1`` without gaps, ``visits - segments`` in general, where
  ``segments`` is the number of gap-free coded stretches.
* ``cell_range``: distinct cells visited.
* ``mean_event_s``, ``mean_visit_s``, ``mean_cell_s``: D divided by events, visits and cell
  range (GridWare's mean durations).
* ``dispersion`` (GridWare; Hollenstein 2013): 1 − (n · Σ (d_i / D)² − 1) / (n − 1), d_i the
  duration in cell i, n = ``n_cells``; 0 when all time is in one cell, 1 when it is spread
  equally over all n cells; 0 for a one-cell grid; ``None`` when D = 0.
* Return time (Hollenstein 2013, attractor measures): the clock time from the end of one visit
  to a cell to the start of the next visit to the same cell (uncoded time in between included).
  Per cell: ``returns`` (visits − 1) and ``mean_return_s``; whole grid: ``returns`` in all
  cells and ``mean_return_s``, the mean over all those returns pooled (each return counts
  once). A cell never left and re-entered has no return time (``None``). The time after the
  last exit of a cell, never followed by a return, is not a return (it is censored).
* ``attractors``: the ``attractors`` cells with the most duration (ties: grid order).

GridWare itself is closed source: the dispersion formula is the one its manual and Hollenstein
(2013) print (also implemented so in StateSpaceGridLib); the return-time reading above follows
the book's wording ("time to return to a cell after leaving it") and is ours where it has to
choose (gaps, pooling).

With ``episode`` (one label per interval), ``episodes`` holds the whole-grid measures of each
episode's intervals alone (an episode's separate stretches are separated by gaps).

Each figure is a catalogue entry of the ``grid`` family (``measures/families/grid.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import polars as pl

from attunement.errors import DataError, ParameterError
from attunement.measures.base import Result

MS = 1000.0  # ms per reported second
SOURCE = (
    "Lewis, Lamey & Douglas (1999) Developmental Science 2:457-475; Hollenstein (2013) State "
    "Space Grids, Springer; GridWare 1.1 (Lamey, Hollenstein, Lewis & Granic 2004)"
)
DEFINITION = (
    "events = coded intervals; visit = maximal run of consecutive coded intervals in one cell "
    "(a gap ends it); transitions = consecutive visits without uncoded time between them; "
    "cell range = distinct cells visited; dispersion = 1 - (n sum (d_i/D)^2 - 1)/(n - 1), "
    "n = cells in the grid; return time = start of the next visit to a cell - end of the "
    "previous one, mean pooled over all returns; uncoded intervals (either state '') excluded."
)


@dataclass
class StateSpaceGridResult(Result):
    """Whole-grid figures (attributes), the cells with the most time (``attractors``), one row
    per grid cell (``cells``), one row per visit in time order (``visit_table``) and the
    whole-grid figures of each episode (``episodes``). Definitions: see the module docstring."""

    family: ClassVar[str] = "grid"

    parameters: dict[str, Any]
    source: str
    definition: str
    x_categories: list[str]
    y_categories: list[str]
    events: int
    uncoded_events: int
    uncoded_s: float
    coded_s: float
    visits: int
    segments: int
    transitions: int
    cell_range: int
    n_cells: int
    mean_event_s: float | None
    mean_visit_s: float | None
    mean_cell_s: float | None
    dispersion: float | None
    returns: int
    mean_return_s: float | None
    attractors: list[dict[str, Any]]
    cells: pl.DataFrame = field(repr=False)
    visit_table: pl.DataFrame = field(repr=False)
    episodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: str = ""
    recording_id: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_frame(self) -> pl.DataFrame:
        """One row per grid cell (visited or not): states, duration, share, events, visits,
        mean visit duration, returns, mean return time, first entry, duration rank."""
        return self.cells


def state_space_grid(
    bounds: Sequence[int] | np.ndarray,
    x: Sequence[str] | np.ndarray,
    y: Sequence[str] | np.ndarray,
    *,
    x_categories: Sequence[str] | None = None,
    y_categories: Sequence[str] | None = None,
    episode: Sequence[str] | np.ndarray | None = None,
    attractors: int = 1,
) -> StateSpaceGridResult:
    """State space grid measures of child states ``x`` and caregiver states ``y`` over the
    intervals cut by ``bounds`` (ms). ``x_categories``/``y_categories``: the ordered axis states
    (default: the sorted observed ones; the grid has every combination); ``episode``: optional
    label per interval for per-episode measures; ``attractors``: how many top-duration cells to
    list. Definitions: see the module docstring."""
    edges = np.asarray(bounds)
    xs, ys = np.asarray(x, dtype=str), np.asarray(y, dtype=str)
    _check_intervals(edges, xs, ys)
    if int(attractors) != attractors or attractors < 0:
        raise ParameterError(f"attractors must be a whole number >= 0, got {attractors!r}")
    coded = (xs != "") & (ys != "")
    x_cats = _categories(xs[coded], x_categories, "x")
    y_cats = _categories(ys[coded], y_categories, "y")
    cell = np.full(xs.size, -1, dtype=np.int64)
    cell[coded] = _index(xs[coded], x_cats, "x") * len(y_cats) + _index(ys[coded], y_cats, "y")
    start, end = edges[:-1].astype(np.int64), edges[1:].astype(np.int64)
    n_cells = len(x_cats) * len(y_cats)
    grid = _Grid(start, end, cell, n_cells)
    parameters = {
        "x_categories": x_cats,
        "y_categories": y_cats,
        "n_cells": n_cells,
        "attractors": int(attractors),
    }
    cells = grid.cell_table(x_cats, y_cats)
    top = (
        cells.sort(["duration_s", "cell"], descending=[True, False])
        .head(int(attractors))
        .filter(pl.col("duration_s") > 0)
        .select("x", "y", "duration_s", "share")
        .to_dicts()
    )
    episodes: dict[str, dict[str, Any]] = {}
    if episode is not None:
        labels = np.asarray(episode, dtype=str)
        if labels.shape != xs.shape:
            raise ParameterError(
                f"episode must have one label per interval ({xs.size}), got {labels.size}"
            )
        for label in dict.fromkeys(labels.tolist()):  # first-appearance order
            keep = labels == label
            episodes[label] = _Grid(start[keep], end[keep], cell[keep], n_cells).summary()
    return StateSpaceGridResult(
        parameters=parameters,
        source=SOURCE,
        definition=DEFINITION,
        x_categories=x_cats,
        y_categories=y_cats,
        **grid.summary(),
        attractors=top,
        cells=cells,
        visit_table=grid.visit_table(x_cats, y_cats),
        episodes=episodes,
    )


class _Grid:
    """Visits and per-cell tallies of intervals (start, end, cell; cell -1 = uncoded)."""

    def __init__(self, start: np.ndarray, end: np.ndarray, cell: np.ndarray, n_cells: int):
        self.n_cells = n_cells
        coded = cell >= 0
        duration = end - start
        self.uncoded_events = int(np.count_nonzero(~coded))
        self.uncoded_ms = int(duration[~coded].sum())
        start, end, cell, duration = start[coded], end[coded], cell[coded], duration[coded]
        self.events = int(cell.size)
        new_segment = np.r_[True, start[1:] != end[:-1]] if cell.size else np.zeros(0, bool)
        new_visit = new_segment | np.r_[True, cell[1:] != cell[:-1]][: cell.size]
        self.segments = int(np.count_nonzero(new_segment))
        visit_of = np.cumsum(new_visit) - 1
        last = np.r_[new_visit[1:], True][: cell.size]
        self.visit_cell = cell[new_visit]
        self.visit_onset = start[new_visit]
        self.visit_offset = end[last]
        self.visit_events = np.bincount(visit_of, minlength=self.visit_cell.size)
        self.visit_segment = np.cumsum(new_segment)[new_visit] - 1
        self.cell_ms = np.bincount(cell, weights=duration, minlength=n_cells).astype(np.int64)
        self.cell_events = np.bincount(cell, minlength=n_cells)
        self.cell_visits = np.bincount(self.visit_cell, minlength=n_cells)
        # returns: consecutive visits of the same cell, in time order within each cell
        order = np.lexsort((self.visit_onset, self.visit_cell))
        same = self.visit_cell[order][1:] == self.visit_cell[order][:-1]
        gaps = self.visit_onset[order][1:] - self.visit_offset[order][:-1]
        self.return_cell = self.visit_cell[order][1:][same]
        self.return_ms = gaps[same]

    def summary(self) -> dict[str, Any]:
        total = int(self.cell_ms.sum())
        visits = int(self.visit_cell.size)
        cell_range = int(np.count_nonzero(self.cell_visits))
        returns = int(self.return_ms.size)
        return {
            "events": self.events,
            "uncoded_events": self.uncoded_events,
            "uncoded_s": self.uncoded_ms / MS,
            "coded_s": total / MS,
            "visits": visits,
            "segments": self.segments,
            "transitions": visits - self.segments,
            "cell_range": cell_range,
            "n_cells": self.n_cells,
            "mean_event_s": total / self.events / MS if self.events else None,
            "mean_visit_s": total / visits / MS if visits else None,
            "mean_cell_s": total / cell_range / MS if cell_range else None,
            "dispersion": dispersion(self.cell_ms, self.n_cells),
            "returns": returns,
            "mean_return_s": float(self.return_ms.mean()) / MS if returns else None,
        }

    def cell_table(self, x_cats: list[str], y_cats: list[str]) -> pl.DataFrame:
        total = self.cell_ms.sum()
        cells = np.arange(self.n_cells)
        returns = np.bincount(self.return_cell, minlength=self.n_cells)
        return_sum = np.bincount(self.return_cell, weights=self.return_ms, minlength=self.n_cells)
        first = np.full(self.n_cells, -1, dtype=np.int64)
        first[self.visit_cell[::-1]] = self.visit_onset[::-1]  # earliest visit written last
        rank = np.empty(self.n_cells, dtype=np.int64)
        rank[np.lexsort((cells, -self.cell_ms))] = np.arange(1, self.n_cells + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = self.cell_ms / total if total else np.full(self.n_cells, np.nan)
            mean_visit = self.cell_ms / self.cell_visits
            mean_return = return_sum / returns
        return pl.DataFrame(
            {
                "cell": cells,
                "x": [x_cats[c // len(y_cats)] for c in cells],
                "y": [y_cats[c % len(y_cats)] for c in cells],
                "duration_s": self.cell_ms / MS,
                "share": share,
                "events": self.cell_events,
                "visits": self.cell_visits,
                "mean_visit_s": mean_visit / MS,
                "returns": returns,
                "mean_return_s": mean_return / MS,
                "first_entry_s": first / MS,
                "duration_rank": rank,
            }
        ).with_columns(
            pl.col("share", "mean_visit_s", "mean_return_s").fill_nan(None),
            pl.when(pl.col("first_entry_s") >= 0).then(pl.col("first_entry_s")),
        )

    def visit_table(self, x_cats: list[str], y_cats: list[str]) -> pl.DataFrame:
        n_y = len(y_cats)
        return pl.DataFrame(
            {
                "visit": np.arange(self.visit_cell.size),
                "segment": self.visit_segment,
                "x": [x_cats[c // n_y] for c in self.visit_cell.tolist()],
                "y": [y_cats[c % n_y] for c in self.visit_cell.tolist()],
                "x_index": self.visit_cell // n_y,
                "y_index": self.visit_cell % n_y,
                "onset_s": self.visit_onset / MS,
                "offset_s": self.visit_offset / MS,
                "duration_s": (self.visit_offset - self.visit_onset) / MS,
                "events": self.visit_events,
            },
            schema_overrides={"x_index": pl.Int64, "y_index": pl.Int64},
        )


def dispersion(cell_ms: Sequence[float] | np.ndarray, n_cells: int) -> float | None:
    """GridWare's dispersion 1 − (n · Σ (d_i / D)² − 1) / (n − 1) of per-cell durations d_i
    (D their sum, n the cells in the grid): 0 all in one cell, 1 equal in all n; 0 for a
    one-cell grid; ``None`` when D = 0."""
    d = np.asarray(cell_ms, dtype=np.float64)
    total = d.sum()
    if total <= 0:
        return None
    if n_cells == 1:
        return 0.0
    value = 1.0 - (n_cells * np.sum((d / total) ** 2) - 1.0) / (n_cells - 1)
    return float(min(1.0, max(0.0, value)))  # clamp rounding at the two ends only


def _check_intervals(edges: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> None:
    if edges.ndim != 1 or edges.dtype.kind not in "iu":
        raise ParameterError(
            f"bounds must be a 1-D integer (ms) array, got {edges.dtype} {edges.shape}"
        )
    if xs.ndim != 1 or ys.ndim != 1:
        raise ParameterError(
            f"x and y must be one-dimensional, got shapes {xs.shape} and {ys.shape}"
        )
    if not edges.size == xs.size + 1 == ys.size + 1:
        raise ParameterError(
            f"bounds must have one more entry than x and y, got {edges.size}, {xs.size}, {ys.size}"
        )
    steps = np.diff(edges)
    if np.any(steps <= 0):
        k = int(np.flatnonzero(steps <= 0)[0])
        raise ParameterError(
            f"bounds must be strictly increasing: bounds[{k}] = {edges[k]} >= "
            f"bounds[{k + 1}] = {edges[k + 1]}"
        )


def _categories(observed: np.ndarray, given: Sequence[str] | None, axis: str) -> list[str]:
    if given is None:
        return sorted(set(observed.tolist()))
    cats = [str(c) for c in given]
    if "" in cats:
        raise ParameterError(
            f"{axis}_categories must not contain '' (it marks uncoded intervals), got {cats}"
        )
    if len(set(cats)) != len(cats):
        raise ParameterError(f"{axis}_categories must not repeat a state, got {cats}")
    return cats


def _index(values: np.ndarray, cats: list[str], axis: str) -> np.ndarray:
    lookup = np.asarray(cats, dtype=str)
    order = np.argsort(lookup)
    pos = np.searchsorted(lookup[order], values)
    pos = np.minimum(pos, max(len(cats) - 1, 0))
    found = lookup[order][pos] == values if len(cats) else np.zeros(values.size, bool)
    if not np.all(found):
        unknown = sorted(set(values[~found].tolist()))
        first = int(np.flatnonzero(~found)[0])
        raise DataError(
            f"{axis} states not in {axis}_categories {cats}: {unknown} (first at coded interval "
            f"{first})"
        )
    return order[pos].astype(np.int64)
