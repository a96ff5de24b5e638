"""Time-window sequential analysis of timed events: does the target occur more often inside a
window that follows the antecedent than outside it?

Yoder & Tapp (2004), "Empirical guidance for time-window sequential analysis of single cases",
Journal of Behavioral Education 13:227; Chorney, Garcia, Berlin, Bakeman & Kain (2010), "Time-
window sequential analysis: an introduction for pediatric psychologists", Journal of Pediatric
Psychology 35:1061; Bakeman & Quera (2011), *Sequential Analysis and Observational Methods for the
Behavioral Sciences*, ch. 9 (time-based contingency tables).

Definitions (all times in integer ms, ``u`` = the time unit Δ, ``K = W / u`` window units):

- The recording's timeline ``[0, duration)`` is cut into ``n = ceil(duration / u)`` units; unit
  ``i`` is ``[i*u, (i+1)*u)``. A time ``t`` falls in unit ``t // u``. A row ``[on, off)``
  *occupies* units ``on // u`` to ``ceil(off / u) - 1`` (the unit of ``on`` alone when
  ``off == on``).
- Antecedent window, ``antecedent="onset"``: the ``K`` units starting with the unit of the
  antecedent's onset, i.e. ``[on, on + W)`` on the unit grid. ``antecedent="duration"``: the
  units the antecedent occupies plus the ``K`` units after the last of them, i.e.
  ``[on, off + W)``. A target onset exactly ``W`` after the antecedent onset (``"onset"``) or
  offset (``"duration"``) is outside the window. Windows running past the end are cut there.
- Target, ``target="onset"``: a unit is a target unit when a target onset falls in it;
  ``target="occurrence"``: when a target row occupies it.
- The 2×2 table over the ``n`` units: ``a`` = in window and target, ``b`` = in window and no
  target, ``c`` = outside and target, ``d`` = outside and no target.
- Yule's Q = (ad − bc) / (ad + bc) from the counts as they are (±1 when one cell is zero, as
  GSEQ prints it; undefined, NaN, when ad + bc = 0). Odds ratio = ad / bc and log odds ratio =
  ln(ad / bc) with the **zero-cell rule**: when any cell is 0, 0.5 is added to all four cells
  (Haldane 1940; Anscombe 1956) for the odds ratio and its log only.

Rows without times are left out and counted in ``warnings``; so are rows starting at or after
the end of the timeline. Results (``TimeWindowResult`` for one recording, ``TimeWindowSummary``
for several and their pooled table) report the ``timed`` family's figures (``timed_table``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from attunement import segments as seg
from attunement.errors import ParameterError
from attunement.measures.families.timed import SOURCE
from attunement.measures.sequential.timed_table import Table2x2, TimedFigures, pooled
from attunement.recording import Recording

if TYPE_CHECKING:
    from attunement.measures.nulls import MonteCarloP

ANTECEDENT_MODES = ("onset", "duration")
TARGET_MODES = ("onset", "occurrence")
SELECT_COLUMNS = ("speaker_type", "speaker_id", "kind", "code")
DEFINITION = (
    "Time cut into units of unit_s. A unit is in a window when it lies within window_s after an "
    "antecedent's onset (antecedent_mode onset) or between its onset and window_s after its "
    "offset (duration); it is a target unit when a target starts in it (target_mode onset) or "
    "occupies it (occurrence). a, b, c, d: units in a window with and without a target, outside "
    "with and without. Yule's Q = (ad - bc) / (ad + bc) from the counts as they are; the odds "
    "ratio and its log add 0.5 to all four cells when any cell is 0. Several recordings: their "
    "tables summed."
)

Selector = Mapping[str, str | Iterable[str]]


@dataclass(frozen=True)
class WindowSpec:
    """Validated parameters: window W and unit Δ in ms, and the two modes."""

    window_ms: int
    unit_ms: int
    antecedent: str
    target: str

    @classmethod
    def make(cls, window_s: float, unit_s: float, antecedent: str, target: str) -> WindowSpec:
        """From seconds. W must be a whole number of units (W >= Δ for ``onset`` windows)."""
        if antecedent not in ANTECEDENT_MODES:
            raise ParameterError(
                f"unknown antecedent mode {antecedent!r}; "
                f"choose one of {', '.join(ANTECEDENT_MODES)}"
            )
        if target not in TARGET_MODES:
            raise ParameterError(
                f"unknown target mode {target!r}; choose one of {', '.join(TARGET_MODES)}"
            )
        unit_ms, window_ms = round(unit_s * 1000), round(window_s * 1000)
        if unit_ms <= 0:
            raise ParameterError(f"unit_s must be >= 0.001, got {unit_s}")
        if window_ms < 0 or window_ms % unit_ms:
            raise ParameterError(
                f"window_s must be a whole number (>= 0) of time units ({unit_s} s), got {window_s}"
            )
        if antecedent == "onset" and window_ms == 0:
            raise ParameterError("window_s must be > 0 with antecedent mode 'onset', got 0")
        return cls(window_ms, unit_ms, antecedent, target)

    @property
    def k(self) -> int:
        return self.window_ms // self.unit_ms

    def parameters(self) -> dict[str, Any]:
        return {
            "window_s": self.window_ms / 1000,
            "unit_s": self.unit_ms / 1000,
            "antecedent_mode": self.antecedent,
            "target_mode": self.target,
        }


def parse_selector(text: str, what: str) -> dict[str, list[str]]:
    """``"speaker_type=FEM|MAL;kind=vocal"`` -> ``{"speaker_type": ["FEM", "MAL"], "kind":
    ["vocal"]}``: columns joined by ``;`` (or ``,`` outside spec strings), values by ``|``."""
    out: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in text.replace(",", ";").split(";"))):
        column, sep, values = part.partition("=")
        if not sep or not values.strip():
            raise ParameterError(
                f"{what}: write COLUMN=VALUE[|VALUE...] joined by ';', got {part!r}"
            )
        out[column.strip()] = [v.strip() for v in values.split("|")]
    return out


def selector_text(spec: Selector) -> str:
    """A selector as ``parse_selector`` reads it (``speaker_type=FEM|MAL;kind=vocal``)."""
    return ";".join(
        f"{column}={value if isinstance(value, str) else '|'.join(value)}"
        for column, value in spec.items()
    )


def selection(frame: pl.DataFrame, spec: Selector, what: str) -> pl.DataFrame:
    """The rows of ``frame`` matching every key of ``spec`` (a value or a list of values each)."""
    if not spec:
        raise ParameterError(f"the {what} selector is empty; give speaker_type, kind and/or code")
    unknown = set(spec) - set(SELECT_COLUMNS)
    if unknown:
        raise ParameterError(
            f"unknown {what} selector keys {sorted(unknown)}; "
            f"choose from {', '.join(SELECT_COLUMNS)}"
        )
    expr = pl.lit(True)
    for column, value in spec.items():
        values = [value] if isinstance(value, str) else list(value)
        expr = expr & pl.col(column).cast(pl.String).is_in(values).fill_null(False)
    return frame.filter(expr)


def occupied(onset: np.ndarray, offset: np.ndarray, unit_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """First unit and one-past-last unit each ``[onset, offset)`` row occupies."""
    first = onset // unit_ms
    last = np.maximum(first + 1, -(-offset // unit_ms))
    return first, last


def cover(first: np.ndarray, stop: np.ndarray, n: int) -> np.ndarray:
    """Boolean grid of ``n`` units, True in every ``[first, stop)`` (clipped to the grid)."""
    first = np.clip(first, 0, n)
    stop = np.clip(stop, 0, n)
    keep = stop > first
    delta = np.bincount(first[keep], minlength=n + 1) - np.bincount(stop[keep], minlength=n + 1)
    return np.cumsum(delta[:n]) > 0


def window_grid(rows: pl.DataFrame, spec: WindowSpec, n: int) -> np.ndarray:
    """Units inside some antecedent window."""
    onset = rows["segment_onset"].to_numpy()
    offset = rows["segment_offset"].to_numpy()
    first, last = occupied(onset, offset, spec.unit_ms)
    stop = first + spec.k if spec.antecedent == "onset" else last + spec.k
    return cover(first, stop, n)


def target_grid(rows: pl.DataFrame, spec: WindowSpec, n: int) -> np.ndarray:
    """Units holding a target onset (``onset``) or occupied by a target (``occurrence``)."""
    onset = rows["segment_onset"].to_numpy()
    offset = rows["segment_offset"].to_numpy()
    first, last = occupied(onset, offset, spec.unit_ms)
    return cover(first, first + 1 if spec.target == "onset" else last, n)


def tally(in_window: np.ndarray, target: np.ndarray) -> tuple[int, int, int, int]:
    """The 2×2 table (a, b, c, d) of two boolean unit grids of equal length."""
    a = int(np.count_nonzero(in_window & target))
    w, t = int(np.count_nonzero(in_window)), int(np.count_nonzero(target))
    return a, w - a, t - a, len(target) - w - t + a


@dataclass
class TimeWindowResult(TimedFigures):
    """One recording's time-window table (``test``: against a null, when one was drawn)."""

    recording_id: str
    table: Table2x2
    antecedents: int
    targets: int
    duration_ms: int
    parameters: dict[str, Any]
    test: MonteCarloP | None = None
    source: str = SOURCE
    definition: str = DEFINITION
    warnings: list[str] = field(default_factory=list)

    recordings = property(lambda self: 1)
    duration_s = property(lambda self: self.duration_ms / 1000)
    mean_q = property(lambda self: self.table.yules_q)


