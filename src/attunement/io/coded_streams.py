"""Coded state streams as a CSV: one row per coded stretch of one partner.

Header ``onset,offset,partner,code``; ``onset`` and ``offset`` in seconds from the recording
start (offset >= onset >= 0); ``partner`` is ``child`` or ``caregiver`` (or ``mother`` /
``father``; a role map may add labels), or ``episode`` for an episode label such as a Still-Face
phase (``FF``, ``SF``, ``RE``) given in ``code``. Partner codes become segments of kind
``affect`` with the partner's speaker type; episode rows become ``kind == "episode"`` segments
(speaker type ``UNK``). Rows need not be sorted. A partner label that no map knows is kept as
speaker type ``UNK`` and counted in a warning; a bad row (time not a number, negative or
reversed, empty partner or code) is a ``ReadError`` naming its line (the header is line 1).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from attunement import roles as role_maps
from attunement import segments as seg
from attunement.errors import ReadError
from attunement.io._common import decode_text, read_bytes
from attunement.io.privacy import CODED
from attunement.recording import Recording

FORMAT = "coded_streams"
EXTENSIONS = (".csv",)  # shares .csv with the table reader; claimed by ``sniff`` on the header
DEFAULT_ROLES: dict[str, str] = {
    "child": "CHI",
    "caregiver": "ADU",
    "mother": "FEM",
    "father": "MAL",
}
COLUMNS = ("onset", "offset", "partner", "code")
EPISODE = "episode"
KEEP_PRIVATE = {"speaker_id": frozenset({EPISODE}), "code": CODED}  # io.privacy
MAX_S = 2.0**62 / 1000  # seconds that still fit in int64 milliseconds


def sniff(head: bytes) -> bool:
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().replace(b'"', b"")
    return first.replace(b" ", b"").lower() == b",".join(c.encode() for c in COLUMNS)


def read(path: Path, *, role_map: dict[str, str], keep_text: bool = True) -> list[Recording]:
    """One Recording; duration = the last offset."""
    text = decode_text(path, read_bytes(path))
    try:
        frame = pl.read_csv(
            text.encode(), infer_schema=False, quote_char='"', truncate_ragged_lines=False
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:  # its message may quote a cell
        raise ReadError(
            path,
            f"not a readable CSV ({type(exc).__name__}): check that every row has four fields "
            "and every quote is closed",
        ) from None
    frame = frame.rename({c: c.strip().lower() for c in frame.columns}, strict=False)
    table, warnings = segments_from_frame(frame, path, role_map)
    return [
        Recording(
            id=Path(path).stem,
            path=str(path),
            format=FORMAT,
            segments=table,
            warnings=warnings,
            keep_text=keep_text,
        )
    ]


def segments_from_frame(
    frame: pl.DataFrame, path: str | Path, role_map: dict[str, str]
) -> tuple[pl.DataFrame, list[str]]:
    """The segments table of a partner-table frame, and the reader's warnings."""
    if set(frame.columns) != set(COLUMNS) or len(frame.columns) != len(COLUMNS):
        raise ReadError(
            path,
            f"columns must be {', '.join(COLUMNS)}; found {frame.width} column(s) named otherwise",
            1,
        )
    if frame.height == 0:
        raise ReadError(path, "no rows after the header")
    times = {name: _seconds(frame, name, path) for name in ("onset", "offset")}
    reversed_rows = (times["offset"] < times["onset"]).arg_true()
    if len(reversed_rows):
        row = int(reversed_rows[0])
        raise ReadError(path, "offset is before onset", row + 2)
    labels = {name: frame[name].cast(pl.String).fill_null("").str.strip_chars() for name in COLUMNS}
    for name in ("partner", "code"):
        empty = (labels[name] == "").arg_true()
        if len(empty):
            raise ReadError(path, f"empty {name}", int(empty[0]) + 2)
    partner = labels["partner"]
    is_episode = partner.str.to_lowercase() == EPISODE
    types, unknown = role_maps.apply(partner.filter(~is_episode).to_list(), role_map)
    speaker_type = pl.Series(["UNK"] * frame.height, dtype=pl.String)
    speaker_type = speaker_type.scatter((~is_episode).arg_true(), pl.Series(types, dtype=pl.String))
    table = seg.build(
        pl.DataFrame(
            {
                "segment_onset": (times["onset"] * 1000).round(0).cast(pl.Int64),
                "segment_offset": (times["offset"] * 1000).round(0).cast(pl.Int64),
                "speaker_type": speaker_type,
                "speaker_id": partner,
                "kind": is_episode.replace_strict({True: "episode", False: "affect"}),
                "code": labels["code"],
                "source_line": pl.int_range(2, frame.height + 2, eager=True),
            }
        )
    )
    return table, role_maps.unknown_warning(unknown, "coded-streams partner")


def _seconds(frame: pl.DataFrame, name: str, path: str | Path) -> pl.Series:
    raw = frame[name].cast(pl.String).str.strip_chars()
    numbers = raw.cast(pl.Float64, strict=False)
    bad = (numbers.is_null() | ~numbers.is_finite() | (numbers < 0) | (numbers > MAX_S)).fill_null(
        True
    )
    if bad.any():
        row = int(bad.arg_true()[0])
        raise ReadError(path, f"{name} is not a finite number of seconds >= 0", row + 2)
    return numbers
