"""A dataset's recordings under each annotation set: one ``Recording`` per (recording, set).

Every clip of the annotation index (``childproject.Clip``) is read from one file, once: the
converted CSV (``annotations/<set>/converted/``) when it exists, else the raw file
(``annotations/<set>/raw/``, by ChildProject's ``format``) when a reader takes it; ``prefer="raw"``
turns the order round. A clip whose files are both missing (or whose raw format has no reader and
no converted twin) is *missing*: listed, never fatal.

Times follow ChildProject's ``AnnotationManager._import_annotation``: a raw file's segment times
plus ``time_seek`` are times on the recording, then onset and offset are clipped to
``[range_onset, range_offset]`` and segments left with ``offset <= onset`` are dropped (so are
untimed lines, and a warning counts them). Converted CSVs hold those times already; clipping
them again changes nothing. Each segment keeps its clip as ``range_onset`` / ``range_offset``.

All clips of one recording in one set make one Recording (id ``<recording stem>@<set>``, path
``<dataset>/annotations/<set>#<recording_filename>``): a recording annotated by several sets is
one recording with several sets, each measured on its own. Its recorded pieces
(``extra["recordings"]``, the denominators of per-hour rates and the clock of hourly bins) are
its clips, on the clock of ``date_iso`` + ``start_time`` (or inside a LENA file's own pieces).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from attunement import segments as seg
from attunement.errors import ReadError
from attunement.io.childproject import ANNOTATIONS, Clip, Dataset, discarded
from attunement.io.linking import Link, apply, link
from attunement.limits import Limits
from attunement.recording import Participant, Recording

if TYPE_CHECKING:
    from attunement.io import Batch

# ChildProject's converter names -> this package's readers (``alice`` and ``w2v2-sm`` have none:
# their converted CSVs are read instead)
FORMATS = {
    "vtc_rttm": "rttm",
    "vcm_rttm": "rttm",
    "eaf": "eaf",
    "TextGrid": "textgrid",
    "its": "its",
    "cha": "chat",
    "csv": "table",
}
PREFER = ("converted", "raw")


@dataclass(frozen=True)
class Source:
    """Where one clip is read from (``path``, ``kind`` converted or raw, our ``format``), or
    why it cannot be (``problem``: the file is missing, or no reader takes its format)."""

    clip: Clip
    path: str | None
    kind: str | None
    format: str | None
    problem: str | None = None


@dataclass(frozen=True)
class Entry:
    """One recording in one set: its sources (one per readable clip) and its metadata link."""

    id: str
    path: str
    link: Link
    sources: tuple[Source, ...]


@dataclass
class Plan:
    """A dataset's entries to read, the clips that cannot be read, files no clip uses, and
    clips of discarded recordings (left out, as ChildProject leaves them out)."""

    entries: list[Entry] = field(default_factory=list)
    missing: list[Source] = field(default_factory=list)
    unindexed: list[Path] = field(default_factory=list)
    discarded: list[Clip] = field(default_factory=list)


@dataclass
class DatasetSummary:
    """What reading a dataset found: counts, sets, the clips that could not be read
    ("set / recording [onset, offset) ms: problem"), files under ``annotations/`` no clip uses,
    clips of discarded recordings, stored recordings removed (ingest) and warnings."""

    root: str
    layout: str
    children: int = 0
    recordings: int = 0
    sets: list[str] = field(default_factory=list)
    clips: int = 0
    missing: list[str] = field(default_factory=list)
    unindexed: list[str] = field(default_factory=list)
    discarded: int = 0
    removed: int = 0
    warnings: list[str] = field(default_factory=list)


def summarise(ds: Dataset, work: Plan) -> DatasetSummary:
    """``ds`` and its plan in a few numbers and lists."""
    sources = [s for e in work.entries for s in e.sources]
    return DatasetSummary(
        root=str(ds.root),
        layout=ds.layout,
        children=len(ds.children),
        recordings=len(ds.recordings),
        sets=sorted({s.clip.set for s in sources} | set(ds.sets)),
        clips=len(sources) + len(work.missing) + len(work.discarded),
        missing=[
            f"{s.clip.set} / {s.clip.recording_filename} "
            f"[{s.clip.range_onset}, {s.clip.range_offset}) ms: {s.problem}"
            for s in work.missing
        ],
        unindexed=[str(p.relative_to(ds.root)) for p in work.unindexed],
        discarded=len(work.discarded),
        warnings=list(ds.warnings),
    )


def plan(ds: Dataset, prefer: str = "converted") -> Plan:
    """Group the dataset's clips by (recording, set) and choose each clip's file."""
    if prefer not in PREFER:
        from attunement.errors import ParameterError

        raise ParameterError(f"prefer must be one of {', '.join(PREFER)}, got {prefer!r}")
    out = Plan()
    groups: dict[tuple[str, str], list[Source]] = {}
    used: set[Path] = set()
    for clip in ds.clips:
        row = ds.recordings.get(clip.recording_filename)
        if discarded(row) or discarded(ds.child_of(row)):
            out.discarded.append(clip)
            continue
        src, files = _source(ds.root, clip, prefer)
        used |= files
        if src.problem:
            out.missing.append(src)
        else:
            groups.setdefault((clip.recording_filename, clip.set), []).append(src)
    for (name, set_name), sources in groups.items():
        stem = name.rsplit(".", 1)[0]
        lk = link(ds, name, ds.recordings.get(name), set_name)
        path = f"{ds.root / ANNOTATIONS / set_name}#{name}"
        ordered = tuple(sorted(sources, key=lambda s: s.clip.range_onset))
        out.entries.append(Entry(f"{stem}@{set_name}", path, lk, ordered))
    folder = ds.root / ANNOTATIONS
    if folder.is_dir():
        out.unindexed = sorted(
            p
            for p in folder.rglob("*")
            if p.is_file()
            and p.parent != folder
            and p.name != "metannots.yml"
            and not p.name.startswith(".")
            and Path(os.path.realpath(p)) not in used
        )
    return out


def _source(root: Path, clip: Clip, prefer: str) -> tuple[Source, set[Path]]:
    """The file to read for ``clip`` and both candidate files (resolved)."""
    base = root / ANNOTATIONS / clip.set
    converted = base / "converted" / clip.converted_name
    raw = base / "raw" / clip.raw_filename if clip.raw_filename else None
    fmt = FORMATS.get(clip.format or "")
    inside = Path(os.path.realpath(base))
    for candidate in (converted, raw):
        if candidate is not None and not Path(os.path.realpath(candidate)).is_relative_to(inside):
            problem = f"its file name leads outside annotations/{clip.set} (not read)"
            return Source(clip, None, None, None, problem), set()
    candidates = {
        "converted": (converted, "table") if converted.is_file() else None,
        "raw": (raw, fmt) if raw is not None and raw.is_file() and fmt else None,
    }
    files = {Path(os.path.realpath(p)) for p in (converted, raw) if p is not None and p.exists()}
    for kind in (prefer, *(k for k in PREFER if k != prefer)):
        if candidates[kind] is not None:
            path, reader = candidates[kind]
            return Source(clip, str(Path(os.path.realpath(path))), kind, reader), files
    if raw is not None and raw.is_file():
        problem = f"no reader for format {clip.format!r} and no converted file"
    elif raw is not None:
        problem = f"raw file missing: {raw.relative_to(root)}"
    else:
        problem = f"converted file missing: {converted.relative_to(root)}"
    return Source(clip, None, None, None, problem), files


def read_entry(
    entry: Entry,
    roles: Mapping[str, str] | str | Path | None = None,
    keep_text: bool = True,
    limits: Limits | None = None,
) -> Recording:
    """The Recording of one entry (module docstring); ``ReadError`` when a file cannot be read."""
    frames, pieces, participants, warnings = [], [], [], []
    header_age = None
    header_start = None
    formats = []
    dropped = 0
    for src in entry.sources:
        rec = _read_source(src, roles, keep_text, limits)
        clip = src.clip
        formats.append(rec.format)
        header_age = header_age if header_age is not None else rec.child_age_days
        header_start = header_start or (rec.start if src.kind == "raw" else None)
        seek = clip.time_seek if src.kind == "raw" else 0
        frame, untimed = _clipped(rec.segments, seek, clip)
        dropped += untimed
        frames.append(frame)
        pieces += _pieces(rec, seek, clip, entry.link.start) if src.kind == "raw" else []
        if src.kind != "raw" or not rec.extra.get("recordings"):
            pieces.append(_piece(clip.range_onset, clip.range_offset, None, entry.link.start))
        participants += [p for p in rec.participants if p not in participants]
        name = Path(src.path).name
        warnings += [f"{name}: {w}" for w in rec.warnings]
    table = seg.build(pl.concat(frames, how="diagonal_relaxed"), keep_text=keep_text)
    if dropped:
        warnings.append(
            f"{dropped} untimed line(s) left out: a clip keeps timed segments only, as "
            "ChildProject's import does"
        )
    end = max([p["end_ms"] for p in pieces] + [int(table["segment_offset"].max() or 0)])
    duration = entry.link.duration_ms
    if duration is not None and end > duration:
        warnings.append(
            f"clips or segments run to {end} ms, past the recording's duration {duration} ms "
            "in recordings.csv (ChildProject refuses such ranges at import)"
        )
    rec = Recording(
        id=entry.id,
        path=entry.path,
        format=formats[0] if len(set(formats)) == 1 else "table",
        segments=table,
        start=header_start or entry.link.start,
        duration_ms=max(end, duration or 0),
        child_age_days=header_age,
        participants=_unique(participants),
        warnings=warnings,
        extra={
            "recordings": sorted(pieces, key=lambda p: p["start_ms"]),
            "clips": [
                {"range_onset": s.clip.range_onset, "range_offset": s.clip.range_offset}
                for s in entry.sources
            ],
        },
        keep_text=keep_text,
    )
    return apply(rec, entry.link)


def _read_source(src: Source, roles, keep_text: bool, limits: Limits | None) -> Recording:
    """The Recording a clip is read from: the converted table, or the raw file's recording
    named by the clip's ``filter`` (the only one when there is no filter)."""
    from attunement.io import read_file

    path = Path(src.path)
    clip = src.clip
    if src.kind == "converted" or not clip.filter:
        recs = read_file(path, format=src.format, roles=roles, keep_text=keep_text, limits=limits)
        if len(recs) != 1 and src.kind == "raw":
            raise ReadError(
                path,
                f"holds {len(recs)} recordings and the index gives no filter to choose one "
                f"({Path(clip.where).name}, line {clip.line})",
            )
        return recs[0]
    recs = read_file(path, format=src.format, roles=roles, keep_text=True, limits=limits)
    chosen = [r for r in recs if r.id == clip.filter]
    if not chosen:
        raise ReadError(
            path,
            f"no recording matches the filter of {Path(clip.where).name}, line {clip.line}",
        )
    if keep_text:
        return chosen[0]
    from attunement import roles as role_maps
    from attunement.io.privacy import private
    from attunement.io.registry import reader_for

    module = reader_for(src.format)
    role_map = role_maps.merge(module.DEFAULT_ROLES, role_maps.load(roles))
    return private(chosen, module.KEEP_PRIVATE, role_map)[0]


