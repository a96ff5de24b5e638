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
the end of the timeline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from attunement import segments as seg
from attunement.errors import ParameterError
from attunement.recording import Recording

ANTECEDENT_MODES = ("onset", "duration")
TARGET_MODES = ("onset", "occurrence")
SELECT_COLUMNS = ("speaker_type", "speaker_id", "kind", "code")
ZERO_CELL_RULE = "add 0.5 to all four cells when any cell is 0 (odds ratio and log odds ratio)"
SOURCE = (
    "Yoder & Tapp (2004) J Behav Educ 13:227; Chorney, Garcia, Berlin, Bakeman & Kain (2010) "
    "J Pediatr Psychol 35:1061; Bakeman & Quera (2011) ch. 9"
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
                f"unknown antecedent mode {antecedent!r}; choose one of {', '.join(ANTECEDENT_MODES)}"
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


def selection(frame: pl.DataFrame, spec: Selector, what: str) -> pl.DataFrame:
    """The rows of ``frame`` matching every key of ``spec`` (a value or a list of values each)."""
    if not spec:
        raise ParameterError(f"the {what} selector is empty; give speaker_type, kind and/or code")
    unknown = set(spec) - set(SELECT_COLUMNS)
    if unknown:
        raise ParameterError(
            f"unknown {what} selector keys {sorted(unknown)}; choose from {', '.join(SELECT_COLUMNS)}"
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


def yules_q(a: float, b: float, c: float, d: float) -> float:
    """(ad − bc) / (ad + bc) from the raw counts; NaN when ad + bc = 0."""
    ad, bc = a * d, b * c
    return (ad - bc) / (ad + bc) if ad + bc > 0 else math.nan


def odds_ratio(a: float, b: float, c: float, d: float) -> tuple[float, float, bool]:
    """Odds ratio, log odds ratio, and whether the zero-cell rule (+0.5 to all cells) applied."""
    corrected = min(a, b, c, d) == 0
    if corrected:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    ratio = (a * d) / (b * c)
    return ratio, math.log(ratio), corrected


@dataclass
class Table2x2:
    """A time-unit 2×2 table and its indices (see the module docstring for every definition)."""

    a: int
    b: int
    c: int
    d: int
    yules_q: float = field(init=False)
    odds_ratio: float = field(init=False)
    log_odds_ratio: float = field(init=False)
    zero_cell_corrected: bool = field(init=False)

    def __post_init__(self) -> None:
        self.yules_q = yules_q(self.a, self.b, self.c, self.d)
        self.odds_ratio, self.log_odds_ratio, self.zero_cell_corrected = odds_ratio(
            self.a, self.b, self.c, self.d
        )

    @property
    def n_units(self) -> int:
        return self.a + self.b + self.c + self.d

    def to_dict(self) -> dict[str, Any]:
        return {
            "a_window_target": self.a,
            "b_window_no_target": self.b,
            "c_outside_target": self.c,
            "d_outside_no_target": self.d,
            "n_units": self.n_units,
            "yules_q": _finite(self.yules_q),
            "odds_ratio": self.odds_ratio,
            "log_odds_ratio": self.log_odds_ratio,
            "zero_cell_corrected": self.zero_cell_corrected,
        }


def _finite(x: float) -> float | None:
    return None if math.isnan(x) else x


@dataclass
class TimeWindowResult:
    """One recording's time-window table with its parameters, counts and source."""

    recording_id: str
    table: Table2x2
    antecedents: int
    targets: int
    duration_ms: int
    antecedent: dict[str, Any]
    target: dict[str, Any]
    parameters: dict[str, Any]
    source: str = SOURCE
    zero_cell_rule: str = ZERO_CELL_RULE
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "recording_id": self.recording_id,
            **self.table.to_dict(),
            "antecedents": self.antecedents,
            "targets": self.targets,
            "duration_s": self.duration_ms / 1000,
            "antecedent": self.antecedent,
            "target": self.target,
            "parameters": self.parameters,
            "source": self.source,
            "zero_cell_rule": self.zero_cell_rule,
            "warnings": list(self.warnings),
        }


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
        antecedent=_plain(antecedent),
        target=_plain(target),
        parameters=spec.parameters(),
        warnings=s.warnings,
    )


def _plain(spec: Selector) -> dict[str, Any]:
    return {k: v if isinstance(v, str) else list(v) for k, v in spec.items()}


@dataclass
class TimeWindowSummary:
    """Per-recording tables and the pooled table (the cell-wise sum of the per-recording
    tables, Bakeman & Quera 2011: pooling sums tallies, it does not average indices)."""

    per_recording: list[TimeWindowResult]
    pooled: Table2x2
    parameters: dict[str, Any]
    source: str = SOURCE
    zero_cell_rule: str = ZERO_CELL_RULE

    def to_frame(self) -> pl.DataFrame:
        """One row per recording, then a row ``recording_id = "(pooled)"``."""
        rows = [{"recording_id": r.recording_id, **r.table.to_dict()} for r in self.per_recording]
        rows.append({"recording_id": "(pooled)", **self.pooled.to_dict()})
        return pl.DataFrame(rows, infer_schema_length=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "per_recording": [r.to_dict() for r in self.per_recording],
            "pooled": self.pooled.to_dict(),
            "parameters": self.parameters,
            "source": self.source,
            "zero_cell_rule": self.zero_cell_rule,
        }


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
    sums = np.array([[r.table.a, r.table.b, r.table.c, r.table.d] for r in results], np.int64)
    pooled = Table2x2(*(int(x) for x in sums.sum(axis=0))) if results else Table2x2(0, 0, 0, 0)
    return TimeWindowSummary(results, pooled, spec.parameters())
