"""The segments table: every reader's output and every measure's input (DESIGN.md, "data model").

One row per annotated stretch of a recording, times in integer milliseconds from the recording
start, half-open ``[segment_onset, segment_offset)``. Column names follow ChildProject's
annotation conventions so that tables move freely between the two ecosystems. Readers may add
source-specific columns (``lena_block_number``, ``addressee``, ``vcm`` ...) after the core ones.

CHAT lines without a media bullet are kept with null onset and offset ("untimed"); they sort
after every timed row, in source order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from attunement.errors import DataError

SPEAKER_TYPES: tuple[str, ...] = (
    "CHI",  # key child
    "OCH",  # other child
    "FEM",  # female adult
    "MAL",  # male adult
    "ADU",  # adult of unknown sex
    "ELE",  # electronic media
    "OVL",  # overlap
    "NOI",  # noise
    "SIL",  # silence
    "UNK",  # unknown
)
ADULT_TYPES: frozenset[str] = frozenset({"FEM", "MAL", "ADU"})

KINDS: tuple[str, ...] = ("vocal", "cry", "vegetative", "affect", "gaze", "behaviour", "episode")

SpeakerType = pl.Enum(list(SPEAKER_TYPES))
Kind = pl.Enum(list(KINDS))

SCHEMA: dict[str, pl.DataType] = {
    "segment_onset": pl.Int64(),
    "segment_offset": pl.Int64(),
    "speaker_type": SpeakerType,
    "speaker_id": pl.String(),
    "kind": Kind,
    "code": pl.String(),
    "words": pl.Float64(),
    "text": pl.String(),
    "source_line": pl.Int64(),
}
CORE_COLUMNS: tuple[str, ...] = tuple(SCHEMA)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "segment_onset",
    "segment_offset",
    "speaker_type",
    "speaker_id",
    "kind",
)


class SegmentsError(DataError):
    """A table does not satisfy the segments-table contract; the message says which rows."""


def empty() -> pl.DataFrame:
    """An empty segments table with the full schema."""
    return pl.DataFrame(schema=SCHEMA)


def build(
    columns: Mapping[str, Sequence | pl.Series] | pl.DataFrame,
    *,
    keep_text: bool = True,
    sort: bool = True,
) -> pl.DataFrame:
    """Make a valid segments table from columns (lists, Series or a frame).

    Missing optional core columns are added as nulls; ``speaker_type`` and ``kind`` strings are
    checked against the vocabularies above; rows are stably sorted by onset (untimed rows last)
    unless ``sort=False``. With ``keep_text=False`` the ``text`` column is all null.
    """
    frame = columns if isinstance(columns, pl.DataFrame) else pl.DataFrame(dict(columns))
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise SegmentsError(f"missing required column(s): {', '.join(missing)}")
    _check_vocabulary(frame, "speaker_type", SPEAKER_TYPES)
    _check_vocabulary(frame, "kind", KINDS)
    extras = [c for c in frame.columns if c not in SCHEMA]
    absent = set(SCHEMA) - set(frame.columns) | (set() if keep_text else {"text"})
    core = [
        (pl.lit(None) if name in absent else pl.col(name)).cast(dtype, strict=True).alias(name)
        for name, dtype in SCHEMA.items()
    ]
    query = frame.lazy().select(*core, *extras)
    if sort:
        query = query.sort(["segment_onset", "source_line"], nulls_last=True, maintain_order=True)
    frame = query.collect()  # one polars pass: each collect costs ~0.3 ms on a small table
    validate(frame)
    return frame


def _check_vocabulary(frame: pl.DataFrame, column: str, allowed: Sequence[str]) -> None:
    if isinstance(frame.schema[column], pl.Enum) and frame.schema[column] == SCHEMA[column]:
        return
    values = frame.get_column(column).cast(pl.String)
    bad = values.filter(~values.is_in(list(allowed)) | values.is_null()).unique().to_list()
    if bad:
        raise SegmentsError(
            f"unknown {column} value(s) {sorted(map(str, bad))}; allowed: {', '.join(allowed)}"
        )


def validate(frame: pl.DataFrame) -> None:
    """Check the contract: schema, offset >= onset, onset and offset both set or both null,
    and rows sorted by onset with untimed rows last. Raises ``SegmentsError``."""
    for name, dtype in SCHEMA.items():
        if name not in frame.columns:
            raise SegmentsError(f"missing column {name!r}")
        if frame.schema[name] != dtype:
            raise SegmentsError(f"column {name!r} is {frame.schema[name]}, expected {dtype}")
    onset, offset = pl.col("segment_onset"), pl.col("segment_offset")
    flags = frame.select(  # every check in one polars pass
        half=(onset.is_null() != offset.is_null()).arg_true().first(),
        backwards=(offset < onset).fill_null(False).arg_true().first(),
        untimed_before=(onset.is_not_null() & onset.shift(1).is_null()).slice(1).any(),
        unsorted=(onset.drop_nulls().diff() < 0).any(),
    ).row(0, named=True)
    if flags["half"] is not None:
        raise SegmentsError(
            f"row {flags['half']}: onset and offset must both be set or both be null"
        )
    if flags["backwards"] is not None:
        row = flags["backwards"]
        raise SegmentsError(
            f"row {row} (source line {frame['source_line'][row]}): offset "
            f"{frame['segment_offset'][row]} < onset {frame['segment_onset'][row]}"
        )
    if flags["untimed_before"]:
        raise SegmentsError("untimed rows (null onset) must come after every timed row")
    if flags["unsorted"]:
        raise SegmentsError("rows are not sorted by segment_onset")


def timed(frame: pl.DataFrame) -> pl.DataFrame:
    """Only the rows that have times (the table itself when every row has them)."""
    if frame["segment_onset"].null_count() == 0:
        return frame
    return frame.filter(pl.col("segment_onset").is_not_null())