def _clipped(frame: pl.DataFrame, seek: int, clip: Clip) -> tuple[pl.DataFrame, int]:
    """``frame`` shifted by ``seek``, clipped to the clip's range, with the range as columns;
    and how many untimed rows were left out."""
    lo, hi = clip.range_onset, clip.range_offset
    timed = frame.filter(pl.col("segment_onset").is_not_null())
    out = (
        timed.with_columns(
            (pl.col("segment_onset") + seek).clip(lo, hi),
            (pl.col("segment_offset") + seek).clip(lo, hi),
        )
        .filter(pl.col("segment_offset") > pl.col("segment_onset"))
        .with_columns(
            pl.lit(lo, pl.Int64).alias("range_onset"),
            pl.lit(hi, pl.Int64).alias("range_offset"),
        )
    )
    return out, frame.height - timed.height


def _piece(start_ms: int, end_ms: int, clock: datetime | None, start: datetime | None) -> dict:
    if clock is None and start is not None:
        clock = start + timedelta(milliseconds=start_ms)
    return {
        "start_ms": start_ms,
        "end_ms": end_ms,
        "start_clock": clock.isoformat() if clock else None,
    }


def _pieces(rec: Recording, seek: int, clip: Clip, start: datetime | None) -> list[dict]:
    """A raw file's own recorded pieces (LENA's), shifted by ``seek`` and cut to the clip."""
    out = []
    for p in rec.extra.get("recordings") or []:
        lo = max(int(p["start_ms"]) + seek, clip.range_onset)
        hi = min(int(p["end_ms"]) + seek, clip.range_offset)
        if hi <= lo:
            continue
        clock = p.get("start_clock")
        if isinstance(clock, str):
            clock = datetime.fromisoformat(clock)
        if clock is not None:
            clock = clock + timedelta(milliseconds=lo - int(p["start_ms"]) - seek)
        out.append(_piece(lo, hi, clock, start))
    return out


