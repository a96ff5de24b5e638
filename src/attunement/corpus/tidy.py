"""Tidy, wide exports of a store: one row per unit, one column per figure, ready for R.

Units (``per``):

- ``recording``: one row per stored recording (in a ChildProject dataset, per recording *and
  annotation set*): ``dataset`` (the dataset folder's name), ``child_id``, ``recording_id`` (the
  dataset's recording name, else the store's id), ``session_id``, ``set``, ``age_days``,
  ``date``, ``hours`` (audio recorded, or annotated: the sum of the clips), the children's and
  recordings' metadata (``child_<column>``, ``recording_<column>``), then the figures;
- ``hour``: one row per recording and clock hour, from the families' hourly detail tables
  (``turns_bins``): ``hour_start`` (local clock, or null when unknown; ``elapsed_s`` then says
  where the hour starts in the recording), ``hours`` recorded in it, and the counts the table
  holds under their catalogue names;
- ``child``: one row per child and set (recordings without a ``child_id`` are left out and
  counted in the notes): ``recordings``, ``sessions``, ``age_days_min`` / ``age_days_max``,
  ``hours`` (summed) and each figure as the mean over the child's measured recordings weighted by
  their hours (a per-hour rate is then the pooled rate: all turns over all hours); p-values and
  text figures are left out, a mean of them means nothing.

Figure columns are named ``<family>_<key values>__<figure>`` from the catalogue, e.g.
``turns_lena__turns_per_hour`` (``<family>__<figure>`` for a family without key parameters), and
``..__status`` says ``measured`` or why a recording could not be. Each column holds one
configuration: the one measured most recently for those key values (or the ones asked for); its
parameters go to the sidecar (``parameters``), never into a cell. The sidecar also records the
package version and the definitions version (``measures.definitions``).

Confidential metadata columns (``corpus.dataset``) and ``date`` when the dataset keeps
``date_iso`` confidential are left out unless ``confidential=True``; ages are exported (an age is
what analyses need; the date of birth is not exported).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from attunement.corpus.queries import tables
from attunement.measures.registry import Family

PER = ("recording", "child", "hour")
UNIT_COLUMNS = {
    "dataset": "the dataset folder's name (empty for files read outside a dataset)",
    "child_id": "the child, from the dataset's metadata (children.csv, recordings.csv)",
    "recording_id": "the dataset's recording_filename, else the store's recording id",
    "session_id": "the recording session (recordings.csv)",
    "set": "the annotation set (ChildProject); empty for files read outside a dataset",
    "age_days": "child age in days at the recording: date_iso - child_dob, else the file's own "
    "header (CHAT @ID, LENA's date of birth)",
    "date": "the recording's date: date_iso, else the file's header (LENA clock, CHAT @Date)",
    "hours": "hours of audio recorded (LENA's pieces) or annotated (the sum of the clips)",
}
UNWEIGHTED = ("p", "text")  # units a per-child mean would misrepresent


@dataclass
class Export:
    """A wide table and what the sidecar says of it."""

    frame: pl.DataFrame
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def wide(
    con: duckdb.DuckDBPyConnection,
    per: str,
    families: list[Family],
    configs: set[str] | None = None,
    confidential: bool = False,
) -> Export:
    """The wide table of the store on ``con`` (module docstring). ``configs``: only these
    configuration keys (all, newest per key values, when None)."""
    from attunement.errors import ParameterError

    if per not in PER:
        raise ParameterError(f"per must be one of {', '.join(PER)}, got {per!r}")
    out = Export(pl.DataFrame())
    units = _units(con, confidential, out)
    chosen = _chosen(con, families, configs, out)
    if per == "hour":
        frame = _hours_frame(con, units, chosen, out)
    else:
        frame = units
        for family, prefix, key in chosen:
            values = _figures(con, family, prefix, key)
            frame = frame.join(values, on="_rid", how="left")
        if per == "child":
            frame = _per_child(frame, out)
    out.frame = frame.drop([c for c in frame.columns if c.startswith("_")])
    return out


def _units(con: duckdb.DuckDBPyConnection, confidential: bool, out: Export) -> pl.DataFrame:
    """One row per stored recording with its unit columns and public metadata."""
    store = tables(con)
    with_datasets = {"datasets", "children", "dataset_recordings"} <= store
    rows = con.sql(
        "SELECT r.recording_id AS _rid, r.dataset AS _dataset, r.child_id, r.recording_name, "
        "r.session_id, r.annotation_set, r.child_age_days, r.date, r.start, r.extra, "
        "r.duration_ms FROM recordings r ORDER BY r.dataset NULLS FIRST, r.child_id, "
        "r.recording_name, r.annotation_set, r.recording_id"
    ).fetchall()
    secret = _confidential(con) if with_datasets and not confidential else {}
    children = _metadata(con, "children", "child_id") if with_datasets else {}
    recordings = _metadata(con, "dataset_recordings", "recording_filename") if with_datasets else {}
    records = []
    for rid, ds, child, name, session, set_name, age, day, start, extra, duration in rows:
        hidden = secret.get(ds, {})
        extra = json.loads(extra or "{}")
        private_date = "date_iso" in hidden.get("recordings", ())
        record = {
            "_rid": rid,
            "_dataset": ds,
            "dataset": Path(ds).name if ds else None,
            "child_id": child,
            "recording_id": name or rid,
            "session_id": session,
            "set": set_name,
            "age_days": age,
            "date": None if private_date else _date(day, start, extra),
            "hours": _recorded_ms(extra, duration) / 3.6e6,
        }
        for key, value in children.get((ds, child), {}).items():
            if key not in hidden.get("children", ()):
                record[key if key.startswith("child_") else f"child_{key}"] = value
        for key, value in recordings.get((ds, (name or "").split("#")[0]), {}).items():
            if key not in hidden.get("recordings", ()):
                record[key if key.startswith("recording_") else f"recording_{key}"] = value
        records.append(record)
    if secret and any(secret.values()):
        out.notes.append(
            "confidential metadata columns left out (export with --confidential to include them): "
            + "; ".join(
                f"{Path(d).name}: {', '.join(c for cols in t.values() for c in cols)}"
                for d, t in secret.items()
                if any(t.values())
            )
        )
    schema = {
        "_rid": pl.String,
        "_dataset": pl.String,
        "dataset": pl.String,
        "child_id": pl.String,
        "recording_id": pl.String,
        "session_id": pl.String,
        "set": pl.String,
        "age_days": pl.Int64,
        "date": pl.Date,
        "hours": pl.Float64,
    }
    frame = pl.DataFrame(records, schema_overrides=schema, infer_schema_length=None)
    if not records:
        frame = pl.DataFrame(schema=schema)
    out.columns |= {c: {"definition": d} for c, d in UNIT_COLUMNS.items()}
    return frame


def _confidential(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, list[str]]]:
    rows = con.execute(
        "SELECT dataset, confidential_children, confidential_recordings FROM datasets"
    ).fetchall()
    return {
        d: {"children": json.loads(c or "[]"), "recordings": json.loads(r or "[]")}
        for d, c, r in rows
    }


def _metadata(con: duckdb.DuckDBPyConnection, table: str, key: str) -> dict[tuple, dict]:
    rows = con.execute(f"SELECT dataset, {key}, metadata FROM {table}").fetchall()
    return {(d, k): json.loads(m or "{}") for d, k, m in rows}


def _date(day: date | None, start: str | None, extra: dict) -> date | None:
    """The store's date, else the clock's, else the first CHAT ``@Date``."""
    if day is not None:
        return day
    if start:
        return datetime.fromisoformat(start).date()
    for entry in extra.get("dates") or []:
        if isinstance(entry, dict) and entry.get("date"):
            return date.fromisoformat(entry["date"])
    return None


def _recorded_ms(extra: dict, duration_ms: int | None) -> int:
    """Audio recorded: the sum of the recorded pieces (``measures.turns.clock.recorded_ms``),
    else the duration."""
    pieces = extra.get("recordings") or []
    if pieces:
        return sum(int(p["end_ms"]) - int(p["start_ms"]) for p in pieces)
    return int(duration_ms or 0)


def prefix(family: Family, key: dict[str, Any]) -> str:
    """``turns_lena``: the family and its key values, as letters, digits and underscores."""
    values = [str(key.get(p)) for p in family.key_parameters if key.get(p) is not None]
    slug = "_".join(re.sub(r"[^a-z0-9]+", "_", v.lower()).strip("_") for v in values)
    return f"{family.name}_{slug}" if slug else family.name


def _chosen(
    con: duckdb.DuckDBPyConnection,
    families: list[Family],
    configs: set[str] | None,
    out: Export,
) -> list[tuple[Family, str, str]]:
    """Per family and key values, the configuration to export: (family, prefix, config_key)."""
    from attunement.errors import ParameterError

    store = tables(con)
    chosen: list[tuple[Family, str, str]] = []
    for family in families:
        if family.name not in store or "measure_log" not in store:
            continue
        keys = "".join(f", t.{p}" for p in family.key_parameters)
        found = con.execute(
            f"SELECT t.config_key{keys}, max(l.computed_at), any_value(l.config) "
            f"FROM {family.name} t JOIN measure_log l ON l.recording_id = t.recording_id "
            "AND l.config_key = t.config_key AND l.family = ? GROUP BY ALL "
            "ORDER BY max(l.computed_at) DESC, t.config_key",
            [family.name],
        ).fetchall()
        taken: dict[str, str] = {}
        for config_key, *values, _, config in found:
            if configs is not None and config_key not in configs:
                continue
            key = dict(zip(family.key_parameters, values, strict=True))
            name = prefix(family, key)
            if name in taken:
                if configs is not None:
                    raise ParameterError(
                        f"two configurations asked for would share the columns {name}__*: "
                        "export them one at a time"
                    )
                out.notes.append(
                    f"{name}: an older configuration ({config_key}) is in the store too; the "
                    f"columns hold the newest ({taken[name]}); name one to export it instead"
                )
                continue
            taken[name] = config_key
            chosen.append((family, name, config_key))
            for figure in family.scalars:
                out.columns[f"{name}__{figure.name}"] = {
                    "family": family.name,
                    "figure": figure.name,
                    "unit": figure.unit,
                    "label": figure.label,
                    "definition": figure.definition,
                    "source": figure.source or family.source,
                    "key": key,
                    "config_key": config_key,
                    "parameters": json.loads(config),
                }
            out.columns[f"{name}__status"] = {
                "family": family.name,
                "key": key,
                "config_key": config_key,
                "definition": "measured, or why the recording could not support the family",
            }
    order = {f.name: i for i, f in enumerate(families)}
    return sorted(chosen, key=lambda c: (order[c[0].name], c[1]))


def _figures(con: duckdb.DuckDBPyConnection, family: Family, name: str, key: str) -> pl.DataFrame:
    columns = ["status", *(f.name for f in family.scalars)]
    frame = con.sql(
        f"SELECT recording_id AS _rid, {', '.join(columns)} FROM {family.name} "
        "WHERE config_key = $key",
        params={"key": key},
    ).pl()
    return frame.rename({c: f"{name}__{c}" for c in columns})


def _per_child(frame: pl.DataFrame, out: Export) -> pl.DataFrame:
    """One row per child and set: figures averaged with the recordings' hours as weights."""
    orphans = frame.filter(pl.col("child_id").is_null()).height
    if orphans:
        out.notes.append(
            f"{orphans} recording(s) without a child_id are not in the per-child rows (give the "
            "dataset a children.csv or recordings.csv and ingest it again)"
        )
    frame = frame.filter(pl.col("child_id").is_not_null())
    figures = {
        c: meta
        for c, meta in out.columns.items()
        if "figure" in meta and c in frame.columns and meta["unit"] not in UNWEIGHTED
    }
    child_meta = [c for c in frame.columns if c.startswith("child_") and c != "child_id"]
    hours = pl.col("hours")
    aggregations = [
        pl.col("dataset").first(),
        pl.len().alias("recordings"),
        pl.col("session_id").n_unique().alias("sessions"),
        pl.col("age_days").min().alias("age_days_min"),
        pl.col("age_days").max().alias("age_days_max"),
        hours.sum().alias("hours"),
        *(pl.col(c).first() for c in child_meta),
        *(
            ((pl.col(c) * hours).sum() / hours.filter(pl.col(c).is_not_null()).sum()).alias(c)
            for c in figures
        ),
    ]
    grouped = frame.group_by(["_dataset", "child_id", "set"], maintain_order=True).agg(aggregations)
    rule = "mean over the child's measured recordings in this set, weighted by their hours"
    for c in figures:
        out.columns[c]["aggregation"] = rule
    for c in [c for c in out.columns if c not in grouped.columns]:
        del out.columns[c]
    out.columns |= {
        "recordings": {"definition": "stored recordings of the child in this set"},
        "sessions": {"definition": "distinct session_id values among them"},
        "age_days_min": {"definition": "the child's youngest age_days among them"},
        "age_days_max": {"definition": "the child's oldest age_days among them"},
        "hours": {"definition": "hours summed over the child's recordings in this set"},
    }
    first = ["_dataset", "dataset", "child_id", "set", "recordings", "sessions"]
    grouped = grouped.select(*first, *(c for c in grouped.columns if c not in first))
    return grouped.with_columns(pl.col(c).cast(pl.Float64) for c in figures)


