"""The ``sequential`` measure family: lag-1 transitions between the key child and adults.

Per recording, the timed vocal units of the key child (``CHI``) and of adults (``FEM``, ``MAL``,
``ADU``, coded ``ADU``) in onset order form one event sequence; ``attunement.sequential`` builds
its lag-1 table (Bakeman & Quera 2011). Table ``sequential``: one row per recording with the
frequencies, transitional probabilities, adjusted residuals (Haberman 1973; Allison & Liker
1982) and Yule's Q of CHI -> ADU and ADU -> CHI, plus G², df and p of the whole table, and the
parameters as JSON. Unlike ``turns``, no time window: this is the order of events only.
"""

from __future__ import annotations

import json
import math
from typing import Any

import polars as pl

from attunement import segments as seg
from attunement.corpus.registry import Family
from attunement.measures.sequential import sequential
from attunement.recording import Recording

CODES = ("CHI", "ADU")
ADULTS = sorted(seg.ADULT_TYPES)
CELLS = {"chi_adu": (0, 1), "adu_chi": (1, 0)}
TABLE: dict[str, pl.DataType] = {
    "parameters": pl.String(),
    "n_events": pl.Int64(),
    "n_pairs": pl.Int64(),
    **{
        f"{stat}_{cell}": dtype
        for cell in CELLS
        for stat, dtype in (
            ("frequency", pl.Int64()),
            ("probability", pl.Float64()),
            ("adjusted_residual", pl.Float64()),
            ("yules_q", pl.Float64()),
        )
    },
    "g2": pl.Float64(),
    "df": pl.Int64(),
    "p": pl.Float64(),
}


def config(lag: int = 1) -> dict[str, Any]:
    return {"lag": lag, "codes": list(CODES), "adults": ADULTS, "kind": "vocal"}


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def compute(rec: Recording, cfg: dict[str, Any]) -> dict[str, pl.DataFrame]:
    events = seg.timed(rec.segments).filter(
        pl.col("kind") == cfg["kind"],
        pl.col("speaker_type").is_in(["CHI", *cfg["adults"]]),
    )
    events = events.select(
        "segment_onset",
        "speaker_type",
        code=pl.when(pl.col("speaker_type") == "CHI").then(pl.lit("CHI")).otherwise(pl.lit("ADU")),
    )
    row: dict[str, Any] = {"parameters": json.dumps(cfg, sort_keys=True)}
    if events.height < 2:
        return {
            "sequential": pl.DataFrame(
                [{**row, "n_events": events.height, "n_pairs": 0}], schema=TABLE
            )
        }
    lag = sequential(events, lag=cfg["lag"], codes=cfg["codes"], by="code").lag
    row.update(
        n_events=lag.n_events, n_pairs=lag.n_pairs, g2=_number(lag.g2), df=lag.df, p=_number(lag.p)
    )
    for cell, (i, j) in CELLS.items():
        row[f"frequency_{cell}"] = int(lag.frequencies[i, j])
        row[f"probability_{cell}"] = _number(lag.probabilities[i, j])
        row[f"adjusted_residual_{cell}"] = _number(lag.adjusted_residuals[i, j])
        row[f"yules_q_{cell}"] = _number(lag.yules_q[i, j])
    return {"sequential": pl.DataFrame([row], schema=TABLE)}


SEQUENTIAL = Family(
    name="sequential",
    tables={"sequential": TABLE},
    compute=compute,
    summary="lag-1 transitions CHI -> adult and adult -> CHI per recording (vocal units)",
)