def _unique(participants: list[Participant]) -> list[Participant]:
    return list(dict.fromkeys(participants))


def link_file(ds: Dataset, path: Path, recordings: list[Recording]) -> list[Recording]:
    """Recordings read from a file of a plain folder, each linked to its row of
    ``recordings.csv`` (by the file's path in the folder, its name or its stem) and child (that
    row's, else the nearest folder named like a child)."""
    lk = file_link(ds, path)
    out = []
    for rec in recordings:
        name = lk.recording_name if len(recordings) == 1 else f"{lk.recording_name}#{rec.id}"
        out.append(apply(rec, replace(lk, recording_name=name)))
    return out


def file_link(ds: Dataset, path: Path) -> Link:
    """The ``Link`` of a file of a plain folder (see ``link_file``)."""
    path = Path(path)  # its folder's real path: the file itself may be a link to elsewhere
    relative = (Path(os.path.realpath(path.parent)) / path.name).relative_to(ds.root)
    name = relative.as_posix()
    by_stem = {Path(k).with_suffix("").as_posix(): k for k in ds.recordings}
    key = next(
        (
            k
            for k in (name, relative.name, relative.with_suffix("").as_posix(), relative.stem)
            if k in ds.recordings or k in by_stem
        ),
        None,
    )
    row = ds.recordings.get(key) or ds.recordings.get(by_stem.get(key, "")) if key else None
    lk = link(ds, name, row)
    if lk.child_id is None:
        folder = next((p for p in reversed(relative.parts[:-1]) if p in ds.children), None)
        if folder is not None:
            lk = replace(lk, child_id=folder, child_dob=ds.children[folder].get("child_dob"))
    return lk


