"""A store written out as a ChildProject dataset (ChildProject 0.4.6's layout and columns).

- ``metadata/children.csv``: ``experiment``, ``child_id``, ``child_dob`` and the children's other
  public columns. Without a stored date of birth (files read outside a dataset), it is the
  recording date minus the age in days, marked ``dob_criterion = extrapolated``;
- ``metadata/recordings.csv``: ``experiment``, ``child_id``, ``date_iso``, ``start_time``,
  ``recording_device_type``, ``recording_filename``, ``duration`` (ms), ``session_id`` and the
  other public columns. A recording read outside a dataset is named after its file with
  ``.wav`` (its audio's name is not known) and belongs to child ``unknown`` when none was given;
- confidential columns only with ``confidential=True``, in ``metadata/children/confidential.csv``
  and ``metadata/recordings/confidential.csv`` (their public cells say ``NA``), as ChildProject
  keeps them;
- ``metadata/annotations.csv`` and
  ``annotations/<set>/converted/<recording stem>_<onset>_<offset>.csv``: one annotation per
  stored clip (a whole recording is one clip from 0 to its duration), its segments clipped to
  it, ``time_seek`` 0, ``format`` ``csv``; a recording read outside a dataset is in the set
  named after its format;
- ``annotations/<set>/metannots.yml``: the set's stored ``metannots.yml``, else its name.

Segment columns: ``segment_onset``, ``segment_offset``, ``speaker_type`` (ChildProject knows
CHI, OCH, FEM and MAL; any other type is ``NA``), ``speaker_id``, ``raw_filename``, ``words`` and,
with words kept, ``transcription``, plus every stored column ChildProject defines (``vcm_type``,
``addressee``, ``lena_*`` ...). With ``keep_text=False`` the segments pass ``io.privacy`` first.
"""

from __future__ import annotations

import csv
import json
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from attunement.corpus import rebuild
from attunement.corpus.queries import tables
from attunement.corpus.store import guarded, open_store
from attunement.outputs import check_folder

SPEAKER_TYPES = ("CHI", "OCH", "FEM", "MAL")
# ChildProject 0.4.6's segment columns (annotations.py: SEGMENTS_COLUMNS) beyond the core ones
SEGMENT_COLUMNS = (
    *("ling_type", "vcm_type", "lex_type", "mwu_type", "msc_type", "gra_type", "addressee"),
    *("phonemes", "syllables", "lena_block_type", "lena_block_number", "lena_conv_status"),
    *("lena_response_count", "lena_conv_turn_type", "lena_conv_floor_type", "lena_speaker"),
    *("utterances_count", "utterances_length", "non_speech_length", "average_db", "peak_db"),
    *("child_cry_vfx_len", "cries", "vfxs"),
)
BATCH = 64  # recordings fetched from the store at once


def export_dataset(
    db: str | Path, folder: str | Path, *, confidential: bool = False, keep_text: bool = True
) -> dict[str, Any]:
    """Write the store ``db`` as a ChildProject dataset in ``folder`` (created; its parent must
    exist; an existing folder must not hold a dataset already). Returns counts and notes."""
    from attunement.errors import OutputError

    folder = check_folder(folder, [db])
    if (folder / "metadata").exists():
        raise OutputError(f"{folder}: already holds a dataset's metadata; choose a new folder")
    notes: list[str] = []
    with guarded(db), closing(open_store(db, read_only=True)) as con:
        recs = _recordings(con)
        listed = _dataset_recordings(con)
        children = _children(con, recs, notes)
        secret = _secret(con)
        sets = _sets(con)
        folder.mkdir(exist_ok=True)
        annotations = _annotations(con, folder, recs, keep_text, sets)
    rows = [*recs.values(), *_unannotated(listed, recs)]
    _write_metadata(folder, children, rows, secret, confidential)
    _write_csv(folder / "metadata" / "annotations.csv", annotations)
    if any(r["unknown_child"] for r in recs.values()):
        notes.append(
            "recordings without a child_id are under child 'unknown' (ingest them with a "
            "children.csv or recordings.csv to link them)"
        )
    if any(r["guessed_name"] for r in recs.values()):
        notes.append(
            "recordings read outside a dataset are named <file stem>.wav: their audio files' "
            "names are not in the store"
        )
    return {
        "children": len(children),
        "recordings": len({r["recording_filename"] for r in rows}),
        "annotations": len(annotations),
        "notes": notes,
    }


def _dataset_recordings(con: duckdb.DuckDBPyConnection) -> dict[tuple, dict]:
    """Every stored recordings.csv row by (dataset, recording_filename)."""
    meta: dict[tuple, dict] = {}
    if "dataset_recordings" in tables(con):
        rows = con.execute(
            "SELECT dataset, recording_filename, child_id, session_id, date_iso, start_time, "
            "duration_ms, discard, metadata FROM dataset_recordings"
        ).fetchall()
        for ds, name, child, session, day, start, duration, discard, extra in rows:
            meta[(ds, name)] = {
                "child_id": child,
                "session_id": session,
                "date": day,
                "start_time": start,
                "duration_ms": duration,
                "discard": discard,
                "metadata": json.loads(extra or "{}"),
            }
    return meta


