"""The ``turns`` measure family: ``attunement.turns`` per recording and rule, plus time bins.

Table ``turns``: one row per recording and rule, every figure of ``TurnResult`` that is a single
number, ``parameters`` (JSON: every parameter the rule used, the chance baseline's, and the bins
asked for), the rule's literature ``source`` and the reader's and the measure's ``warnings``.
Table ``turns_bins``: one row per recording, rule and clock-aligned bin (``bin_minutes`` 60 or 5)
with the recorded seconds and the turns, child and adult units in that bin.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from attunement.corpus.registry import Family
from attunement.errors import ParameterError
from attunement.measures.turns import turns
from attunement.measures.turns.rules import RULES, parameters
from attunement.recording import Recording

BIN_MINUTES = {"1h": 60, "5min": 5}
SCALARS: dict[str, pl.DataType] = {
    "recorded_s": pl.Float64(),
    "turns": pl.Int64(),
    "turns_per_hour": pl.Float64(),
    "child_units": pl.Int64(),
    "adult_units": pl.Int64(),
    "child_serves": pl.Int64(),
    "adult_serves": pl.Int64(),
    "adult_returns": pl.Int64(),
    "child_returns": pl.Int64(),
    "response_rate": pl.Float64(),
    "latency_median_s": pl.Float64(),
    "exchanges": pl.Int64(),
    "longest_exchange": pl.Int64(),
    "other_child_units": pl.Int64(),
    "other_child_turns": pl.Int64(),
    "chance_turns": pl.Float64(),
    "chance_sd": pl.Float64(),
    "chance_ratio": pl.Float64(),
    "chance_p": pl.Float64(),
}
TURNS_TABLE: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "parameters": pl.String(),
    "source": pl.String(),
    **SCALARS,
    "latency_q1_s": pl.Float64(),
    "latency_q3_s": pl.Float64(),
    "warnings": pl.String(),
}
BINS_TABLE: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "bin_minutes": pl.Int64(),
    "bin_start": pl.Datetime("ms"),
    "elapsed_s": pl.Float64(),
    "recorded_s": pl.Float64(),
    "turns": pl.Int64(),
    "child_units": pl.Int64(),
    "adult_units": pl.Int64(),
}


def config(
    rule: str,
    *,
    overrides: dict[str, Any] | None = None,
    chance: int = 100,
    seed: int = 0,
    min_shift: float = 60.0,
    bins: tuple[str, ...] = ("1h",),
) -> dict[str, Any]:
    """A complete configuration: the rule's parameters with its defaults filled in (so that a
    changed default also changes the key), the chance baseline's and the bins."""
    if rule not in RULES:
        raise ParameterError(f"unknown turn rule {rule!r}; choose one of {', '.join(RULES)}")
    unknown = [b for b in bins if b not in BIN_MINUTES]
    if unknown:
        raise ParameterError(f"unknown bins {unknown}; choose one of {', '.join(BIN_MINUTES)}")
    resolved = parameters(rule, {k: v for k, v in (overrides or {}).items() if v is not None})
    return {
        "rule": rule,
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in resolved.items()},
        "chance": chance,
        "seed": seed,
        "min_shift": min_shift,
        "bins": sorted(set(bins), key=list(BIN_MINUTES).index),
    }


def compute(rec: Recording, cfg: dict[str, Any]) -> dict[str, pl.DataFrame]:
    result = turns(
        rec,
        cfg["rule"],
        n_resamples=cfg["chance"],
        seed=cfg["seed"],
        min_shift_s=cfg["min_shift"],
        bins=bool(cfg["bins"]),
        **cfg["params"],
    )
    row = {
        "rule": result.rule,
        "parameters": json.dumps({**result.parameters, "bins": cfg["bins"]}, sort_keys=True),
        "source": result.source,
        **{name: getattr(result, name) for name in SCALARS},
        "latency_q1_s": result.latency_q1_s,
        "latency_q3_s": result.latency_q3_s,
        "warnings": json.dumps(rec.warnings + result.warnings, ensure_ascii=False),
    }
    bins = [
        frame.with_columns(rule=pl.lit(result.rule), bin_minutes=pl.lit(BIN_MINUTES[name]))
        for name in cfg["bins"]
        if (frame := getattr(result, f"bins_{name}")) is not None
    ]
    return {
        "turns": pl.DataFrame([row], schema=TURNS_TABLE),
        "turns_bins": pl.concat(
            [b.select([pl.col(c).cast(t) for c, t in BINS_TABLE.items()]) for b in bins]
        )
        if bins
        else pl.DataFrame(schema=BINS_TABLE),
    }


TURNS = Family(
    name="turns",
    tables={"turns": TURNS_TABLE, "turns_bins": BINS_TABLE},
    compute=compute,
    summary="serve and return per recording and rule (attunement.turns), and per time bin",
)
