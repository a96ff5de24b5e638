"""``RepairResult``: rupture and repair in one recording, with its match table and parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl


@dataclass
class RepairResult:
    """Rupture-and-repair measures of one recording (``summary`` defines each number).

    The recording-level numbers are attributes; ``by_episode`` holds the same numbers per
    episode phase (FF, SF, RE or the data's own labels; ``""`` is time outside any episode
    label); ``mismatches`` has one row per mismatch episode (``episodes.EPISODE_SCHEMA``).
    """

    path: str
    recording_id: str
    match_table: str
    parameters: dict[str, Any]
    source: str
    definition: str
    numbers: dict[str, Any]
    by_episode: dict[str, dict[str, Any]]
    mismatches: pl.DataFrame = field(repr=False)
    warnings: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        numbers = self.__dict__.get("numbers", {})
        if name in numbers:
            return numbers[name]
        raise AttributeError(name)

    def to_frame(self) -> pl.DataFrame:
        """One row per episode phase: its numbers (without the KM curve and the count dicts,
        which are flattened to ``censored_by_*`` and ``who_repaired_*`` columns)."""
        rows = []
        for phase, numbers in self.by_episode.items():
            row: dict[str, Any] = {"recording_id": self.recording_id, "episode": phase}
            for key, value in numbers.items():
                if isinstance(value, dict):
                    row.update({f"{key}_{k}": v for k, v in value.items()})
                elif not isinstance(value, list):
                    row[key] = value
            rows.append(row)
        return pl.DataFrame(rows, infer_schema_length=None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: metadata, parameters, every number, per-episode numbers and one
        entry per mismatch episode."""
        return {
            "path": self.path,
            "recording_id": self.recording_id,
            "match_table": self.match_table,
            "parameters": self.parameters,
            "source": self.source,
            "definition": self.definition,
            **self.numbers,
            "by_episode": self.by_episode,
            "mismatches": self.mismatches.to_dicts(),
            "warnings": list(self.warnings),
        }