def _hours_frame(
    con: duckdb.DuckDBPyConnection,
    units: pl.DataFrame,
    chosen: list[tuple[Family, str, str]],
    out: Export,
) -> pl.DataFrame:
    """One row per recording and clock hour, from hourly detail tables."""
    store = tables(con)
    keys = ["_rid", "hour_start", "elapsed_s"]
    base: pl.DataFrame | None = None
    described = {}
    for family, name, config_key in chosen:
        figures = {f.name: f for f in family.figures}
        for table, schema in family.tables.items():
            if "bin_minutes" not in schema or table not in store:
                continue
            counts = [c for c in schema if c in figures and c != "recorded_s"]
            frame = con.sql(
                f"SELECT recording_id AS _rid, bin_start AS hour_start, elapsed_s, recorded_s, "
                f"{', '.join(counts)} FROM {table} WHERE config_key = $key AND bin_minutes = 60",
                params={"key": config_key},
            ).pl()
            frame = frame.rename({c: f"{name}__{c}" for c in counts})
            for c in counts:
                described[f"{name}__{c}"] = {
                    **{k: v for k, v in out.columns[f"{name}__{figures[c].name}"].items()},
                    "aggregation": f"within the clock hour ({table}, bin_minutes 60)",
                }
            if base is None:
                base = frame
            else:
                base = base.join(
                    frame.drop("recorded_s"), on=keys, how="full", coalesce=True, nulls_equal=True
                )
    out.columns = {c: m for c, m in out.columns.items() if "family" not in m} | described
    if base is None:
        out.notes.append("no measured family has hourly detail tables (measure turns first)")
        base = pl.DataFrame(
            schema={
                "_rid": pl.String,
                "hour_start": pl.Datetime("ms"),
                "elapsed_s": pl.Float64,
                "recorded_s": pl.Float64,
            }
        )
    frame = units.drop("hours").join(base, on="_rid", how="inner")
    frame = frame.with_columns((pl.col("recorded_s") / 3600).alias("hours")).drop("recorded_s")
    out.columns["hour_start"] = {"definition": "the clock hour (local time; empty when unknown)"}
    out.columns["elapsed_s"] = {
        "definition": "where the hour starts in the recording, in s, when its clock is unknown"
    }
    out.columns["hours"] = {"definition": "hours of audio recorded within this clock hour"}
    first = ["dataset", "child_id", "recording_id", "session_id", "set", "age_days", "date"]
    order = [*first, "hour_start", "elapsed_s", "hours"]
    return frame.select(*order, *(c for c in frame.columns if c not in order)).sort(
        ["_rid", "hour_start", "elapsed_s"], nulls_last=True
    )


