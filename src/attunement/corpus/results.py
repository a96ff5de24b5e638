"""How a measure family's results become store rows, for any family in the registry.

Each family gets one table named after it: one row per recording and configuration, with the
family's key parameters (e.g. ``rule``), ``status`` (``measured``, or why the recording cannot
support the family), ``parameters`` (JSON: every parameter the result used), ``source``,
``warnings`` (JSON: the reader's and the measure's) and one column per scalar figure, named and
typed by the figure catalogue. A family's detail tables (``Family.tables``, filled by the result's
``tables()``) are stored beside it, with the key parameters too. Every table starts with
``recording_id`` and ``config_key``: the store keys results by both (``config_key`` hashes the
family's name and its configuration, so a changed parameter or default is a new measurement)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import polars as pl

from attunement.measures.base import Result, jsonable
from attunement.measures.registry import Family
from attunement.recording import Recording

KEY_COLUMNS: dict[str, pl.DataType] = {"recording_id": pl.String(), "config_key": pl.String()}
DTYPES: dict[str, pl.DataType] = {
    "int": pl.Int64(),
    "float": pl.Float64(),
    "str": pl.String(),
    "bool": pl.Boolean(),
    "datetime": pl.Datetime("ms"),
}
MEASURED = "measured"


def config_key(family: str, config: dict[str, Any]) -> str:
    """A short hash of the family's name and its full configuration."""
    text = json.dumps({"family": family, **jsonable(config)}, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def schemas(family: Family) -> dict[str, dict[str, pl.DataType]]:
    """Every table of ``family`` with its columns (after the key columns) and types."""
    main: dict[str, pl.DataType] = {p: pl.String() for p in family.key_parameters}
    main |= {
        "status": pl.String(),
        "parameters": pl.String(),
        "source": pl.String(),
        "warnings": pl.String(),
    }
    main |= {f.name: DTYPES[f.dtype] for f in family.scalars}
    keys = {p: pl.String() for p in family.key_parameters}
    details = {
        table: keys | {column: DTYPES[dtype] for column, dtype in columns.items()}
        for table, columns in family.tables.items()
    }
    return {family.name: main, **details}


def rows(family: Family, rec: Recording, config: dict[str, Any]) -> dict[str, pl.DataFrame]:
    """Run ``family`` on ``rec``; its rows for every table. A recording the family cannot
    measure (``DataError``) gets a main row whose ``status`` says why; other errors propagate."""
    from attunement.errors import DataError

    tables = schemas(family)
    keys = {p: None if config.get(p) is None else str(config[p]) for p in family.key_parameters}
    try:
        result: Result = family.run(rec, **config)
    except DataError as exc:
        row = {**keys, "status": str(exc), "parameters": _json(config), "warnings": "[]"}
        return {family.name: pl.DataFrame([row], schema=tables[family.name])}
    row = {
        **keys,
        "status": MEASURED,
        "parameters": _json(result.parameters),
        "source": result.source,
        "warnings": json.dumps([*rec.warnings, *result.warnings], ensure_ascii=False),
        **result.figures(),
    }
    out = {family.name: pl.DataFrame([row], schema=tables[family.name], strict=False)}
    extra = result.tables() if hasattr(result, "tables") else {}
    for table, frame in extra.items():
        frame = frame.with_columns(pl.lit(v, pl.String).alias(k) for k, v in keys.items())
        out[table] = frame.select([pl.col(c).cast(t) for c, t in tables[table].items()])
    return out


def _json(value: Any) -> str:
    return json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False)
