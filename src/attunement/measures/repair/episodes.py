"""Mismatch episodes and their repairs (Tronick & Gianino 1986; Tronick 1989, the mutual regulation
model: interactive errors and their repair).

A *mismatch episode* is a maximal run of consecutive mismatched time within one episode label
(a Still-Face phase, say): a change of episode label always ends the run. Changes of codes inside
the run (Mpos/Cneg -> Mneg/Cpos) do not. What follows the run decides its end:

- ``match``: the episode is *repaired*; its *repair latency* is the run's duration (mismatch onset
  to the first matched instant), an observed event;
- ``neutral`` or ``uncoded``: the run ends without a match; the latency is right-censored at the
  run's end (assumption: leaving mismatch for a neutral or uncoded state says nothing about when
  a match would have come: non-informative censoring);
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
from attunement.measures.repair.match_table import MISMATCH, RELATIONS

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
}


def mismatch_episodes(
    states: JointStates, relation: np.ndarray, phase: np.ndarray, min_mismatch_ms: int
) -> tuple[pl.DataFrame, np.ndarray]:
    """One row per mismatch episode (columns ``EPISODE_SCHEMA``), and the phase of each mismatch
    run shorter than ``min_mismatch_ms`` (ignored as jitter)."""
    n = states.n
    label = states.episode
    cut = np.flatnonzero((relation[1:] != relation[:-1]) | (label[1:] != label[:-1])) + 1
    starts = np.concatenate(([0], cut))
    stops = np.concatenate((cut, [n]))
    mismatch = relation[starts] == MISMATCH
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
    child_moved = states.child[after] != states.child[stops - 1]
    caregiver_moved = states.caregiver[after] != states.caregiver[stops - 1]
    who = np.select(
        [child_moved & caregiver_moved, child_moved, caregiver_moved],
        ["both", "child", "caregiver"],
        default="",
    )
    first = starts == 0
    left_truncated = first | (label[starts] != label[np.maximum(starts - 1, 0)])
    frame = pl.DataFrame(
        {
            "onset_s": onset / 1000,
            "offset_s": offset / 1000,
            "duration_s": (offset - onset) / 1000,
            "episode": label[starts],
            "phase": phase[starts],
            "end": end,
            "repaired": repaired,
            "censored": ~repaired,
            "who_repaired": np.where(repaired, who, ""),
            "left_truncated": left_truncated,
        },
        schema=EPISODE_SCHEMA,
    ).with_columns(pl.col("who_repaired").replace("", None))
    return frame, ignored


def relation_seconds(
    states: JointStates, relation: np.ndarray, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """Seconds in each relation (rows: ``RELATIONS``) per group index (columns)."""
    seconds = states.durations_ms / 1000
    index = relation.astype(np.int64) * n_groups + groups
    return np.bincount(index, weights=seconds, minlength=len(RELATIONS) * n_groups).reshape(
        len(RELATIONS), n_groups
    )