@dataclass
class Streams:
    """The two unit grids of one recording, ready for tallies and nulls."""

    recording_id: str
    in_window: np.ndarray
    target: np.ndarray
    antecedents: int
    targets: int
    duration_ms: int
    warnings: list[str]


def streams(
    data: Recording | pl.DataFrame,
    antecedent: Selector,
    target: Selector,
    spec: WindowSpec,
    duration_ms: int | None = None,
) -> Streams:
    """Antecedent-window and target grids of one recording (or bare segments table)."""
    if isinstance(data, Recording):
        frame, rec_id = data.segments, data.id
        duration_ms = data.duration_ms if duration_ms is None else duration_ms
    else:
        frame, rec_id = data, ""
    warnings = []
    untimed = frame.height - seg.timed(frame).height
    frame = seg.timed(frame)
    if duration_ms is None:
        duration_ms = int(frame["segment_offset"].max() or 0)
    n = -(-int(duration_ms) // spec.unit_ms)
    ante = selection(frame, antecedent, "antecedent")
    targ = selection(frame, target, "target")
    late = (
        ante.filter(pl.col("segment_onset") >= duration_ms).height
        + targ.filter(pl.col("segment_onset") >= duration_ms).height
    )
    if untimed:
        warnings.append(f"{untimed} row(s) without times left out")
    if late:
        warnings.append(f"{late} antecedent/target row(s) starting at or after the end left out")
    return Streams(
        rec_id,
        window_grid(ante, spec, n),
        target_grid(targ, spec, n),
        ante.filter(pl.col("segment_onset") < duration_ms).height,
        targ.filter(pl.col("segment_onset") < duration_ms).height,
        int(duration_ms),
        warnings,
    )


def time_window(
    data: Recording | pl.DataFrame,
    antecedent: Selector,
    target: Selector,
    *,
    window_s: float,
    unit_s: float = 1.0,
    antecedent_mode: str = "onset",
    target_mode: str = "onset",
    duration_ms: int | None = None,
) -> TimeWindowResult:
    """The time-window 2×2 table of one recording: window ``W`` = ``window_s``, unit Δ =
    ``unit_s`` (seconds). ``antecedent`` and ``target`` select rows by ``speaker_type``,
    ``speaker_id``, ``kind`` and/or ``code`` (one value or a list each). ``duration_ms``
    overrides the recording's duration (a bare table's default is its last offset)."""
    spec = WindowSpec.make(window_s, unit_s, antecedent_mode, target_mode)
    s = streams(data, antecedent, target, spec, duration_ms)
    return _result(s, antecedent, target, spec)


def _result(s: Streams, antecedent: Selector, target: Selector, spec: WindowSpec):
    return TimeWindowResult(
        recording_id=s.recording_id,
        table=Table2x2(*tally(s.in_window, s.target)),
        antecedents=s.antecedents,
        targets=s.targets,
        duration_ms=s.duration_ms,
        parameters=parameters(spec, antecedent, target),
        warnings=s.warnings,
    )


def parameters(spec: WindowSpec, antecedent: Selector, target: Selector) -> dict[str, Any]:
    """The window parameters and both selectors (as ``parse_selector`` reads them)."""
    return {
        **spec.parameters(),
        "antecedent": selector_text(antecedent),
        "target": selector_text(target),
    }


@dataclass
class TimeWindowSummary(TimedFigures):
    """Per-recording tables and the pooled table, their cell-wise sum (``test``: the pooled
    table against a null, when one was drawn)."""

    per_recording: list[TimeWindowResult]
    pooled: Table2x2
    parameters: dict[str, Any]
    test: MonteCarloP | None = None
    source: str = SOURCE
    definition: str = DEFINITION
    warnings: list[str] = field(default_factory=list)

    table = property(lambda self: self.pooled)
    recordings = property(lambda self: len(self.per_recording))
    antecedents = property(lambda self: sum(r.antecedents for r in self.per_recording))
    targets = property(lambda self: sum(r.targets for r in self.per_recording))
    duration_s = property(lambda self: sum(r.duration_ms for r in self.per_recording) / 1000)

    @property
    def recording_id(self) -> str | None:
        """The recording's id when there is one recording."""
        return self.per_recording[0].recording_id if len(self.per_recording) == 1 else None

    @property
    def mean_q(self) -> float:
        """Mean of the recordings' own Yule's Q (undefined ones left out; NaN if none)."""
        q = np.array([r.table.yules_q for r in self.per_recording], np.float64)
        q = q[~np.isnan(q)]
        return float(q.mean()) if len(q) else math.nan

    def details(self) -> dict[str, Any]:
        """The detail figures; with one recording no per-recording lists (the figures are that
        recording's own)."""
        out = super().details()
        if self.recordings == 1:
            out.pop("per_recording", None)
            out.pop("circular_shift", None)
        return out

    def to_frame(self) -> pl.DataFrame:
        """One row per recording, then a row ``recording_id = "(pooled)"``: scalar figures."""
        rows = [{"recording_id": r.recording_id, **r.figures()} for r in self.per_recording]
        rows.append({"recording_id": "(pooled)", **self.figures()})
        return pl.DataFrame(rows, infer_schema_length=None)


def time_window_many(
    recordings: Iterable[Recording],
    antecedent: Selector,
    target: Selector,
    *,
    window_s: float,
    unit_s: float = 1.0,
    antecedent_mode: str = "onset",
    target_mode: str = "onset",
) -> TimeWindowSummary:
    """``time_window`` for each recording (one dyad each) plus the pooled table."""
    spec = WindowSpec.make(window_s, unit_s, antecedent_mode, target_mode)
    results = [
        _result(streams(rec, antecedent, target, spec), antecedent, target, spec)
        for rec in recordings
    ]
    warnings = [f"{r.recording_id}: {w}" for r in results for w in r.warnings]
    return TimeWindowSummary(
        results,
        pooled(r.table for r in results),
        parameters(spec, antecedent, target),
        warnings=warnings,
    )
