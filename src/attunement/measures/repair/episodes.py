"""Mismatch episodes and their repairs (Tronick & Gianino 1986; Tronick 1989, the mutual regulation
model: interactive errors and their repair).

A *mismatch episode* is a maximal run of consecutive mismatched time within one episode label
(a Still-Face phase, say): a change of episode label always ends the run. Changes of codes inside
the run (Mpos/Cneg -> Mneg/Cpos) do not. What follows the run decides its end:

- ``match``: the episode is *repaired*; its *repair latency* is the run's duration (mismatch onset
  to the first matched instant), an observed event;
- ``uncoded``: the run ends without a match; the latency is right-censored at the run's end
  (assumption: losing sight of a partner says nothing about when a match would have come:
  non-informative censoring);
- ``neutral``: what neutral time means is a choice (``neutral``), stated in every result:

  * ``censor`` (default): as uncoded, the latency is right-censored at the run's end;
  * ``bridge``: a neutral gap of at most ``bridge_ms`` lying between two mismatch runs of the
    same episode label does not end the episode (the runs and the gap are one episode; its time
    still counts as neutral in the time figures, and ``bridged_s`` says how much); a longer gap,
    or one not followed by mismatch, is censored as with ``censor``;
  * ``end``: neutral time closes the episode as *not repaired*: neither repaired nor censored
    (``censored`` is False), an episode that will never be repaired in the latency curve;
- ``episode_end`` (the episode label changes) or ``recording_end``: right-censored there. A run
  ending exactly where a new episode label starts is censored even if the new episode opens
  matched: each episode (FF, SF, RE) is analysed on its own.

*Who repaired*: at a repair, ``child`` when only the child's state changed at that boundary,
``caregiver`` when only the caregiver's did, ``both`` when both changed at the same boundary.

``min_mismatch_ms``: runs shorter than this are coding jitter, not episodes. They are left out of
the episode list (counted as ignored) and are **not** merged into the surrounding state: the
runs before and after them stay separate, and their time still counts as mismatched time in the
matching proportions. A run that starts at the start of an episode label (or of the recording)
is *left-truncated*: its true onset may be earlier; it is flagged, not dropped.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from attunement.measures.coded_streams import JointStates
from attunement.measures.repair.match_table import MISMATCH, NEUTRAL, RELATIONS

END_REASONS: tuple[str, ...] = ("match", "neutral", "uncoded", "episode_end", "recording_end")

EPISODE_SCHEMA = {
    "onset_s": pl.Float64,
    "offset_s": pl.Float64,
    "duration_s": pl.Float64,
    "episode": pl.String,
    "phase": pl.String,
    "end": pl.String,
    "repaired": pl.Boolean,
    "censored": pl.Boolean,
    "who_repaired": pl.String,
    "left_truncated": pl.Boolean,
    "bridged_s": pl.Float64,
}
NEUTRAL_RULES = ("censor", "bridge", "end")


def mismatch_episodes(
    states: JointStates,
    relation: np.ndarray,
    phase: np.ndarray,
    min_mismatch_ms: int,
    neutral: str = "censor",
    bridge_ms: int = 0,
) -> tuple[pl.DataFrame, np.ndarray]:
    """One row per mismatch episode (columns ``EPISODE_SCHEMA``), and the phase of each mismatch
    run shorter than ``min_mismatch_ms`` (ignored as jitter); ``neutral`` and ``bridge_ms`` as in
    the module docstring."""
    n = states.n
    label = states.episode
    bridged = _bridged(states, relation, bridge_ms) if neutral == "bridge" else np.zeros(n, bool)
    runs = np.where(bridged, MISMATCH, relation)
    cut = np.flatnonzero((runs[1:] != runs[:-1]) | (label[1:] != label[:-1])) + 1
    starts = np.concatenate(([0], cut))
    stops = np.concatenate((cut, [n]))
    mismatch = runs[starts] == MISMATCH
    starts, stops = starts[mismatch], stops[mismatch]
    onset, offset = states.bounds[starts], states.bounds[stops]
    long_enough = offset - onset >= min_mismatch_ms
    ignored = phase[starts[~long_enough]]
    starts, stops, onset, offset = (a[long_enough] for a in (starts, stops, onset, offset))

    at_end = stops == n
    after = np.minimum(stops, n - 1)
    label_changes = ~at_end & (label[after] != label[stops - 1])
    following = np.array(RELATIONS)[relation[after]]
    end = np.where(at_end, "recording_end", np.where(label_changes, "episode_end", following))
    repaired = end == "match"
    closed = (end == "neutral") if neutral == "end" else np.zeros(len(end), bool)
    child_moved = states.child[after] != states.child[stops - 1]
    caregiver_moved = states.caregiver[after] != states.caregiver[stops - 1]
    who = np.select(
        [child_moved & caregiver_moved, child_moved, caregiver_moved],
        ["both", "child", "caregiver"],
        default="",
    )
    first = starts == 0
    left_truncated = first | (label[starts] != label[np.maximum(starts - 1, 0)])
    gap_ms = np.concatenate(([0], np.cumsum(np.where(bridged, states.durations_ms, 0))))
    frame = pl.DataFrame(
        {
            "onset_s": onset / 1000,
            "offset_s": offset / 1000,
            "duration_s": (offset - onset) / 1000,
            "episode": label[starts],
            "phase": phase[starts],
            "end": end,
            "repaired": repaired,
            "censored": ~repaired & ~closed,
            "who_repaired": np.where(repaired, who, ""),
            "left_truncated": left_truncated,
            "bridged_s": (gap_ms[stops] - gap_ms[starts]) / 1000,
        },
        schema=EPISODE_SCHEMA,
    ).with_columns(pl.col("who_repaired").replace("", None))
    return frame, ignored


def _bridged(states: JointStates, relation: np.ndarray, bridge_ms: int) -> np.ndarray:
    """The intervals of every neutral run of at most ``bridge_ms`` that lies between two
    mismatch runs within one episode label."""
    n = states.n
    label = states.episode
    cut = np.flatnonzero((relation[1:] != relation[:-1]) | (label[1:] != label[:-1])) + 1
    starts = np.concatenate(([0], cut))
    stops = np.concatenate((cut, [n]))
    kind = relation[starts]
    inner = np.arange(1, len(starts) - 1)
    gap = inner[
        (kind[inner] == NEUTRAL)
        & (kind[inner - 1] == MISMATCH)
        & (kind[inner + 1] == MISMATCH)
        & (label[starts[inner] - 1] == label[starts[inner]])
        & (label[stops[inner]] == label[starts[inner]])
        & (states.bounds[stops[inner]] - states.bounds[starts[inner]] <= bridge_ms)
    ]
    out = np.zeros(n, dtype=bool)
    for i in gap.tolist():  # one slice per bridged gap
        out[starts[i] : stops[i]] = True
    return out


def relation_seconds(
    states: JointStates, relation: np.ndarray, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """Seconds in each relation (rows: ``RELATIONS``) per group index (columns)."""
    seconds = states.durations_ms / 1000
    index = relation.astype(np.int64) * n_groups + groups
    return np.bincount(index, weights=seconds, minlength=len(RELATIONS) * n_groups).reshape(
        len(RELATIONS), n_groups
    )
