"""CSV and Parquet tables: the segments table's own columns, or ChildProject's annotation columns.

Columns are matched by name (extra columns are kept after the core ones):

- times: ``segment_onset`` and ``segment_offset`` in ms (integers, or floats rounded to the ms);
- speaker: the label looked up in the role map is ``lena_speaker`` when present (ChildProject's
  LENA conversion: CHN, FAN, ...), else ``speaker_type`` (CHI, FEM, ChildProject's ``SPEECH``,
  ``NA``), else ``speaker_id``; ``speaker_id`` defaults to that label;
- ``kind``: taken as given when present; otherwise from ChildProject's ``vcm_type`` (``Y``
  crying -> cry, ``L`` laughing -> vegetative) or, for LENA conversions, from
  ``utterances_count``/``cries``/``vfxs`` (the rule of :mod:`attunement.io.lena_codes`); all other
  rows are ``vocal``;
- ``transcription`` (ChildProject) is read as ``text``; ``words`` as the word count.

A table with none of the speaker columns is refused, except ChildProject's annotation tables
(they have ``raw_filename``; ChildProject requires only it and the times, and ALICE's word counts
name no speaker): their segments are ``UNK``, with a warning.

An empty speaker label (``NA`` or blank) maps to ``UNK`` and is counted in a warning.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from pathlib import Path

import polars as pl

from attunement import roles as role_maps
from attunement import segments as seg
from attunement.errors import ReadError
from attunement.io import lena_codes, privacy
from attunement.io._common import read_bytes, refuse_nul
from attunement.recording import Recording

FORMAT = "table"
EXTENSIONS = (".csv", ".parquet", ".pq")
DEFAULT_ROLES: dict[str, str] = {
    **{t: t for t in seg.SPEAKER_TYPES},
    "SPEECH": "UNK",  # ChildProject/VTC: speech of any speaker
    **lena_codes.ROLES,
}
PARQUET_MAGIC = b"PAR1"
MAX_MS = 2.0**62  # times beyond this do not fit in int64 milliseconds
VCM_KINDS = {"Y": "cry", "L": "vegetative"}
# privacy mode (io.privacy): the segments table's code column (coded categories by its contract,
# as in coded streams), ChildProject's coded and numeric annotation columns and LENA's codes
ADDRESSEES = "ACOPTU"  # sorted and comma-joined when several
KEEP_PRIVATE = {
    "code": privacy.CODED,
    **privacy.LENA,
    "lena_speaker": frozenset(lena_codes.ROLES),
    "ling_type": frozenset({"1", "0"}),
    "vcm_type": frozenset("CNYLJU"),
    "lex_type": frozenset({"W", "0"}),
    "mwu_type": frozenset({"M", "1"}),
    "msc_type": frozenset("012SCU"),
    "gra_type": frozenset("GJU"),
    "addressee": frozenset(",".join(c) for n in range(1, 7) for c in combinations(ADDRESSEES, n)),
    **dict.fromkeys(
        (
            "lena_response_count",
            "utterances_length",
            "non_speech_length",
            "child_cry_vfx_len",
            "phonemes",
            "syllables",
        ),
        privacy.NUMBER,
    ),
}


def sniff(head: bytes) -> bool:
    if head.startswith(PARQUET_MAGIC):
        return True
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return b"segment_onset" in first and b"segment_offset" in first


def _load(path: Path) -> pl.DataFrame:
    data = read_bytes(path)
    try:
        if data.startswith(PARQUET_MAGIC):
            return pl.read_parquet(data)
        refuse_nul(path, data, "a CSV table")
        return pl.read_csv(
            data,
            infer_schema_length=None,
            null_values=["NA", ""],
            encoding="utf8",
            schema_overrides={"speaker_id": pl.String, "speaker_type": pl.String},
        )
    except ReadError:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:  # its message may quote a cell
        raise ReadError(
            path,
            f"not a readable CSV/Parquet table ({type(exc).__name__}): check that every row has "
            "the header's fields and every quote is closed",
        ) from None


def _times(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    for name in ("segment_onset", "segment_offset"):
        if name not in frame.columns:
            raise ReadError(path, f"no {name!r} column among the {frame.width} column(s)")
        column = frame[name]
        if not (column.dtype.is_numeric() or column.dtype in (pl.String, pl.Null)):
            raise ReadError(path, f"{name} holds {column.dtype} values, not milliseconds")
        if column.dtype.is_float():
            column = column.round(0)
        try:
            column = column.cast(pl.Int64, strict=True)
        except pl.exceptions.PolarsError:
            numbers = frame[name].cast(pl.Float64, strict=False)
            bad = (numbers.is_null() & frame[name].is_not_null()) | (numbers.abs() > MAX_MS)
            row = int(bad.fill_null(True).arg_true()[0]) if bad.fill_null(True).any() else 0
            raise ReadError(
                path, f"{name} is not a number of milliseconds (below {MAX_MS:.0e})", row + 2
            ) from None
        frame = frame.with_columns(column.alias(name))
    bad = frame.with_row_index("row").filter(
        (pl.col("segment_offset") < pl.col("segment_onset"))
        | pl.col("segment_onset").is_null()
        | pl.col("segment_offset").is_null()
        | (pl.col("segment_onset") < 0)
    )
    if bad.height:
        r = bad.row(0, named=True)
        raise ReadError(
            path,
            f"bad times: onset {r['segment_onset']}, offset {r['segment_offset']} "
            f"(need 0 <= onset <= offset, both present); {bad.height} such row(s)",
            int(r["row"]) + 2,
        )
    return frame


def _numeric(frame: pl.DataFrame, name: str, path: Path) -> pl.Series:
    """Column ``name`` as Float64; a value that is not a number is a ReadError naming its line."""
    numbers = frame[name].cast(pl.Float64, strict=False)
    bad = numbers.is_null() & frame[name].is_not_null()
    if bad.any():
        row = int(bad.arg_true()[0])
        raise ReadError(path, f"{name} is not a number", row + 2)
    return numbers


def _kinds(frame: pl.DataFrame, speaker_types: pl.Series, path: Path) -> pl.Series:
    if "kind" in frame.columns:
        return frame["kind"].cast(pl.String)
    if "lena_speaker" in frame.columns and "utterances_count" in frame.columns:
        return lena_codes.kinds(
            speaker_types,
            _numeric(frame, "utterances_count", path).fill_null(0),
            _nonempty_list(frame, "cries"),
            _nonempty_list(frame, "vfxs"),
        )
    if "vcm_type" in frame.columns:
        return frame["vcm_type"].cast(pl.String).replace_strict(VCM_KINDS, default="vocal")
    return pl.Series("kind", ["vocal"] * frame.height)


def _nonempty_list(frame: pl.DataFrame, column: str) -> pl.Series:
    if column not in frame.columns:
        return pl.Series(column, [False] * frame.height)
    values = frame[column].cast(pl.String).fill_null("[]").str.strip_chars()
    return ~values.is_in(["[]", ""])


def read(path: Path, *, role_map: dict[str, str], keep_text: bool = True) -> list[Recording]:
    """One Recording per table (ChildProject's ``raw_filename`` column is kept, not split on)."""
    frame = _times(_load(path), path)
    label_column = next(
        (c for c in ("lena_speaker", "speaker_type", "speaker_id") if c in frame.columns), None
    )
    unnamed = []
    if label_column is None and "raw_filename" not in frame.columns:
        raise ReadError(path, "no speaker column: need lena_speaker, speaker_type or speaker_id")
    if label_column is None:  # ChildProject requires only raw_filename and times (ALICE's)
        labels = pl.Series("speaker_id", [None] * frame.height, pl.String)
        types, unknown = ["UNK"] * frame.height, Counter()
        unnamed.append(
            f"no speaker column (a ChildProject annotation naming no speaker): all "
            f"{frame.height} segment(s) are speaker_type UNK"
        )
    else:
        labels = frame[label_column].cast(pl.String).fill_null("NA")
        types, unknown = role_maps.apply(labels.to_list(), role_map)
    speaker_types = pl.Series("speaker_type", types)
    speaker_ids = (
        frame["speaker_id"].cast(pl.String).fill_null(labels)
        if "speaker_id" in frame.columns
        else labels
    )
    columns = {
        "segment_onset": frame["segment_onset"],
        "segment_offset": frame["segment_offset"],
        "speaker_type": speaker_types,
        "speaker_id": speaker_ids.alias("speaker_id"),
        "kind": _kinds(frame, speaker_types, path).alias("kind"),
        "source_line": pl.int_range(2, frame.height + 2, eager=True),
    }
    if "transcription" in frame.columns and "text" not in frame.columns:
        columns["text"] = frame["transcription"].cast(pl.String)
    rest = [c for c in frame.columns if c not in columns and c not in ("transcription",)]
    if not keep_text:
        rest = [c for c in rest if c not in ("text", "utterances")]
    table = pl.DataFrame(columns).hstack(frame.select(rest))
    try:
        table = seg.build(table, keep_text=keep_text)
    except (seg.SegmentsError, pl.exceptions.PolarsError) as exc:  # it may quote values
        detail = str(exc) if keep_text else "a speaker_type, kind or time outside the contract"
        raise ReadError(path, f"not a valid segments table: {detail}") from None
    return [
        Recording(
            id=path.stem,
            path=str(path),
            format=FORMAT,
            segments=table,
            warnings=unnamed + role_maps.unknown_warning(unknown, "table"),
            keep_text=keep_text,
        )
    ]