def _recordings(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Per stored recording: its ChildProject recording row and set, and its clips."""
    meta = _dataset_recordings(con)
    clips: dict[str, list[tuple[int, int, str | None]]] = {}
    if "clips" in tables(con):
        for path, lo, hi, raw in con.execute(
            "SELECT path, range_onset, range_offset, raw_filename FROM clips WHERE status = 'read'"
        ).fetchall():
            clips.setdefault(path, []).append((lo, hi, raw))
    out = {}
    for (
        rid,
        path,
        fmt,
        ds,
        name,
        set_name,
        child,
        session,
        day,
        start,
        duration,
        age,
    ) in con.execute(
        "SELECT recording_id, path, format, dataset, recording_name, annotation_set, "
        "child_id, session_id, date, start, duration_ms, child_age_days FROM recordings "
        "ORDER BY recording_id"
    ).fetchall():
        base = (name or "").split("#")[0]
        row = meta.get((ds, base), {})
        guessed = not row
        filename = base if row else f"{Path(base or rid).with_suffix('')}.wav"
        out[rid] = {
            "dataset": ds,
            "recording_filename": filename,
            "guessed_name": guessed,
            "set": set_name or fmt,
            "child_id": row.get("child_id") or child or "unknown",
            "unknown_child": not (row.get("child_id") or child),
            "session_id": row.get("session_id") or session,
            "date": row.get("date") or day,
            "start_time": row.get("start_time") or (start[11:19] if start else None),
            "duration_ms": row.get("duration_ms") or duration,
            "discard": row.get("discard"),
            "metadata": row.get("metadata", {}),
            "age_days": age,
            "clips": sorted(clips.get(path, [(0, int(duration or 0), Path(path).name)])),
        }
    return out


def _unannotated(listed: dict[tuple, dict], recs: dict[str, dict]) -> list[dict]:
    """recordings.csv rows that no stored recording annotates (kept in the dataset)."""
    used = {(r["dataset"], r["recording_filename"]) for r in recs.values()}
    return [
        {**row, "dataset": ds, "recording_filename": name, "date": row["date"]}
        for (ds, name), row in listed.items()
        if (ds, name) not in used
    ]


def _children(con: duckdb.DuckDBPyConnection, recs: dict[str, dict], notes: list[str]) -> dict:
    """Per (dataset, child_id): the children.csv row."""
    out: dict[tuple, dict] = {}
    if "children" in tables(con):
        for ds, child, dob, discard, extra in con.execute(
            "SELECT dataset, child_id, child_dob, discard, metadata FROM children"
        ).fetchall():
            out[(ds, child)] = {"child_dob": dob, "discard": discard, **json.loads(extra or "{}")}
    for rec in sorted(recs.values(), key=lambda r: (r["date"] is None, r["date"] or 0)):
        row = out.setdefault((rec["dataset"], rec["child_id"]), {})
        known = rec["date"] is not None and rec["age_days"] is not None
        if row.get("child_dob") is None and known and not rec["unknown_child"]:
            row["child_dob"] = rec["date"] - timedelta(days=int(rec["age_days"]))
            row["dob_criterion"] = "extrapolated"
    if any(r.get("dob_criterion") == "extrapolated" for r in out.values()):
        notes.append(
            "dates of birth without a children.csv are the recording date minus the age in days "
            "(dob_criterion = extrapolated)"
        )
    return out


def _secret(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, list[str]]]:
    if "datasets" not in tables(con):
        return {}
    rows = con.execute(
        "SELECT dataset, confidential_children, confidential_recordings FROM datasets"
    ).fetchall()
    return {
        d: {"children": json.loads(c or "[]"), "recordings": json.loads(r or "[]")}
        for d, c, r in rows
    }


def _sets(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    if "annotation_sets" not in tables(con):
        return {}
    rows = con.execute('SELECT "set", metannots FROM annotation_sets').fetchall()
    return {name: json.loads(meta or "{}") for name, meta in rows}


def _annotations(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    recs: dict[str, dict],
    keep_text: bool,
    sets: dict[str, dict],
) -> list[dict]:
    """Write every clip's converted CSV; its annotations.csv rows."""
    import yaml

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    rows = []
    ids = list(recs)
    for start in range(0, len(ids), BATCH):
        for meta, segments in rebuild.fetch(con, ids[start : start + BATCH]):
            rec = rebuild.recording(meta, segments)
            if not keep_text and rec.keep_text:
                rec = _private(rec)
            info = recs[rec.id]
            stem = info["recording_filename"].rsplit(".", 1)[0]
            target = folder / "annotations" / info["set"] / "converted"
            target.mkdir(parents=True, exist_ok=True)
            for lo, hi, raw in info["clips"]:
                name = f"{stem}_{lo}_{hi}.csv"
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                _segments(rec.segments, lo, hi, raw or Path(rec.path).name, keep_text).write_csv(
                    target / name
                )
                rows.append(
                    {
                        "set": info["set"],
                        "recording_filename": info["recording_filename"],
                        "time_seek": 0,
                        "range_onset": lo,
                        "range_offset": hi,
                        "raw_filename": raw or Path(rec.path).name,
                        "format": "csv",
                        "filter": "NA",
                        "annotation_filename": name,
                        "imported_at": now,
                        "package_version": "NA",
                        "error": "NA",
                        "merged_from": "",
                    }
                )
    for name in {r["set"] for r in rows}:
        meta = sets.get(name) or {"segmentation": name}
        text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
        (folder / "annotations" / name / "metannots.yml").write_text(text, encoding="utf-8")
    return rows


def _private(rec):
    from attunement.io.privacy import private
    from attunement.io.registry import reader_for

    module = reader_for(rec.format)
    return private([rec], module.KEEP_PRIVATE, module.DEFAULT_ROLES)[0]


def _segments(frame: pl.DataFrame, lo: int, hi: int, raw: str, keep_text: bool) -> pl.DataFrame:
    """One clip's segments in ChildProject's columns."""
    timed = frame.filter(
        pl.col("segment_onset").is_not_null()
        & (pl.col("segment_offset") > lo)
        & (pl.col("segment_onset") < hi)
    )
    kind = pl.col("speaker_type").cast(pl.String)
    columns = [
        pl.col("segment_onset").clip(lo, hi),
        pl.col("segment_offset").clip(lo, hi),
        pl.when(kind.is_in(SPEAKER_TYPES)).then(kind).otherwise(pl.lit("NA")).alias("speaker_type"),
        pl.col("speaker_id"),
        pl.lit(raw).alias("raw_filename"),
    ]
    if timed["words"].null_count() < timed.height:
        columns.append(pl.col("words"))
    if keep_text and timed["text"].null_count() < timed.height:
        columns.append(pl.col("text").alias("transcription"))
    columns += [pl.col(c) for c in SEGMENT_COLUMNS if c in timed.columns and c != "speaker_type"]
    out = timed.select(columns).filter(pl.col("segment_offset") > pl.col("segment_onset"))
    return out.sort(["segment_onset", "segment_offset"])


def _write_metadata(
    folder: Path, children: dict, recs: list[dict], secret: dict, confidential: bool
) -> None:
    """children.csv, recordings.csv and, with ``confidential``, their confidential files."""
    child_rows, child_secret = [], []
    for (ds, child), row in sorted(children.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        full = {
            "experiment": row.get("experiment") or _experiment(ds),
            "child_id": child,
            **{k: v for k, v in row.items() if k != "discard"},
            "discard": row.get("discard"),
        }
        public, private = _split(full, secret.get(ds, {}).get("children", []), confidential)
        child_rows.append(public)
        if private:
            child_secret.append({"child_id": child, **private})
    rec_rows: dict[str, dict] = {}
    rec_secret = []
    for info in recs:
        name = info["recording_filename"]
        if name in rec_rows:
            continue
        extra = info["metadata"]
        full = {
            "experiment": extra.get("experiment") or _experiment(info["dataset"]),
            "child_id": info["child_id"],
            "date_iso": info["date"],
            "start_time": info["start_time"],
            "recording_device_type": extra.get("recording_device_type") or "unknown",
            "recording_filename": name,
            "duration": info["duration_ms"],
            "session_id": info["session_id"],
            **extra,
            "discard": info["discard"],
        }
        hidden = secret.get(info["dataset"], {}).get("recordings", [])
        rec_rows[name], private = _split(full, hidden, confidential)
        if private:
            rec_secret.append({"recording_filename": name, **private})
    meta = folder / "metadata"
    meta.mkdir(exist_ok=True)
    _write_csv(meta / "children.csv", child_rows)
    _write_csv(meta / "recordings.csv", list(rec_rows.values()))
    for table, rows in (("children", child_secret), ("recordings", rec_secret)):
        if rows:
            (meta / table).mkdir(exist_ok=True)
            _write_csv(meta / table / "confidential.csv", rows)


def _experiment(dataset: str | None) -> str:
    return Path(dataset).name if dataset else "attunement"


def _split(row: dict, hidden: list[str], confidential: bool) -> tuple[dict, dict]:
    """A row's public cells (``NA`` for its confidential columns) and, with ``confidential``,
    the values its confidential file holds."""
    public = {k: "NA" if k in hidden else _text(v) for k, v in row.items()}
    private = {k: _text(row.get(k)) for k in hidden if k in row} if confidential else {}
    return public, private


def _text(value: Any) -> str:
    if value is None:
        return "NA"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, rows: list[dict]) -> None:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, restval="NA")
        writer.writeheader()
        writer.writerows({k: "NA" if v is None else v for k, v in r.items()} for r in rows)