def sidecar(export: Export, per: str, store: str) -> dict[str, Any]:
    """What a reader of the export needs to know: versions, unit, every column's meaning and,
    for figures, the configuration and parameters they were measured with."""
    from attunement import __version__
    from attunement.measures import definitions

    columns = {c: export.columns[c] for c in export.frame.columns if c in export.columns}
    return {
        "attunement_version": __version__,
        "definitions_version": definitions.VERSION,
        "definitions_digest": definitions.digest(),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "store": store,
        "per": per,
        "rows": export.frame.height,
        "columns": columns,
        "notes": export.notes,
    }


def export(
    db: str | Path,
    out: str | Path,
    per: str = "recording",
    families: list[Family] | None = None,
    configs: set[str] | None = None,
    confidential: bool = False,
) -> list[Path]:
    """Write the wide table of store ``db`` to ``out`` (``.csv`` or ``.parquet``, the sidecar in
    the Parquet file's schema metadata too) and its sidecar ``<stem>.parameters.json``; returns
    both paths. Outputs are checked before the store is read and written atomically."""
    from contextlib import closing

    import pyarrow.parquet as pq

    from attunement.corpus.store import guarded, open_store
    from attunement.errors import ParameterError
    from attunement.measures.registry import families as registered
    from attunement.outputs import atomic, check_file, write_text

    target = Path(out)
    if target.suffix.lower() not in (".csv", ".parquet"):
        raise ParameterError(f"{out}: the export must end in .csv or .parquet")
    side = target.with_suffix(".parameters.json")
    check_file(target, [db])
    check_file(side, [db])
    chosen = families if families is not None else registered("recording")
    with guarded(db), closing(open_store(db, read_only=True)) as con:
        result = wide(con, per, chosen, configs, confidential)
    meta = sidecar(result, per, str(db))
    text = json.dumps(meta, indent=1, ensure_ascii=False, default=str)
    with atomic(target) as temp:
        if target.suffix.lower() == ".csv":
            result.frame.write_csv(temp)
        else:
            table = result.frame.to_arrow()
            table = table.replace_schema_metadata({"attunement": text})
            pq.write_table(table, temp, compression="zstd")
    write_text(side, text + "\n")
    return [target, side]
