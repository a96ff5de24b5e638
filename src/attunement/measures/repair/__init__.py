"""Rupture and repair over coded child and caregiver state streams (Tronick's mutual regulation
model: Tronick & Gianino 1986; Tronick 1989; Tronick & Cohn 1989).

``repair(recording_or_table, match_table=..., min_mismatch_s=..., neutral=...)`` puts both partners'
codes on one change-point grid (``measures.coded_streams``), classifies every interval as matched,
mismatched, neutral or uncoded by a match table (``match_table``: data, not code, named with its
version and definition in every result), finds mismatch episodes and their repairs under a stated
neutral rule (``episodes``), and summarises time, repairs, censoring-aware repair latency and who
repaired (``summary``, ``latency``), for the whole recording and per episode phase (``still_face``).
Across dyads: ``still_face_contrasts`` and ``cox_model``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from attunement.errors import DataError, ParameterError
from attunement.measures.coded_streams import JointStates, build_joint_states
from attunement.measures.repair.episodes import (
    NEUTRAL_RULES,
    mismatch_episodes,
    relation_seconds,
)
from attunement.measures.repair.latency import cox_model
from attunement.measures.repair.match_table import (
    PRESETS,
    RELATIONS,
    MatchTable,
    MatchTableError,
    load_match_table,
)
from attunement.measures.repair.result import RepairResult
from attunement.measures.repair.still_face import DEFAULT_PHASES, phase_of, still_face_contrasts
from attunement.measures.repair.summary import summarise
from attunement.recording import Recording

__all__ = [
    "PRESETS",
    "MatchTable",
    "MatchTableError",
    "RepairResult",
    "cox_model",
    "load_match_table",
    "repair",
    "still_face_contrasts",
]

SOURCE = (
    "Tronick & Gianino (1986) Zero to Three 6(3):1-6; Tronick (1989) Am Psychol 44:112-119; "
    "Tronick & Cohn (1989) Child Dev 60:85-92; Reck et al. (2004) Psychopathology 37:272-280; "
    "Kaplan & Meier (1958); Lakens (2013) Front Psychol 4:863"
)
DEFINITION = (
    "Each interval between change points is matched, mismatched or neutral by the match table "
    "(uncoded when either partner has no code). Matching proportion = matched / (matched + "
    "mismatched) time, and matched / all time. A mismatch episode is a maximal run of mismatch "
    "within one episode label, at least min_mismatch_s long (shorter runs are ignored, not merged; "
    "their time stays mismatched). A repair is an episode followed by a match; its latency is the "
    "episode's duration, right-censored when the run ends in uncoded time, at an episode-label "
    "change or at the recording end; a run ending in neutral time is censored (neutral=censor), "
    "bridged over when the neutral gap is at most bridge_s and mismatch follows (neutral=bridge), "
    "or closed as not repaired (neutral=end). Reparation rate = repairs / episodes; repairs per "
    "minute of all time. Median latency by Kaplan-Meier. Who repaired: the partner whose state "
    "changed at the repairing boundary (both: both changed there)."
)


def repair(
    recording_or_table: Recording | pl.DataFrame | JointStates,
    *,
    match_table: str | Path | MatchTable = "icep-r-reading-1",
    min_mismatch_s: float = 0.0,
    child_types: Sequence[str] = ("CHI",),
    caregiver_types: Sequence[str] = ("FEM", "MAL", "ADU"),
    kinds: Sequence[str] = ("affect", "behaviour"),
    episode_kind: str = "episode",
    phases: Mapping[str, Sequence[str]] | None = None,
    absent_code: str | None = None,
    neutral: str = "censor",
    bridge_s: float = 1.0,
) -> RepairResult:
    """Rupture and repair in one recording (see the module docstring and ``summary``).

    ``recording_or_table``: a Recording, a segments table or ready ``JointStates``;
    ``match_table``: a preset name (``icep-r-reading-1``, ``monadic-phases``, ``valence``), a CSV
    path or a ``MatchTable``; ``min_mismatch_s``: shortest mismatch run counted as an episode;
    ``neutral``: ``censor``, ``bridge`` (neutral gaps of at most ``bridge_s`` between mismatch
    runs do not end an episode) or ``end`` (neutral closes it, not repaired; ``episodes``);
    ``child_types`` / ``caregiver_types`` / ``kinds`` / ``episode_kind``: which segments are
    each partner's codes and which are episode labels; ``phases``: phase -> episode labels
    (default ``DEFAULT_PHASES``); ``absent_code``: when given, a partner without a code in an
    interval is in this state (looked up in the match table) instead of uncoded: for
    interval-sampled data where every interval was coded and no code means "none of the codes"
    (ConNEcT's binary tables; the ``valence`` preset knows ``none``). Raises ``DataError`` when
    a partner has no codes, ``MatchTableError`` (a ``ParameterError``) when the table is unknown,
    malformed or lacks a coded pair (the ``repair`` family's runner makes that last one a
    ``DataError``).
    """
    if not min_mismatch_s >= 0:
        raise ParameterError(f"min_mismatch_s must be >= 0, got {min_mismatch_s}")
    if neutral not in NEUTRAL_RULES:
        raise ParameterError(f"neutral must be one of {', '.join(NEUTRAL_RULES)}, got {neutral!r}")
    if not bridge_s >= 0:
        raise ParameterError(f"bridge_s must be >= 0, got {bridge_s}")
    table = load_match_table(match_table)
    phases = dict(DEFAULT_PHASES if phases is None else phases)
    path = recording_or_table.path if isinstance(recording_or_table, Recording) else ""
    if isinstance(recording_or_table, JointStates):
        states, warnings = recording_or_table, []
    else:
        states, warnings = build_joint_states(
            recording_or_table,
            child_types=child_types,
            caregiver_types=caregiver_types,
            kinds=kinds,
            episode_kind=episode_kind,
        )
    for partner, types in (("child", child_types), ("caregiver", caregiver_types)):
        if not (getattr(states, partner) != "").any():
            raise DataError(
                f"no {partner} codes: need segments of kind {'/'.join(kinds)} with speaker_type "
                f"{'/'.join(types)} and a code"
            )
    if absent_code is not None:
        states = _fill_absent(states, absent_code)
    relation = table.classify(states)
    phase = phase_of(states.episode, phases)
    episodes, ignored = mismatch_episodes(
        states, relation, phase, round(min_mismatch_s * 1000), neutral, round(bridge_s * 1000)
    )
    names, group = np.unique(phase, return_inverse=True)
    seconds = relation_seconds(states, relation, group, len(names))
    overall = {rel: float(seconds[i].sum()) for i, rel in enumerate(RELATIONS)}
    figures = summarise(overall, episodes, len(ignored))
    by_episode = {}
    if (states.episode != "").any():
        order = {name: i for i, name in enumerate(phases)}
        for j in sorted(range(len(names)), key=lambda k: (order.get(names[k], len(order)), k)):
            name = names[j]
            mine = episodes.filter(pl.col("phase") == name)
            by_episode[str(name)] = summarise(
                {rel: float(seconds[i, j]) for i, rel in enumerate(RELATIONS)},
                mine,
                int((ignored == name).sum()),
            )
    return RepairResult(
        path=str(path),
        recording_id=states.recording_id,
        parameters={
            "match_table": table.name,
            "match_table_version": table.version,
            "match_table_definition": table.definition,
            "match_table_path": table.path,
            "min_mismatch_s": min_mismatch_s,
            "neutral": neutral,
            "bridge_s": bridge_s if neutral == "bridge" else None,
            "child_types": list(child_types),
            "caregiver_types": list(caregiver_types),
            "kinds": list(kinds),
            "episode_kind": episode_kind,
            "phases": {k: list(v) for k, v in phases.items()},
            "absent_code": absent_code,
        },
        source=f"{SOURCE}; match table: {table.source}",
        definition=(
            f"{DEFINITION} Match table {table.name} (version {table.version}): {table.definition}"
        ),
        **figures,
        by_episode=by_episode,
        mismatches=episodes,
        warnings=[*([table.caveat] if table.caveat else []), *warnings],
    )


def _fill_absent(states: JointStates, code: str) -> JointStates:
    """Both partners' uncoded intervals set to ``code`` (the grid and episodes unchanged)."""
    return JointStates(
        bounds=states.bounds,
        child=np.where(states.child == "", code, states.child),
        caregiver=np.where(states.caregiver == "", code, states.caregiver),
        episode=states.episode,
        recording_id=states.recording_id,
    )
