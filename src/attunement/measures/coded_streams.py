"""Coded state streams of a dyad on one time grid: the child's state, the caregiver's state and the
episode label in every interval between consecutive change points.

``joint_states(table)`` takes a segments table (or a Recording) and cuts time at every onset and
offset of the selected segments, so the grid is exact at any time resolution (1-s ICEP codes,
2-s interval sampling, millisecond video codes). In each interval a partner's state is the code
of the segment covering it, ``""`` when none does. Two or more codes of one partner covering the
same interval are combined into one state, joined with ``"+"`` in sorted order (``"Cneg+Cpos"``),
and the number of such intervals is reported in a warning: nothing is dropped. Zero-length
segments cover no time; they are counted in a warning too.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from attunement.errors import DataError
from attunement.recording import Recording

JOIN = "+"


class CodedStreamsWarning(UserWarning):
    """Overlapping codes were combined, or zero-length segments were found."""


@dataclass(frozen=True)
class JointStates:
    """The dyad's states on the change-point grid.

    ``bounds`` (int64 ms, length n + 1, strictly increasing) delimits n half-open intervals;
    ``child``, ``caregiver`` and ``episode`` (numpy str arrays of length n) hold each interval's
    state, ``""`` meaning uncoded (no episode label, for ``episode``).
    """

    bounds: np.ndarray
    child: np.ndarray
    caregiver: np.ndarray
    episode: np.ndarray
    recording_id: str

    @property
    def n(self) -> int:
        return len(self.child)

    @property
    def durations_ms(self) -> np.ndarray:
        return np.diff(self.bounds)


def joint_states(
    table: pl.DataFrame | Recording,
    *,
    child_types: Sequence[str] = ("CHI",),
    caregiver_types: Sequence[str] = ("FEM", "MAL", "ADU"),
    kinds: Sequence[str] = ("affect", "behaviour"),
    episode_kind: str = "episode",
) -> JointStates:
    """The joint state streams of a segments table (see the module docstring).

    Child segments: ``speaker_type`` in ``child_types`` and ``kind`` in ``kinds``; caregiver
    segments likewise with ``caregiver_types``; episode segments: ``kind == episode_kind`` (any
    speaker). For a Recording the grid runs from 0 to its duration; for a bare table from the
    first onset to the last offset. Combined states and zero-length segments are reported with a
    ``CodedStreamsWarning``.
    """
    states, messages = build_joint_states(
        table,
        child_types=child_types,
        caregiver_types=caregiver_types,
        kinds=kinds,
        episode_kind=episode_kind,
    )
    for message in messages:
        warnings.warn(message, CodedStreamsWarning, stacklevel=2)
    return states


def build_joint_states(
    table: pl.DataFrame | Recording,
    *,
    child_types: Sequence[str] = ("CHI",),
    caregiver_types: Sequence[str] = ("FEM", "MAL", "ADU"),
    kinds: Sequence[str] = ("affect", "behaviour"),
    episode_kind: str = "episode",
) -> tuple[JointStates, list[str]]:
    """``joint_states`` returning its warning messages instead of emitting them."""
    span: tuple[int, int] | None = None
    recording_id = ""
    if isinstance(table, Recording):
        span, recording_id = (0, int(table.duration_ms or 0)), table.id
        table = table.segments
    elif "recording_id" in table.columns and table.height:
        recording_id = str(table["recording_id"][0])
    timed = table.filter(pl.col("segment_onset").is_not_null())
    kind = pl.col("kind").cast(pl.String)
    speaker = pl.col("speaker_type").cast(pl.String)
    in_kinds = kind.is_in(list(kinds))
    parts = {
        "child": timed.filter(in_kinds & speaker.is_in(list(child_types))),
        "caregiver": timed.filter(in_kinds & speaker.is_in(list(caregiver_types))),
        "episode": timed.filter(kind == episode_kind),
    }
    messages = []
    zero = sum(int((p["segment_offset"] == p["segment_onset"]).sum()) for p in parts.values())
    if zero:
        messages.append(f"{zero} zero-length coded segment(s) cover no time and were not used")
    parts = {
        name: p.filter(pl.col("segment_offset") > pl.col("segment_onset"))
        for name, p in parts.items()
    }
    edges = [p[c].to_numpy() for p in parts.values() for c in ("segment_onset", "segment_offset")]
    if span is not None:
        edges.append(np.array(span, dtype=np.int64))
    bounds = np.unique(np.concatenate(edges)).astype(np.int64) if edges else np.zeros(0, np.int64)
    if span is not None:
        bounds = bounds[bounds <= span[1]]
        beyond = sum(int((p["segment_offset"] > span[1]).sum()) for p in parts.values())
        if beyond:
            messages.append(
                f"{beyond} coded segment(s) run past the recording's duration "
                f"({span[1] / 1000:g} s) and were cut there"
            )
    if len(bounds) < 2:
        raise DataError(
            "no coded time: no affect/behaviour segment of either partner and no episode"
        )
    streams = {}
    for name, part in parts.items():
        streams[name], combined = _stream(part, bounds)
        if combined.any():
            seconds = float(np.diff(bounds)[combined].sum()) / 1000
            messages.append(
                f"{int(combined.sum())} interval(s) ({seconds:g} s) where several {name} codes "
                f"overlap were coded as one combined state joined with {JOIN!r} in sorted order"
            )
    return JointStates(bounds=bounds, recording_id=recording_id, **streams), messages


def _stream(part: pl.DataFrame, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each grid interval's state from segments lying on the grid, and a mask of the intervals
    where several distinct codes were combined."""
    n = len(bounds) - 1
    out = np.full(n, "", dtype=object)
    combined = np.zeros(n, dtype=bool)
    if part.height == 0:
        return out.astype(str), combined
    first = np.minimum(np.searchsorted(bounds, part["segment_onset"].to_numpy()), n)
    stop = np.minimum(np.searchsorted(bounds, part["segment_offset"].to_numpy()), n)
    counts = stop - first
    keep = counts > 0  # segments outside a Recording's [0, duration] span cover nothing
    first, counts = first[keep], counts[keep]
    codes = part["code"].fill_null("").cast(pl.String).to_numpy()[keep]
    # one (interval, code) row per interval each segment covers
    starts = np.repeat(first - np.cumsum(counts) + counts, counts)
    interval = np.arange(int(counts.sum())) + starts
    pairs = (
        pl.DataFrame({"interval": interval, "code": np.repeat(codes, counts)})
        .unique()
        .sort("interval", "code")
        .group_by("interval", maintain_order=True)
        .agg(pl.col("code").str.join(JOIN), pl.len().alias("n"))
    )
    out[pairs["interval"].to_numpy()] = pairs["code"].to_numpy()
    combined[pairs.filter(pl.col("n") > 1)["interval"].to_numpy()] = True
    return out.astype(str), combined


def from_partner_table(frame: pl.DataFrame, *, recording_id: str = "") -> JointStates:
    """Joint states from the partner-table layout: columns ``onset``, ``offset`` (seconds),
    ``partner`` (``child``, ``caregiver``, or ``episode`` for episode labels) and ``code``.

    Rows are checked as by the ``coded_streams`` reader (``attunement.io.coded_streams``); a bad
    row raises ``ReadError`` naming its line (header = line 1).
    """
    from attunement.io.coded_streams import DEFAULT_ROLES, segments_from_frame

    table, _ = segments_from_frame(frame, "partner table", DEFAULT_ROLES)
    states = joint_states(table)
    return JointStates(
        bounds=states.bounds,
        child=states.child,
        caregiver=states.caregiver,
        episode=states.episode,
        recording_id=recording_id,
    )
