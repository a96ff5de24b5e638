"""``RepairResult``: rupture and repair in one recording, with its match table and parameters.

Each figure is defined once, in the ``repair`` family's catalogue entry
(``measures/families/repair.py``; ``attunement measures`` prints it); ``summary.summarise``
computes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import polars as pl

from attunement.measures.base import Result


@dataclass
class RepairResult(Result):
    """Rupture-and-repair figures of one recording under one match table
    (``parameters["match_table"]``, ``["match_table_version"]`` and
    ``["match_table_definition"]``) and one neutral rule (``parameters["neutral"]``).

    The recording-level figures are attributes; ``by_episode`` holds the same figures per
    episode phase (FF, SF, RE or the data's own labels; ``""`` is time outside any episode
    label); ``mismatches`` has one row per mismatch episode (``episodes.EPISODE_SCHEMA``).
    """

    family: ClassVar[str] = "repair"

    path: str
    recording_id: str
    parameters: dict[str, Any]
    source: str
    definition: str
    total_s: float
    match_s: float
    mismatch_s: float
    neutral_s: float
    uncoded_s: float
    matching_proportion: float | None
    matching_proportion_total: float | None
    mismatch_episodes: int
    mismatch_runs_ignored: int
    repairs: int
    reparation_rate: float | None
    repairs_per_min: float | None
    repair_latency_median_s: float | None
    repair_hazard_per_s: float | None
    repair_latency_mean_repaired_s: float | None
    censored: int
    ended_unrepaired: int
    censored_neutral: int
    censored_uncoded: int
    censored_episode_end: int
    censored_recording_end: int
    repaired_by_child: int
    repaired_by_caregiver: int
    repaired_by_both: int
    left_truncated: int
    repair_latency_km: list[list[float]]
    by_episode: dict[str, dict[str, Any]]
    mismatches: pl.DataFrame = field(repr=False)
    warnings: list[str] = field(default_factory=list)

    @property
    def match_table(self) -> str:
        return self.parameters["match_table"]

    def to_frame(self) -> pl.DataFrame:
        """One row per episode phase: ``recording_id``, ``episode`` and the phase's scalar
        figures (no rows without episode labels)."""
        names = [f.name for f in self.spec().scalars]
        rows = [
            {"recording_id": self.recording_id, "episode": phase, **{n: fig[n] for n in names}}
            for phase, fig in self.by_episode.items()
        ]
        return pl.DataFrame(rows, infer_schema_length=None)
