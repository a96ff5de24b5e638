"""The ``repair`` measure family: rupture and repair per recording (``attunement.repair``).

Table ``repair``: one row per recording with the matching proportions, time per relation,
mismatch episodes, repairs, reparation rates, the Kaplan-Meier median repair latency, censoring
and who repaired, plus the parameters as JSON. The match table travels inside the configuration
(every (caregiver code, child code, relation) row), so workers need no file and editing a table
makes every recording count as not yet measured under it. A recording without coded states for
both partners, or with a pair the table does not cover, gets a row whose ``status`` says why
(nothing is skipped silently); measured rows have status ``measured``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from attunement.corpus.registry import Family
from attunement.measures.repair import MatchTable, load_match_table, repair
from attunement.recording import Recording

NUMBERS = (
    "total_s",
    "match_s",
    "mismatch_s",
    "neutral_s",
    "uncoded_s",
    "matching_proportion",
    "matching_proportion_total",
    "reparation_rate",
    "repairs_per_min",
    "repair_latency_median_s",
    "repair_hazard_per_s",
)
COUNTS = ("mismatch_episodes", "mismatch_runs_ignored", "repairs", "censored", "left_truncated")
WHO = ("child", "caregiver", "both")
TABLE: dict[str, pl.DataType] = {
    "parameters": pl.String(),
    "status": pl.String(),
    **{name: pl.Float64() for name in NUMBERS},
    **{name: pl.Int64() for name in COUNTS},
    **{f"repaired_by_{who}": pl.Int64() for who in WHO},
}


def config(
    match_table: str | Path = "icep-r", min_mismatch_s: float = 0.0, absent_code: str | None = None
) -> dict[str, Any]:
    """Every parameter of one repair run; raises ``MatchTableError`` for an unknown table."""
    table = load_match_table(match_table)
    return {
        "match_table": table.name,
        "relations": sorted([*pair, relation] for pair, relation in table.relations.items()),
        "min_mismatch_s": float(min_mismatch_s),
        "absent_code": absent_code,
    }


def compute(rec: Recording, cfg: dict[str, Any]) -> dict[str, pl.DataFrame]:
    table = MatchTable(cfg["match_table"], {(a, b): r for a, b, r in cfg["relations"]})
    row: dict[str, Any] = {"parameters": json.dumps(cfg, sort_keys=True)}
    try:
        result = repair(
            rec,
            match_table=table,
            min_mismatch_s=cfg["min_mismatch_s"],
            absent_code=cfg["absent_code"],
        )
    except ValueError as exc:  # no coded partner streams, or a pair the table lacks
        row["status"] = str(exc)
        return {"repair": pl.DataFrame([row], schema=TABLE)}
    figures = result.figures()
    row["status"] = "measured"
    row.update({name: figures[name] for name in (*NUMBERS, *COUNTS)})
    row.update({f"repaired_by_{who}": figures[f"repaired_by_{who}"] for who in WHO})
    return {"repair": pl.DataFrame([row], schema=TABLE)}


REPAIR = Family(
    name="repair",
    tables={"repair": TABLE},
    compute=compute,
    summary="rupture and repair of coded child and caregiver states per recording",
)
