"""Simulated coded dyads with a known match proportion and repair hazard (ground truth for
``attunement.repair``).

Time alternates between matched and mismatched spells (a two-state semi-Markov process). A
mismatched spell lasts an exponential time with rate ``repair_hazard`` (per second: the repair
hazard is constant, so the mean repair latency is 1 / hazard and the median ln 2 / hazard); a
matched spell lasts an exponential time with mean ``p / (1 - p) / hazard``, so that the long-run
share of matched time is ``match_proportion`` = p. Each phase (for example FF, SF, RE of a
Still-Face procedure) has its own parameters and starts in the stationary distribution; spells
are cut at phase ends, which right-censors mismatches open at that moment.

Codes are valences, as in the ``valence`` match table: the child is ``Cpos`` or ``Cneg``, the
caregiver (FEM) ``Mpos`` or ``Mneg``; matched = equal valence. At every change exactly one partner
changes: the child with probability ``child_share``, else the caregiver; so who repaired is known
too. Times are whole milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from attunement import segments as seg
from attunement.errors import ParameterError
from attunement.recording import Recording


@dataclass(frozen=True)
class Phase:
    """One stretch with its own parameters; ``name`` becomes an episode label unless empty."""

    name: str
    duration_s: float
    match_proportion: float
    repair_hazard: float
    child_share: float = 0.5


@dataclass
class CodedDyad:
    """The simulated Recording and its ground truth: the parameters of each phase and the true
    mismatch spells (``onset_s``, ``offset_s``, ``phase``, ``repaired``, ``who``)."""

    recording: Recording
    phases: list[Phase]
    spells: pl.DataFrame = field(repr=False)

    @property
    def truth(self) -> dict[str, Any]:
        return {
            p.name: {
                "match_proportion": p.match_proportion,
                "repair_hazard": p.repair_hazard,
                "median_latency_s": float(np.log(2) / p.repair_hazard),
                "child_share": p.child_share,
            }
            for p in self.phases
        }


def coded_dyad(
    duration_s: float = 600.0,
    *,
    match_proportion: float = 0.6,
    repair_hazard: float = 0.2,
    child_share: float = 0.5,
    phases: Sequence[Phase] | None = None,
    seed: int = 0,
    recording_id: str = "simulated",
) -> CodedDyad:
    """One simulated dyad: a single unlabelled phase from the keyword parameters, or ``phases``."""
    if phases is None:
        phases = [Phase("", duration_s, match_proportion, repair_hazard, child_share)]
    for p in phases:
        if not (0 < p.match_proportion < 1 and p.repair_hazard > 0 and p.duration_s > 0):
            raise ParameterError(
                f"phase {p.name!r}: match_proportion must be in (0, 1), repair_hazard and "
                f"duration_s > 0, got {p.match_proportion}, {p.repair_hazard}, {p.duration_s}"
            )
        if not 0 <= p.child_share <= 1:
            raise ParameterError(
                f"phase {p.name!r}: child_share must be in [0, 1], got {p.child_share}"
            )
    rng = np.random.default_rng(seed)
    start = 0
    child, caregiver, episodes, spells = [], [], [], []
    for phase in phases:
        stop = start + round(phase.duration_s * 1000)
        bounds, matched, child_pos, caregiver_pos, who = _phase_spells(rng, phase, start, stop)
        child.append(_runs(bounds, np.where(child_pos, "Cpos", "Cneg")))
        caregiver.append(_runs(bounds, np.where(caregiver_pos, "Mpos", "Mneg")))
        if phase.name:
            episodes.append(pl.DataFrame({"on": [start], "off": [stop], "code": [phase.name]}))
        mism = np.flatnonzero(~matched)
        closed = mism + 1 < len(matched)
        spells.append(
            pl.DataFrame(
                {
                    "onset_s": bounds[mism] / 1000,
                    "offset_s": bounds[mism + 1] / 1000,
                    "phase": [phase.name] * len(mism),
                    "repaired": closed,
                    "who": np.where(closed, who[np.minimum(mism + 1, len(who) - 1)], None),
                },
                schema_overrides={"who": pl.String},
            )
        )
        start = stop
    table = _segments(child, caregiver, episodes)
    return CodedDyad(
        recording=Recording(
            id=recording_id,
            path="",
            format="simulated",
            segments=table,
            duration_ms=start,
            extra={"seed": seed},
        ),
        phases=list(phases),
        spells=pl.concat(spells),
    )


def _phase_spells(rng, phase: Phase, start: int, stop: int):
    """Spell bounds (ms), matched flag per spell, each partner's valence per spell, and which
    partner changed at the start of each spell (``""`` for the first)."""
    mean_mismatch = 1000 / phase.repair_hazard
    mean_match = phase.match_proportion / (1 - phase.match_proportion) * mean_mismatch
    first_matched = rng.random() < phase.match_proportion
    span = stop - start
    count = int(3 * span / (mean_match + mean_mismatch)) + 20
    while True:
        matched = (np.arange(count) % 2 == 0) == first_matched
        # whole milliseconds, at least 1: a spell rounded away would flip the parity of all
        # later spells (each boundary changes exactly one partner)
        drawn = rng.exponential(np.where(matched, mean_match, mean_mismatch))
        lengths = np.maximum(np.round(drawn), 1).astype(np.int64)
        ends = start + np.cumsum(lengths)
        if ends[-1] >= stop:
            break
        count *= 2
    keep = np.searchsorted(ends, stop) + 1  # spells up to the one crossing the phase end
    bounds = np.concatenate(([start], np.minimum(ends[:keep], stop)))
    matched = matched[:keep]
    child_moves = rng.random(len(matched)) < phase.child_share
    child_moves[0] = False
    child_pos = rng.random() < 0.5
    child_valence = child_pos ^ (np.cumsum(child_moves) % 2 == 1)
    caregiver_moves = ~child_moves
    caregiver_moves[0] = False
    caregiver_start = child_pos if first_matched else not child_pos
    caregiver_valence = caregiver_start ^ (np.cumsum(caregiver_moves) % 2 == 1)
    matched = child_valence == caregiver_valence
    who = np.where(child_moves, "child", "caregiver")
    who[0] = ""
    return bounds, matched, child_valence, caregiver_valence, who


def _runs(bounds: np.ndarray, codes: np.ndarray) -> pl.DataFrame:
    """Consecutive spells with the same code merged into one segment."""
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    first = np.concatenate(([0], change))
    last = np.concatenate((change, [len(codes)]))
    return pl.DataFrame({"on": bounds[first], "off": bounds[last], "code": codes[first]})


def _segments(child, caregiver, episodes) -> pl.DataFrame:
    parts = [
        pl.concat(frames).with_columns(speaker_type=pl.lit(who), kind=pl.lit(kind))
        for frames, who, kind in ((child, "CHI", "affect"), (caregiver, "FEM", "affect"))
    ]
    if episodes:
        parts.append(
            pl.concat(episodes).with_columns(speaker_type=pl.lit("UNK"), kind=pl.lit("episode"))
        )
    frame = pl.concat(parts)
    return seg.build(
        {
            "segment_onset": frame["on"],
            "segment_offset": frame["off"],
            "speaker_type": frame["speaker_type"],
            "speaker_id": frame["speaker_type"].replace({"CHI": "child", "FEM": "mother"}),
            "kind": frame["kind"],
            "code": frame["code"],
        }
    )