def is_metadata(ds: Dataset, path: Path) -> bool:
    """Whether ``path`` is one of the dataset's metadata tables (never read as data)."""
    resolved = Path(os.path.realpath(path))
    return any(resolved == Path(os.path.realpath(f)) for f in ds.metadata_files)


def read_dataset(
    ds: Dataset,
    prefer: str = "converted",
    roles: Mapping[str, str] | str | Path | None = None,
    keep_text: bool = True,
    limits: Limits | None = None,
) -> tuple[Batch, Plan]:
    """Every recording of a dataset, linked (a plain folder's files, or one Recording per
    recording and set), the files that failed, and the dataset's plan (what is missing)."""
    from attunement.io import Batch, expand, read_batch

    if ds.layout == "folder":
        files, skipped = expand(ds.root)
        files = [f for f in files if not is_metadata(ds, f)]
        batch = read_batch(files, roles=roles, keep_text=keep_text, limits=limits)
        by_path: dict[str, list[Recording]] = {}
        for rec in batch.recordings:
            by_path.setdefault(rec.path, []).append(rec)
        batch.recordings = [r for p, rs in by_path.items() for r in link_file(ds, Path(p), rs)]
        batch.skipped = [f for f in skipped if not is_metadata(ds, f)]
        return batch, Plan()
    work = plan(ds, prefer)
    batch = Batch()
    for entry in work.entries:
        try:
            batch.recordings.append(read_entry(entry, roles, keep_text, limits))
        except ReadError as exc:
            batch.failures.append(exc)
    return batch, work
