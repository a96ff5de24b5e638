"""BORIS tabular exports (Friard & Gamba 2016, BORIS: Behavioral Observation Research Interactive
Software, Methods in Ecology and Evolution 7:1325), as TSV or CSV. Three layouts, as written by
BORIS's own export code over its versions:

- **events, with a preamble** (BORIS up to 7.x): key/value rows (``Observation id``, ``Media
  file(s)``, ``Observation date``, ``Description``, ``Time offset (s)``, independent variables),
  then the header ``Time, Media file path, Total length, FPS, Subject, Behavior, Behavioral
  category, [Modifier 1 ...], Comment, Status``; one observation per file.
- **events** (BORIS 8 and later): one header ``Observation id, Observation date, Description,
  Observation duration, Observation type, Source, Time offset (s), Media duration (s), FPS,
  [independent variables], Subject, Behavior, Behavioral category, [Modifier #1 ...], Behavior
  type, Time, Media file name, Image index, Image file path, Comment``, where ``Behavior type``
  holds the status ``START`` / ``STOP`` / ``POINT`` (a ``Status`` column is used when present).
- **aggregated events**: ``Observation id, ..., Subject, Behavior, Behavioral category,
  Modifiers`` (or ``Modifier #1 ...``), ``Behavior type`` (``STATE`` / ``POINT``), ``Start (s)``,
  ``Stop (s)``, ``Duration (s)``, ...

``START``/``STOP`` rows are paired in time order per (observation, subject, behavior,
modifiers), as BORIS pairs them; a ``STOP`` with no open ``START``, or a ``START`` never
stopped, is a ``ReadError`` naming the line (never dropped). ``POINT`` events get offset =
onset. One Recording per ``Observation id``: ``speaker_id`` = subject (``No focal subject`` as
BORIS writes it), ``speaker_type`` from the role map (unknown subjects become ``UNK`` and are
counted in a warning), ``kind = "behaviour"``, ``code`` = behavior, extra columns ``modifiers``
(``|``-joined), ``behavioral_category``, ``boris_type`` (``STATE``/``POINT``). Comments go to
``text`` (dropped with ``keep_text=False``). Duration: ``Observation duration``, ``Coding
duration`` or ``Total length`` when numeric, else the last offset.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import polars as pl

from attunement import roles as role_maps
from attunement import segments as seg
from attunement.errors import ReadError
from attunement.io._common import read_text
from attunement.io.budget import check_count
from attunement.io.privacy import CODED
from attunement.recording import Participant, Recording

FORMAT = "boris"
EXTENSIONS = (".tsv",)
DEFAULT_ROLES: dict[str, str] = {
    "Mother": "FEM",
    "Father": "MAL",
    "Child": "CHI",
    "Infant": "CHI",
}
NO_SUBJECT = "No focal subject"
# privacy mode (io.privacy): behaviours, modifiers and categories are the ethogram's codes
KEEP_PRIVATE = {
    "code": CODED,
    "modifiers": CODED,
    "behavioral_category": CODED,
    "boris_type": frozenset({"STATE", "POINT"}),
}
DURATION_COLUMNS = ("Observation duration", "Coding duration", "Total length")
MAX_HEADER_LINE = 200


def sniff(head: bytes) -> bool:
    return b"Observation id" in head and b"Behavior" in head


def _cells(line: str, sep: str) -> list[str]:
    return [c.strip() for c in next(csv.reader([line], delimiter=sep))]


def _find_header(lines: list[str], path: Path) -> tuple[int, str, list[str]]:
    for number, line in enumerate(lines[:MAX_HEADER_LINE]):
        sep = "\t" if "\t" in line else ","
        try:
            cells = _cells(line, sep)
        except csv.Error:
            continue
        if "Behavior" in cells and ("Time" in cells or "Start (s)" in cells):
            return number, sep, cells
    raise ReadError(
        path,
        "no BORIS header row (with 'Behavior' and 'Time' or 'Start (s)') in the first "
        f"{MAX_HEADER_LINE} lines; export 'tabular events' or 'aggregated events' as TSV or CSV",
    )


def _preamble(lines: list[str], upto: int, sep: str) -> dict[str, str]:
    out = {}
    for line in lines[:upto]:
        try:
            cells = _cells(line, sep) if line.strip() else []
        except csv.Error:
            continue
        if len(cells) >= 2 and cells[0] and cells[0] not in out:
            out[cells[0]] = cells[1]
    return out


def _load(path: Path) -> tuple[pl.DataFrame, dict[str, str], int]:
    text = read_text(path)
    lines = text.splitlines()
    h, sep, header = _find_header(lines, path)
    dupes = {c for c in header if c and header.count(c) > 1}
    if dupes:
        raise ReadError(path, f"the header repeats {len(dupes)} column name(s)", h + 1)
    try:
        frame = pl.read_csv(
            io.StringIO("\n".join(lines[h:])),
            separator=sep,
            infer_schema=False,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:  # its message may quote a cell
        raise ReadError(
            path,
            f"not a readable BORIS table ({type(exc).__name__}): check that every row has the "
            "header's fields and every quote is closed",
            h + 1,
        ) from None
    frame = frame.with_row_index("line", offset=h + 2).with_columns(pl.col("line").cast(pl.Int64))
    blank = pl.all_horizontal(
        pl.col(c).fill_null("").str.strip_chars() == "" for c in frame.columns if c != "line"
    )
    return frame.filter(~blank), _preamble(lines, h, sep), h + 1


def _seconds_ms(frame: pl.DataFrame, column: str, path: Path, *, allow_na: bool = False):
    """Seconds (``12.5``) or ``h:mm:ss.mss`` as ms; a bad value is a ReadError naming its line."""
    raw = frame[column].fill_null("").str.strip_chars()
    parts = raw.str.split(":")
    sec = parts.list.last().cast(pl.Float64, strict=False)
    mins = parts.list.get(-2, null_on_oob=True).cast(pl.Float64, strict=False).fill_null(0)
    hours = parts.list.get(-3, null_on_oob=True).cast(pl.Float64, strict=False).fill_null(0)
    n = parts.list.len()
    ms = ((hours * 3600 + mins * 60 + sec) * 1000).round(0)
    bad = ms.is_null() | ms.is_nan() | (ms < 0) | (ms > 1e13) | (n > 3)
    bad = bad & ~(raw.is_in(["NA", ""]) if allow_na else pl.Series([False] * len(raw)))
    if bad.any():
        row = int(bad.arg_true()[0])
        raise ReadError(path, f"{column} is not a time in seconds", int(frame["line"][row]))
    return ms.cast(pl.Int64, strict=False)


def _modifiers(frame: pl.DataFrame) -> pl.Expr:
    cols = [c for c in frame.columns if c == "Modifiers" or c.startswith("Modifier ")]
    if not cols:
        return pl.lit("")
    joined = pl.concat_str([pl.col(c).fill_null("") for c in cols], separator="|")
    return joined.str.strip_chars_end("|")


def _require(frame: pl.DataFrame, names: tuple[str, ...], path: Path, line: int) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ReadError(path, f"BORIS export without column(s) {missing}", line)


def _events(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Rows START/STOP/POINT with ``Time`` -> one row per event with onset and offset."""
    status_col = "Status" if "Status" in frame.columns else "Behavior type"
    status = frame[status_col].fill_null("").str.strip_chars().str.to_uppercase()
    bad = ~status.is_in(["START", "STOP", "POINT"])
    if bad.any():
        row = int(bad.arg_true()[0])
        raise ReadError(path, f"{status_col} is not START, STOP or POINT", int(frame["line"][row]))
    work = frame.with_columns(
        status=status, t=_seconds_ms(frame, "Time", path), modifiers=_modifiers(frame)
    ).sort("t", maintain_order=True)
    key = ["obs", "Subject", "Behavior", "modifiers"]
    state = work.filter(pl.col("status") != "POINT").with_columns(
        k=pl.int_range(pl.len()).over(key), n=pl.len().over(key)
    )
    wrong = state.filter(
        ((pl.col("k") % 2 == 0) & (pl.col("status") != "START"))
        | ((pl.col("k") % 2 == 1) & (pl.col("status") != "STOP"))
        | ((pl.col("k") == pl.col("n") - 1) & (pl.col("status") == "START"))
    ).sort("line")
    if wrong.height:
        r = wrong.row(0, named=True)
        what = (
            "STOP with no open START"
            if r["status"] == "STOP"
            else "START never stopped (no STOP follows it)"
            if r["k"] == r["n"] - 1
            else "START while the same behavior is already started"
        )
        raise ReadError(path, f"{what}, at {r['t'] / 1000} s", r["line"])
    starts = state.filter(pl.col("k") % 2 == 0).with_columns(pair=pl.col("k") // 2)
    stops = state.filter(pl.col("k") % 2 == 1).select(
        *key, pair=pl.col("k") // 2, offset=pl.col("t")
    )
    paired = starts.join(stops, on=[*key, "pair"], how="left").select(
        *_out_columns(starts), offset=pl.col("offset"), boris_type=pl.lit("STATE")
    )
    points = work.filter(pl.col("status") == "POINT")
    points = points.select(*_out_columns(points), offset=pl.col("t"), boris_type=pl.lit("POINT"))
    return pl.concat([paired, points])


def _comment(frame: pl.DataFrame) -> pl.Expr:
    for name in ("Comment", "Comment start"):
        if name in frame.columns:
            return pl.col(name).fill_null("")
    return pl.lit("")


def _out_columns(frame: pl.DataFrame) -> list[pl.Expr]:
    category = (
        pl.col("Behavioral category").fill_null("")
        if "Behavioral category" in frame.columns
        else pl.lit("")
    )
    return [
        pl.col("obs"),
        pl.col("Subject"),
        pl.col("Behavior"),
        pl.col("modifiers"),
        category.alias("behavioral_category"),
        _comment(frame).alias("comment"),
        pl.col("line"),
        pl.col("t").alias("onset"),
    ]


def _aggregated(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    kind = frame["Behavior type"].fill_null("").str.strip_chars().str.to_uppercase()
    bad = ~kind.is_in(["STATE", "POINT"])
    if bad.any():
        row = int(bad.arg_true()[0])
        raise ReadError(path, "Behavior type is not STATE or POINT", int(frame["line"][row]))
    start = _seconds_ms(frame, "Start (s)", path)
    stop = _seconds_ms(frame, "Stop (s)", path, allow_na=True)
    stop = pl.Series(stop).zip_with(kind == "STATE", start)
    wrong = (stop.is_null() | (stop < start)) & (kind == "STATE")
    if wrong.any():
        row = int(wrong.arg_true()[0])
        raise ReadError(
            path,
            "a state event stops before it starts, or has no stop",
            int(frame["line"][row]),
        )
    work = frame.with_columns(t=start, modifiers=_modifiers(frame))
    return work.select(*_out_columns(work), offset=stop, boris_type=kind)


def read(path: Path, *, role_map: dict[str, str], keep_text: bool = True) -> list[Recording]:
    """One Recording per ``Observation id``, in order of first appearance."""
    frame, pre, header_line = _load(path)
    if frame.height == 0:
        raise ReadError(path, "the BORIS export holds no events", header_line)
    _require(frame, ("Subject", "Behavior"), path, header_line)
    if "Observation id" in frame.columns:
        obs = frame["Observation id"].fill_null("")
    elif "Observation id" in pre:
        obs = pl.Series([pre["Observation id"]] * frame.height)
    else:
        raise ReadError(path, "no 'Observation id' column or preamble row", header_line)
    frame = frame.with_columns(
        obs=obs,
        Subject=pl.col("Subject").fill_null("").str.strip_chars().replace("", NO_SUBJECT),
        Behavior=pl.col("Behavior").fill_null("").str.strip_chars(),
    )
    check_count(path, "max_recordings", frame["obs"].n_unique(), "observations")
    empty = frame["Behavior"] == ""
    if empty.any():
        row = int(empty.arg_true()[0])
        raise ReadError(path, "an event without a Behavior", int(frame["line"][row]))
    if "Start (s)" in frame.columns:
        _require(frame, ("Behavior type", "Stop (s)"), path, header_line)
        events = _aggregated(frame, path)
    else:
        if "Status" not in frame.columns:
            _require(frame, ("Behavior type",), path, header_line)
        events = _events(frame, path)
    return [
        _recording(path, obs_id, part, frame, pre, role_map, keep_text)
        for (obs_id,), part in events.sort("line").group_by("obs", maintain_order=True)
    ]


def _recording(path, obs_id, part, frame, pre, role_map, keep_text) -> Recording:
    meta = frame.filter(pl.col("obs") == obs_id).row(0, named=True)
    subjects = part["Subject"].to_list()
    types, unknown = role_maps.apply(subjects, role_map)
    table = seg.build(
        {
            "segment_onset": part["onset"],
            "segment_offset": part["offset"],
            "speaker_type": types,
            "speaker_id": part["Subject"],
            "kind": ["behaviour"] * part.height,
            "code": part["Behavior"],
            "text": part["comment"].replace("", None),
            "source_line": part["line"],
            "modifiers": part["modifiers"],
            "behavioral_category": part["behavioral_category"],
            "boris_type": part["boris_type"],
        },
        keep_text=keep_text,
    )
    participants = [
        Participant(id=s, role=s, speaker_type=role_map.get(s, "UNK"))
        for s in dict.fromkeys(subjects)
    ]
    extra = {"observation_date": meta.get("Observation date") or pre.get("Observation date")}
    if keep_text:
        extra["description"] = meta.get("Description") or pre.get("Description")
    return Recording(
        id=str(obs_id),
        path=str(path),
        format=FORMAT,
        segments=table,
        start=_date(extra["observation_date"]),
        duration_ms=_duration(meta, pre),
        participants=participants,
        warnings=role_maps.unknown_warning(unknown, "BORIS subject"),
        extra=extra,
        keep_text=keep_text,
    )


def _duration(meta: dict, pre: dict) -> int | None:
    for name in DURATION_COLUMNS:
        value = meta.get(name) or pre.get(name)
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if 0 < seconds < 1e10:
            return round(seconds * 1000)
    return None


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None
