"""Praat TextGrid reader (praatio), long and short text formats, UTF-8, UTF-16 or Latin-1.

* **Interval tiers.** Every labelled interval is one segment: ``speaker_id`` is the tier name
  with its padding whitespace stripped (``"  CHI "`` -> ``CHI``), ``text`` the label, ``kind``
  ``vocal``; times are seconds rounded to the nearest millisecond (ties to even). Intervals with
  an empty or blank label are the gaps Praat writes to fill a tier between annotations: they are
  not segments, and not counted. ``source_line`` is null (praatio reports no positions).
* **Point tiers** (``TextTier``) hold instants, not stretches: they are not read, and their
  points are counted in a warning.
* **Roles.** The ACLEW DAS tier names of the EAF reader (``CHI``, ``FA1``-``FA8``, ``MA1``-``MA5``,
  ``FC1``-``FC4``, ``MC1``-``MC4``, ``UC1``-``UC6``, ``C1``, ``C2``, ``EE1``), the CHAT codes
  ``CHI``, ``MOT``, ``FAT``, ``SIS``, ``BRO``, and the words ``Child`` and ``Target_Child``
  (-> ``CHI``: in a TextGrid a tier ``Child`` is almost always the recorded child), ``Mother``,
  ``Mom`` (``FEM``), ``Father``, ``Dad`` (``MAL``), ``Sister``, ``Brother`` (``OCH``). Matching is
  exact (case-sensitive); anything else is ``UNK`` and counted in a warning unless a user map
  names it. ACLEW non-speaker tiers (``code``, ``context``, ``notes`` ...) are kind ``episode``
  rows as in the EAF reader.
* **Encodings.** praatio reads UTF-16 (with its byte-order mark) and UTF-8. A file that is neither
  is read as ISO Latin-1, which is what Praat itself does (older Praat versions wrote Latin-1),
  with a warning.
* **Checks praatio does not make.** The number of tiers and of intervals/points that the file
  declares must match what was read: a truncated file is a ``ReadError``, not a shorter table.
  Repeated tier names (praatio refuses them) are read as one speaker, with a warning.

``duration_ms`` is the TextGrid's ``xmax``.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl
from praatio import textgrid
from praatio.utilities.errors import DuplicateTierName

from attunement import segments as seg
from attunement.errors import ReadError
from attunement.io._common import read_bytes, refuse_nul
from attunement.io.eaf import ACLEW_ROLES, NON_SPEAKER_TIERS, speaker_columns
from attunement.recording import Participant, Recording

FORMAT = "textgrid"
EXTENSIONS = (".textgrid",)
DEFAULT_ROLES: dict[str, str] = {
    **ACLEW_ROLES,
    "MOT": "FEM",
    "FAT": "MAL",
    "SIS": "OCH",
    "BRO": "OCH",
    "Child": "CHI",
    "Target_Child": "CHI",
    "Mother": "FEM",
    "Mom": "FEM",
    "Father": "MAL",
    "Dad": "MAL",
    "Sister": "OCH",
    "Brother": "OCH",
}
KEEP_PRIVATE = {"speaker_id": NON_SPEAKER_TIERS, "code": NON_SPEAKER_TIERS}  # io.privacy
_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_TIER_COUNT = re.compile(r"<exists>\s*(?:size\s*=\s*)?(\d+)")
_LONG_SIZE = re.compile(r"^\s*(?:intervals|points)\s*:\s*size\s*=\s*(\d+)", re.MULTILINE)
_SHORT_SIZE = re.compile(
    r'^"(?:IntervalTier|TextTier)"\s*\n\s*"(?:[^"]|"")*"\s*\n.*\n.*\n\s*(\d+)', re.MULTILINE
)
_HEADER_SPAN = re.compile(r'"TextGrid"\s*(?:xmin\s*=\s*)?(\S+)\s*(?:xmax\s*=\s*)?(\S+)')
_MAX_SECONDS = 1e12


def sniff(head: bytes) -> bool:
    if head.startswith(_BOMS):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    return b"ooTextFile" in head and b"TextGrid" in head


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-16 with a BOM, else UTF-8, else Latin-1 (as Praat does)."""
    if data.startswith(_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            problem = f"not valid UTF-16 text ({exc.reason} at byte {exc.start})"
            raise ReadError(path, problem) from None
    refuse_nul(path, data, "a text TextGrid")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _open(path: Path, text: str, encoding: str):
    """praatio's Textgrid and whether tier names were repeated (then renamed NAME_2 ...)."""
    source = path
    with tempfile.TemporaryDirectory() as tmp:
        if encoding == "latin-1":  # praatio reads only UTF-8 and UTF-16: hand it UTF-8
            source = Path(tmp) / "latin1.TextGrid"
            source.write_text(text, encoding="utf-8")
        for mode in ("error", "rename"):
            try:
                grid = textgrid.openTextgrid(  # silence: its "warning" mode prints to stdout
                    str(source),
                    includeEmptyIntervals=True,
                    reportingMode="silence",
                    duplicateNamesMode=mode,
                )
                return grid, mode == "rename", _span_notes(text, grid)
            except DuplicateTierName:
                continue
            except Exception as exc:  # praatio raises ParsingError, IndexError, ValueError ...
                raise ReadError(  # praatio's message is left out: it may quote a label
                    path,
                    f"praatio could not read this TextGrid ({type(exc).__name__}{_why(exc)}); "
                    "open it in Praat and save it again as a text file",
                ) from None
    raise AssertionError("unreachable: rename mode never raises DuplicateTierName")


def _why(exc: Exception) -> str:
    """What praatio's error says, without the labels it may quote."""
    if "overlap" in str(exc):
        return ": two intervals of one tier overlap in time"
    return ""


def _span_notes(text: str, grid) -> list[str]:
    """What praatio's warning mode would print: tiers reaching outside the header's xmin-xmax
    (the TextGrid's span then grows to hold them)."""
    found = _HEADER_SPAN.search(text)
    try:
        xmin, xmax = float(found[1]), float(found[2])
    except (TypeError, ValueError):
        return []
    notes = []
    if grid.minTimestamp < xmin:
        notes.append(
            f"Minimum timestamp in Textgrid changed from ({xmin}) to ({grid.minTimestamp})"
        )
    if grid.maxTimestamp > xmax:
        notes.append(
            f"Maximum timestamp in Textgrid changed from ({xmax}) to ({grid.maxTimestamp})"
        )
    return notes


def _check_counts(path: Path, text: str, grid) -> None:
    """The declared number of tiers and of entries per tier must be what praatio read."""
    tiers = [grid.getTier(name) for name in grid.tierNames]
    declared = _TIER_COUNT.search(text)
    if declared and int(declared.group(1)) != len(tiers):
        raise ReadError(
            path,
            f"the header declares {declared.group(1)} tier(s) but {len(tiers)} could be "
            "read: the file is truncated or malformed",
        )
    short = "ooTextFile short" in text or "item [" not in text
    sizes = [int(n) for n in (_SHORT_SIZE if short else _LONG_SIZE).findall(text)]
    if 0 < len(sizes) < len(tiers):  # praatio keeps a tier cut before its size as an empty one
        raise ReadError(
            path,
            f"{len(tiers)} tier(s) but only {len(sizes)} declare their number of entries: "
            "the file is truncated or malformed",
        )
    if len(sizes) != len(tiers):
        return  # a layout the size patterns do not know: trust praatio
    for number, (tier, size) in enumerate(zip(tiers, sizes, strict=True), start=1):
        if len(tier.entries) != size:
            raise ReadError(
                path,
                f"tier number {number} declares {size} entries but "
                f"{len(tier.entries)} could be read: the file is truncated or malformed",
            )


def _ms(path: Path, seconds: pl.Series) -> pl.Series:
    bad = ~seconds.is_finite() | (seconds < 0) | (seconds > _MAX_SECONDS)
    if bad.any():
        raise ReadError(path, f"time {seconds.filter(bad)[0]} s is not a usable time")
    return (seconds * 1000).round().cast(pl.Int64)


def read(path: Path, *, role_map: dict[str, str], keep_text: bool = True) -> list[Recording]:
    """One Recording: the labelled intervals of every interval tier."""
    data = read_bytes(path)
    if data.lstrip().startswith(b"ooBinaryFile"):
        raise ReadError(path, "a binary TextGrid: in Praat, save it as a text file and read that")
    text, encoding = _decode(path, data)
    grid, renamed, notes = _open(path, text, encoding)
    _check_counts(path, text, grid)

    warnings_: list[str] = []
    if encoding == "latin-1":
        warnings_.append("not UTF-8 or UTF-16: read as ISO Latin-1, as Praat does")
    if notes:
        detail = f": {'; '.join(n[:200] for n in notes)}" if keep_text else ""
        warnings_.append(f"praatio reported {len(notes)} problem(s){detail}")
    names, starts, ends, labels = [], [], [], []
    points: Counter = Counter()
    repeated: set[str] = set()
    for raw in grid.tierNames:
        tier = grid.getTier(raw)
        name = tier.name.strip()
        if renamed and (m := re.fullmatch(r"(.*)_\d+", tier.name)) and m.group(1) in grid.tierNames:
            name = m.group(1).strip()
            repeated.add(name)
        if tier.tierType != "IntervalTier":
            points[name] += len(tier.entries)
            continue
        kept = [e for e in tier.entries if e.label]
        names += [name] * len(kept)
        starts += [e.start for e in kept]
        ends += [e.end for e in kept]
        labels += [e.label for e in kept]
    if repeated:
        listed = ", ".join(sorted(repeated))
        warnings_.append(f"tier name(s) used by more than one tier, read as one speaker: {listed}")
    if points:
        listed = ", ".join(f"{t!r} ×{n}" for t, n in points.most_common())
        warnings_.append(
            f"{len(points)} point tier(s) hold instants, not stretches, and were not read "
            f"({sum(points.values())} point(s)){f': {listed}' if keep_text else ''}"
        )
    rows = pl.DataFrame(
        {
            "speaker_id": names,
            "onset": pl.Series(starts, dtype=pl.Float64),
            "offset": pl.Series(ends, dtype=pl.Float64),
            "text": labels,
        },
        schema={
            "speaker_id": pl.String,
            "onset": pl.Float64,
            "offset": pl.Float64,
            "text": pl.String,
        },
    )
    roles, speakers, notes = speaker_columns(rows, role_map, "TextGrid")
    table = seg.build(
        rows.select(
            segment_onset=_ms(path, rows["onset"]),
            segment_offset=_ms(path, rows["offset"]),
            speaker_id="speaker_id",
            text="text",
            **roles,
        ),
        keep_text=keep_text,
    )
    return [
        Recording(
            id=path.stem,
            path=str(path),
            format=FORMAT,
            segments=table,
            duration_ms=int(_ms(path, pl.Series([float(grid.maxTimestamp)]))[0]),
            participants=[
                Participant(id=name, role="", speaker_type=kind) for name, kind in speakers
            ],
            warnings=warnings_ + notes,
            extra={"encoding": encoding, "tiers": len(grid.tierNames)},
            keep_text=keep_text,
        )
    ]
