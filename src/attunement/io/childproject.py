"""Datasets as labs keep them: ChildProject's layout, and plain folders with the same metadata.

A **ChildProject dataset** (ChildProject 0.4.6, LAAC-LSCP; recognised by ``metadata/children.csv``
or ``metadata/recordings.csv`` beside an ``annotations/`` folder or ``metadata/annotations.csv``):

- ``metadata/children.csv``: one row per child (``child_id``, ``child_dob``, ``experiment`` ...);
- ``metadata/recordings.csv``: one row per audio recording (``recording_filename``, ``child_id``,
  ``date_iso``, ``start_time``, ``duration`` in ms, ``session_id`` ...);
- ``metadata/children/*.csv`` and ``metadata/recordings/*.csv``: more columns, merged on
  ``child_id`` / ``recording_filename`` as ChildProject's ``accumulate_metadata`` does (files in
  descending name order, each non-empty value replacing the one before). Labs keep confidential
  columns there, so every column such a file holds is **confidential**: used (a confidential
  date of birth still gives ages) but never exported unless asked;
- ``metadata/annotations.csv``: one row per annotation, a clip of one recording in one set
  (``set``, ``recording_filename``, ``time_seek``, ``range_onset``, ``range_offset``,
  ``raw_filename``, ``format``, ``filter``, ``annotation_filename`` ...);
- ``annotations/<set>/raw/`` (files as the tools wrote them), ``annotations/<set>/converted/``
  (ChildProject's CSV conversions, named ``<recording stem>_<range_onset>_<range_offset>.csv``)
  and ``annotations/<set>/metannots.yml`` (how the set was made).

A **plain folder** holding ``children.csv`` and/or ``recordings.csv`` (at its top or in
``metadata/``) in the same shape gets the same treatment: its files are read as usual and linked
to their recording row (``recording_filename`` equal to the file's path in the folder, its name,
or its stem) and child (that row's ``child_id``, else the nearest folder named like a child).

Rows with ``discard`` = 1 are kept in the metadata but not read (ChildProject's default).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from attunement.errors import ReadError
from attunement.io._common import decode_text, read_bytes

METADATA = "metadata"
ANNOTATIONS = "annotations"
KEYS = {"children": "child_id", "recordings": "recording_filename"}
# ChildProject 0.4.6's standard columns (projects.py: CHILDREN_COLUMNS, RECORDINGS_COLUMNS)
CHILDREN_COLUMNS = (
    *("experiment", "child_id", "child_dob", "location_id", "child_sex", "language"),
    *("languages", "mat_ed", "fat_ed", "car_ed", "monoling", "monoling_criterion"),
    *("normative", "normative_criterion", "mother_id", "father_id", "order_of_birth"),
    *("n_of_siblings", "household_size", "dob_criterion", "dob_accuracy", "discard"),
)
RECORDINGS_COLUMNS = (
    *("experiment", "child_id", "date_iso", "start_time", "recording_device_type"),
    *("recording_filename", "duration", "session_id", "session_offset", "recording_device_id"),
    *("experimenter", "location_id", "its_filename", "upl_filename", "trs_filename", "lena_id"),
    *("lena_recording_num", "might_feature_gaps", "start_time_accuracy", "noisy_setting"),
    *("notes", "discard"),
)
# annotations.csv / an import list (annotations.py: INDEX_COLUMNS)
INDEX_REQUIRED = ("set", "recording_filename", "range_onset", "range_offset")
NA = frozenset({"", "NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null"})

Row = dict[str, str]


@dataclass(frozen=True)
class Clip:
    """One annotation: a stretch ``[range_onset, range_offset)`` (ms from the recording's start)
    of ``recording_filename`` annotated in ``set``. A raw file's times plus ``time_seek`` are
    times on the recording; ``filter`` picks one file id of a file that holds several (RTTM,
    ALICE). ``where`` is the index file and ``line`` its line."""

    set: str
    recording_filename: str
    range_onset: int
    range_offset: int
    time_seek: int = 0
    raw_filename: str | None = None
    annotation_filename: str | None = None
    format: str | None = None
    filter: str | None = None
    where: str = ""
    line: int = 0

    @property
    def converted_name(self) -> str:
        """The converted file's name: the index's, else ChildProject's rule."""
        if self.annotation_filename:
            return self.annotation_filename
        stem = self.recording_filename.rsplit(".", 1)[0]
        return f"{stem}_{self.range_onset}_{self.range_offset}.csv"


@dataclass
class Dataset:
    """A dataset's metadata: children and recordings by id (values merged with the
    confidential files), which columns are confidential, the annotations (``clips``), each
    set's ``metannots.yml`` and what the reading noticed."""

    root: Path
    layout: str  # "childproject" or "folder"
    children: dict[str, Row] = field(default_factory=dict)
    recordings: dict[str, Row] = field(default_factory=dict)
    confidential: dict[str, list[str]] = field(default_factory=dict)
    clips: list[Clip] = field(default_factory=list)
    sets: dict[str, dict] = field(default_factory=dict)
    metadata_files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def child_of(self, recording: Row | None) -> Row | None:
        if recording is None:
            return None
        return self.children.get(recording.get("child_id") or "")


def find(path: str | Path) -> Dataset | None:
    """The dataset at the folder ``path`` (metadata read, annotations listed), or None when it
    holds neither ChildProject's metadata nor a top-level ``children.csv`` / ``recordings.csv``."""
    root = Path(path)
    if not root.is_dir():
        return None
    meta = root / METADATA
    cp_files = [meta / "children.csv", meta / "recordings.csv"]
    if any(f.is_file() for f in cp_files):
        annotated = (root / ANNOTATIONS).is_dir() or (meta / "annotations.csv").is_file()
        return load(root, "childproject" if annotated else "folder", meta)
    if any(_keyed(root / f"{table}.csv", key) for table, key in KEYS.items()):
        return load(root, "folder", root)
    return None


def split(paths: Iterable[str | Path]) -> tuple[list[Dataset], list[Path], list[Path]]:
    """The datasets in ``paths`` (a folder given, or any folder below one, that ``find``
    recognises; never looked into further) and, as ``io.expand`` gives them, the files to read
    and the files no reader claims outside those datasets. A file named explicitly is kept."""
    from attunement.io import expand

    paths = [Path(p) for p in paths]
    roots: list[Path] = []
    for item in paths:
        if not item.is_dir():
            continue
        for folder, subfolders, _ in os.walk(item):
            if _looks_like(Path(folder)):
                roots.append(Path(folder))
                subfolders.clear()
            else:
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
    datasets = [d for d in (find(r) for r in roots) if d is not None]
    inside = [d.root for d in datasets]
    explicit = {Path(os.path.realpath(p)) for p in paths if not p.is_dir()}

    def outside(f: Path) -> bool:
        here = Path(os.path.realpath(f.parent)) / f.name  # the file itself may be a link
        return Path(os.path.realpath(f)) in explicit or not any(
            here.is_relative_to(r) for r in inside
        )

    files, skipped = expand(paths)
    return datasets, [f for f in files if outside(f)], [f for f in skipped if outside(f)]


def _looks_like(folder: Path) -> bool:
    meta = folder / METADATA
    if (meta / "children.csv").is_file() or (meta / "recordings.csv").is_file():
        return True
    return any(_keyed(folder / f"{table}.csv", key) for table, key in KEYS.items())


def _keyed(path: Path, key: str) -> bool:
    """Whether ``path`` is a CSV whose header names ``key`` (a top-level ``recordings.csv`` of
    another shape leaves the folder a plain folder)."""
    if not path.is_file():
        return False
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            head = handle.readline()
    except OSError:
        return False
    return key in next(csv.reader([head]), [])


def load(root: Path, layout: str, folder: Path) -> Dataset:
    """Read the metadata in ``folder`` (and, for ChildProject, the annotation index)."""
    ds = Dataset(root=Path(os.path.realpath(root)), layout=layout)
    for table in ("children", "recordings"):
        path = folder / f"{table}.csv"
        rows = _table(path, KEYS[table]) if path.is_file() else {}
        if path.is_file():
            ds.metadata_files.append(path)
        extra_folder = folder / table
        confidential: set[str] = set()
        if layout == "childproject" and extra_folder.is_dir():
            for part in sorted(extra_folder.rglob("*.csv"), key=lambda p: p.name, reverse=True):
                ds.metadata_files.append(part)
                for key, row in _table(part, KEYS[table]).items():
                    confidential |= set(row) - {KEYS[table]}
                    target = rows.setdefault(key, {KEYS[table]: key})
                    target.update({k: v for k, v in row.items() if v is not None})
        setattr(ds, table, rows)
        ds.confidential[table] = sorted(confidential)
    index = folder / "annotations.csv"
    if layout == "childproject" and index.is_file():
        ds.metadata_files.append(index)
        ds.clips = clips(index)
    if layout == "childproject":
        ds.sets = _metannots(ds.root / ANNOTATIONS)
    _check_links(ds)
    return ds


def add_import_list(ds: Dataset, path: str | Path) -> None:
    """Add the annotations of an import list (ChildProject's ``import-annotations`` input: the
    index's columns without ``annotation_filename``) to ``ds``; a clip the index already holds
    (same set, recording and range) is kept once."""
    known = {(c.set, c.recording_filename, c.range_onset, c.range_offset) for c in ds.clips}
    for clip in clips(path):
        key = (clip.set, clip.recording_filename, clip.range_onset, clip.range_offset)
        if key not in known:
            known.add(key)
            ds.clips.append(clip)
    _check_links(ds)


def clips(path: str | Path) -> list[Clip]:
    """The clips listed in an annotation index or import list (a CSV with ``set``,
    ``recording_filename``, ``range_onset``, ``range_offset`` and optionally ``time_seek``,
    ``raw_filename``, ``format``, ``filter``, ``annotation_filename``), or in a dataset's
    ``metadata/annotations.csv`` when ``path`` is the dataset's folder. Times are integer
    milliseconds with ``0 <= range_onset < range_offset`` (ChildProject's rule); anything else is
    a ``ReadError`` naming the file and line."""
    path = Path(path)
    if path.is_dir():
        path = path / METADATA / "annotations.csv"
    header, rows = _rows(path)
    missing = [c for c in INDEX_REQUIRED if c not in header]
    if missing:
        raise ReadError(path, f"not an annotation index: no column(s) {', '.join(missing)}")
    out = []
    for line, row in rows:
        onset = _ms(path, line, row, "range_onset")
        offset = _ms(path, line, row, "range_offset")
        if not 0 <= onset < offset:
            raise ReadError(path, "range_offset must be greater than range_onset >= 0", line)
        if not row.get("set") or not row.get("recording_filename"):
            raise ReadError(path, "a clip needs its set and recording_filename", line)
        seek = _ms(path, line, row, "time_seek", signed=True) if row.get("time_seek") else 0
        out.append(
            Clip(
                set=row["set"],
                recording_filename=row["recording_filename"],
                range_onset=onset,
                range_offset=offset,
                time_seek=seek,
                raw_filename=row.get("raw_filename"),
                annotation_filename=row.get("annotation_filename"),
                format=row.get("format"),
                filter=row.get("filter"),
                where=str(path),
                line=line,
            )
        )
    return out


def date_of(value: str | None) -> date | None:
    """An ISO date (``2020-04-20``), or None when absent or not a date."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def discarded(row: Row | None) -> bool:
    """ChildProject's ``discard``: 1 means left out of analyses (any other value means kept)."""
    value = (row or {}).get("discard")
    try:
        return value is not None and float(value) == 1
    except ValueError:
        return False


def _ms(path: Path, line: int, row: Row, column: str, signed: bool = False) -> int:
    from attunement.io.budget import check_time

    text = (row.get(column) or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise ReadError(path, f"{column} is not a number of milliseconds", line) from None
    if not value.is_integer() or (value < 0 and not signed):
        raise ReadError(path, f"{column} must be a whole number of milliseconds >= 0", line)
    check_time(path, abs(value), line, column)
    return int(value)


def _rows(path: Path) -> tuple[list[str], list[tuple[int, Row]]]:
    """A CSV's header and its rows with their line numbers; ChildProject's missing values
    (``NA``, empty ...) become None."""
    text = decode_text(path, read_bytes(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        rows = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header):
                raise ReadError(path, "more fields than the header names", reader.line_num)
            values = {h: _value(v) for h, v in zip(header, record, strict=False)}
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise ReadError(path, f"not a readable CSV table ({exc})", reader.line_num) from None
    except StopIteration:
        raise ReadError(path, "the file is empty") from None
    return header, rows


def _value(text: str) -> str | None:
    text = text.strip()
    return None if text in NA else text


def _table(path: Path, key: str) -> dict[str, Row]:
    """A metadata table by its key column; a missing or repeated key is a ``ReadError``."""
    header, rows = _rows(path)
    if key not in header:
        raise ReadError(path, f"no {key!r} column (a {path.stem} table needs one)")
    out: dict[str, Row] = {}
    first: dict[str, int] = {}
    for line, row in rows:
        value = row.get(key)
        if value is None:
            raise ReadError(path, f"a row without its {key}", line)
        if value in out:
            raise ReadError(path, f"the {key} of line {first[value]} appears again", line)
        out[value] = {k: v for k, v in row.items() if k}
        first[value] = line
    return out


def _metannots(folder: Path) -> dict[str, dict]:
    """Each set's ``metannots.yml`` (a set may sit in a sub-folder, ``alice/output``)."""
    import yaml

    out: dict[str, dict] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.rglob("metannots.yml")):
        name = path.parent.relative_to(folder).as_posix()
        try:
            loaded = yaml.safe_load(decode_text(path, read_bytes(path))) if path.is_file() else {}
        except (ReadError, yaml.YAMLError):
            loaded = None
        out[name] = loaded if isinstance(loaded, dict) else {}
    return out


def _check_links(ds: Dataset) -> None:
    """Warnings for recordings whose child is not in children.csv and clips whose recording is
    not in recordings.csv (ChildProject refuses to import those)."""
    ds.warnings = [w for w in ds.warnings if not w.startswith(("recording(s) ", "clip(s) "))]
    if ds.children:
        orphans = sorted(
            r for r, row in ds.recordings.items() if (row.get("child_id") or "") not in ds.children
        )
        if orphans:
            ds.warnings.append(
                f"recording(s) whose child_id is not in children.csv: {_listed(orphans)}"
            )
    if ds.recordings:
        unknown = sorted({c.recording_filename for c in ds.clips} - set(ds.recordings))
        if unknown:
            ds.warnings.append(
                f"clip(s) of recordings not in recordings.csv (read, linked to no child): "
                f"{_listed(unknown)}"
            )


def _listed(names: Iterable[str], most: int = 5) -> str:
    names = list(names)
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


# privacy mode (``io.privacy``): what a metadata row keeps. The keys that link rows (child,
# recording, session), values that are numbers, dates or clock times, and ChildProject's closed
# vocabularies; any other value (notes, names, places, languages ...) is dropped.
LINK_KEYS = frozenset({"child_id", "recording_filename", "session_id"})
CLOSED = {
    "child_sex": frozenset("mMfF"),
    "monoling": frozenset("YN"),
    "normative": frozenset("YN"),
    "dob_criterion": frozenset({"extrapolated", "exact", "reported", "innacurate"}),
    "dob_accuracy": frozenset({"day", "week", "month", "year", "other", "innacurate"}),
    "recording_device_type": frozenset(
        {"lena", "usb", "olympus", "babylogger", "izyrec", "unknown"}
    ),
    "start_time_accuracy": frozenset({"second", "minute", "hour", "reliable"}),
}
_SAFE = re.compile(r"[0-9:.+\- ]*(?:T[0-9:.+\-]*)?")


def private_row(row: Row) -> tuple[Row, int]:
    """``row`` as privacy mode keeps it (see ``CLOSED``), and how many values it dropped."""
    kept = {
        k: v
        for k, v in row.items()
        if v is None or k in LINK_KEYS or _SAFE.fullmatch(v) or v in CLOSED.get(k, ())
    }
    return kept, len(row) - len(kept)
