"""LENA .its reader: every ``<Segment>`` of a LENA Pro export, one row each.

An .its file (LENA Foundation, ITS schema 4.x) holds one or more ``<Recording>`` pieces (the
recorder was paused between them) under ``<ProcessingUnit>``; each piece is a run of
``<Conversation>`` and ``<Pause>`` blocks; each block a run of ``<Segment spkr=...>``. Segment
times (``startTime="PT12.34S"``, ISO-8601 durations) count audio time and are already cumulative
over the pieces: piece 2 starts where piece 1 ended, so all pieces share one timeline and the
clock gap between them is not in it. The clock time of a segment is its piece's
``startClockTime`` plus ``onset - start_ms`` of that piece (``extra["recordings"]``), given on
the family's local clock: converted from UTC by the offset LENA recorded at transfer
(``TransferTime`` LocalTime - UTCTime), so that clock bins fall on local hours.

Speaker codes (``speaker_id``; LENA Technical Report LTR-03-2, Xu, Yapanel & Gray 2009): CH key
child, FA female adult, MA male adult, CX other child, OL overlapping sounds, TV electronic media,
NO noise, SIL silence. The last letter is N for near (clear, loud) and F for far (faint, distant
or unclear); LENA counts words, utterances and turns only on near segments. Default map:
CHN/CHF -> CHI, FAN/FAF -> FEM, MAN/MAF -> MAL, CXN/CXF -> OCH, OLN/OLF -> OVL, TVN/TVF -> ELE,
NON/NOF -> NOI, SIL -> SIL (``lena_codes.ROLES``, shared with the ChildProject-CSV reader).

``kind`` (``lena_codes.kinds``): a key-child segment with ``childUttCnt > 0`` is ``vocal``; one
without utterances is ``cry`` when it has cry time, else ``vegetative`` (VFX, LENA's vegetative
and fixed signals, or nothing); every other segment is ``vocal`` and its ``speaker_type`` says
whether it is speech, overlap, media, noise or silence. ``text`` is always null (no transcript).

Extra columns: ``recording_number`` (1-based position of the ``<Recording>`` piece);
``lena_block_number`` (1-based index of the enclosing block over the whole file, conversations
and pauses counted together; ChildProject uses the block's own ``num``, which restarts for each
type); ``lena_block_type``
(``conversation``/``pause``); from ``conversationInfo="|BC|3|1|1|AICF|TIFR|FI|"`` the status
(BC/RC/EC), the turn tag ``lena_conv_turn_type`` (TIFI/TIFR/TIMI/TIMR/TIFE/TIME/NT) and the floor
type (FI/FH); ``utterances_count`` (``childUttCnt``, or the number of ``<UTT>`` elements in the
older layout); ``cry_ms``, ``vfx_ms`` (summed cry and VFX intervals, given as
``startCry1``/``endCry1`` attributes or as ``<CRY>``/``<VFX>`` child elements); ``cry_vfx_ms``
(LENA's ``childCryVfxLen``, their sum); ``average_db``, ``peak_db``. ``words`` is
``femaleAdultWordCnt + maleAdultWordCnt`` as LENA gives them (fractional); 0 on far adult
segments (FAF/MAF), where LENA counts no words; null on every non-adult segment. Times are
converted from the decimal string, rounded half up to the ms.

LENA's own totals go to ``extra["lena_totals"]`` (sums over ``<Conversation>``: ``ctc`` of
``turnTaking``, ``cvc`` of ``childUttCnt``, ``awc`` of ``adultWordCnt``; LENA's reports show AWC
rounded to whole words) and each block to ``extra["blocks"]``.

Two paths read a file into the same strings (``_Parts``), typed by the same code after, so they
give the same Recording (the tests check it on both real files, on small files of each layout
and on byte-flipped files). The tree path (``_walk``) builds an ElementTree (``parse_xml``) and
reads anything expat reads. The byte path (``_scan``) serves UTF-8 files of the newer layout
(both real exports): expat only checks that the file is well-formed and safe (``check_xml``, no
tree), regular expressions and numpy find the tags and their attribute strings (outside
comments), polars takes the attributes out of the strings; anything unusual (older layout,
UTF-16, CDATA, a DOCTYPE subset, attributes not written ``name="value"``, an odd nesting) is
left to the tree path. Why: on the 3 MB file (12,732 segments; 2-core VM, Python 3.11, polars
2.1) the tree alone takes 46-58 ms and the tree path ~105 ms in all (median; ChildProject 0.4.6's
``ItsConverter.convert``: ~0.38 s, 3.5x slower), where the byte path takes ~71 ms (median over
interleaved runs on a busy machine, best ~60; ChildProject 5.3-5.5x slower): ``check_xml`` 19 ms,
the byte scans ~15 ms, the shared typing ~13 ms, and ~35 ms of CPU for the polars queries, which
run on a second thread meanwhile (expat holds the GIL as it parses, polars lets it go).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple
from xml.etree.ElementTree import Element

import numpy as np
import polars as pl

from attunement import roles as role_maps
from attunement import segments as seg
from attunement.errors import ReadError
from attunement.io import lena_codes, privacy
from attunement.io._common import check_xml, parse_xml, read_bytes
from attunement.recording import Participant, Recording

FORMAT = "its"
EXTENSIONS = (".its",)
DEFAULT_ROLES: dict[str, str] = dict(lena_codes.ROLES)
DESCRIPTIONS: dict[str, str] = {
    "CHN": "key child, near",
    "CHF": "key child, far",
    "FAN": "female adult, near",
    "FAF": "female adult, far",
    "MAN": "male adult, near",
    "MAF": "male adult, far",
    "CXN": "other child, near",
    "CXF": "other child, far",
    "OLN": "overlap, near",
    "OLF": "overlap, far",
    "TVN": "electronic media, near",
    "TVF": "electronic media, far",
    "NON": "noise, near",
    "NOF": "noise, far",
    "SIL": "silence",
}

# privacy mode (io.privacy): LENA's codes and numbers, block types in extra, role descriptions
KEEP_PRIVATE = {
    **privacy.LENA,
    "recording_number": privacy.NUMBER,
    "cry_ms": privacy.NUMBER,
    "vfx_ms": privacy.NUMBER,
    "cry_vfx_ms": privacy.NUMBER,
    "conv_type": privacy.LENA_CONVERSATIONS,
    "role": frozenset(DESCRIPTIONS.values()),
}

# Segment attributes read for every row, in this order.
_KEYS = (
    "spkr",
    "startTime",
    "endTime",
    "conversationInfo",
    "femaleAdultWordCnt",
    "maleAdultWordCnt",
    "childUttCnt",
    "childCryVfxLen",
    "average_dB",
    "peak_dB",
)
_NUMBERS = {
    "femaleAdultWordCnt": pl.Float64,
    "maleAdultWordCnt": pl.Float64,
    "childUttCnt": pl.Int64,
    "average_dB": pl.Float64,
    "peak_dB": pl.Float64,
}
_BLOCK_TYPES = {"Conversation": "conversation", "Pause": "pause"}
# Newer layout: startUtt1/endUtt1, startCry1/endCry1, startVfx1/endVfx1 segment attributes.
_INTERVAL_ATTRIBUTE = re.compile(r"start(Utt|Cry|Vfx)(\d*)")
# Older layout: one <UTT>/<CRY>/<VFX> child element per interval, with start.../end... attributes.
_INTERVAL_ELEMENT = {"UTT": "Utt", "CRY": "Cry", "VFX": "Vfx"}
# ISO-8601 duration as LENA writes it, in seconds: PT12.34S, P0.94S.
_DURATION = r"^PT?\d{1,12}(?:\.\d*)?S$"
_CONV_INFO = r"^\|([^|]*)\|(?:[^|]*\|){4}([^|]*)\|([^|]*)\|"
_AGE = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?")
_INTERVAL_SCHEMA = {"row": pl.Int64, "what": pl.String, "start": pl.String, "end": pl.String}
_BLOCK_KEYS = ("type", "startTime", "endTime", "turnTaking", "childUttCnt", "adultWordCnt")
# Header elements read (ElementTree paths below the root), named by their last step.
_HEADER = ("TransferTime", "RecordingInformation/Audio/TimeZone", "ChildInfo", "PrimaryChild")

# The byte path (``_scan``).
_BOM = b"\xef\xbb\xbf"
_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)")
_OLDER_LAYOUT = (b"UTT", b"CRY", b"VFX")
_EXTERNAL_DOCTYPE = re.compile(rb"<!DOCTYPE\s[^\[>]*>")
# Tags of at most 4096 bytes (LENA's are below 1000); bounded so that no input makes the scan
# quadratic. A longer tag is not matched, and ``_tag_scan`` then leaves the file to the tree path.
_SEGMENT_TAG = re.compile(rb"<Segment(?=[\s/>])([^>]{0,4096})>")
_OTHER_TAG = re.compile(rb"<(?!Segment[\s/>])(/?)([^\s/>!?]{1,256})([^>]{0,4096})>")
_BLOCK_TAGS = (b"Conversation", b"Pause")
# Attributes as LENA writes them: name="value", each value on one line, without '=' (so that
# ' name="' can only start an attribute, never sit inside a value).
_PLAIN = r'(?:\s+[^\s="]+="[^"\t\n\r=]*")*\s*'
_PLAIN_TAG = re.compile(_PLAIN + "/?")
_ATTRIBUTE = re.compile(r'([^\s="]+)="([^"]*)"')
# startUtt1="PT1.10S" endUtt1="PT1.60S": LENA writes each start right before its end; a
# startUtt, startCry or startVfx not so followed matches with empty groups.
_INTERVAL_PAIR = re.compile(
    rb'start(?:(Utt|Cry|Vfx)(\d*)="([^"]{0,4096})"\s+end\1\2="([^"]{0,4096})"|Utt|Cry|Vfx)'
)
_NOT_TAGS = np.frombuffer(b"!?", dtype=np.uint8)
_SPACE = np.frombuffer(b" \t\n\r\x0b\x0c", dtype=np.uint8)
_REFERENCE = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def sniff(head: bytes) -> bool:
    return re.search(rb"<ITS[\s/>]", head) is not None


def duration_ms(column: str) -> pl.Expr:
    """LENA durations (``PT12.34S``, ``P0.94S``: seconds only) in a string column as int ms,
    rounded half up; null where missing or of another form. Integer arithmetic on the decimal
    digits, so ``PT0.1S`` is exactly 100 and ``PT0.0005S`` is 1 (no float error): the first four
    decimals d give ``(d + 5) // 10`` ms. No capture groups: 2x faster than ``extract_groups``."""
    value = pl.col(column)
    parts = value.str.strip_chars_start("PT").str.strip_suffix("S").str.split_exact(".", 1)
    seconds = parts.struct.field("field_0").cast(pl.Int64, strict=False)
    decimals = parts.struct.field("field_1").fill_null("").str.pad_end(4, "0").str.slice(0, 4)
    ms = seconds * 1000 + (decimals.cast(pl.Int64, strict=False) + 5) // 10
    return pl.when(value.str.contains(_DURATION)).then(ms).alias(column)


def to_ms(values: list[str | None]) -> list[int | None]:
    """``duration_ms`` for a list of strings."""
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(duration_ms("v")).to_series().to_list()


class _Parts(NamedTuple):
    """What either path takes from the file; all that follows is shared."""

    segments: pl.DataFrame  # _segment_plan of the <Segment> attribute strings, in file order
    intervals: pl.DataFrame  # _interval_plan: row (in segments), Utt|Cry|Vfx, start, end
    blocks: pl.DataFrame  # _block_plan of the <Conversation>/<Pause> attribute strings
    segment_block: np.ndarray  # 0-based row in ``blocks`` of each segment
    pieces: list[dict[str, str]]  # attributes of each <Recording> piece
    header: dict[str, dict[str, str] | None]  # attributes of the root ("ITS") and of _HEADER
    lines: list[int] | None  # 1-based line of each segment; None if the tags cannot be matched
    skipped: Counter


def read(path: Path, *, role_map: dict[str, str], keep_text: bool = True) -> list[Recording]:
    """The one Recording of an .its file (all ``<Recording>`` pieces on one timeline)."""
    data = read_bytes(path)
    parts = _scan(path, data)
    return [_recording(path, parts or _walk(path, data), role_map, keep_text)]


def _recording(path: Path, parts: _Parts, role_map: dict[str, str], keep_text: bool) -> Recording:
    """The typed table and metadata, from either path's strings."""
    lines = parts.lines
    frame, unsorted = _segment_columns(path, parts.segments, lines)
    frame = frame.with_columns(_interval_columns(path, parts.intervals, frame, lines))
    block_frame = _block_frame(path, parts.blocks)
    frame = frame.with_columns(
        block_frame.select(
            "recording_number",
            pl.col("block_number").alias("lena_block_number"),
            pl.col("type").alias("lena_block_type"),
        )[parts.segment_block]
    )
    labels = frame["speaker_id"].unique(maintain_order=True).to_list()
    mapped, unknown = role_maps.apply(labels, role_map)
    counts = dict(frame["speaker_id"].value_counts().iter_rows())
    unknown = Counter({label: counts[label] for label in unknown})
    types = frame["speaker_id"].replace_strict(labels, mapped, return_dtype=pl.String)
    adult = types.is_in(["FEM", "MAL", "ADU"])
    frame = frame.with_columns(
        speaker_type=types,
        words=pl.when(adult).then(frame["words"].fill_null(0.0)).otherwise(frame["words"]),
        kind=lena_codes.kinds(
            types,
            frame["utterances_count"],
            frame["cry_ms"].fill_null(0) > 0,
            frame["vfx_ms"].fill_null(0) > 0,
        ),
        source_line=pl.Series(lines, dtype=pl.Int64) if lines else pl.lit(None, pl.Int64),
    )
    table = seg.build(frame, keep_text=keep_text, sort=unsorted)  # LENA's are in order

    recordings = _pieces(path, parts.pieces)
    header = parts.header
    local_offset, zone = _time_zone(header["TransferTime"], header["TimeZone"])
    if local_offset is not None:  # the same instants, on the family's clock (bins by local hour)
        local = timezone(local_offset)
        for r in recordings:
            for key in ("start_clock", "end_clock"):
                if r[key] is not None:
                    r[key] = r[key].astimezone(local)
    start = recordings[0]["start_clock"]
    age, warnings = _age_days(header["ChildInfo"], header["PrimaryChild"], start)
    warnings = role_maps.unknown_warning(unknown, "LENA .its") + warnings
    skipped = +parts.skipped  # drop zero counts
    if skipped:
        listed = ", ".join(f"{what} ×{n}" for what, n in skipped.most_common())
        warnings.append(f"skipped elements the .its reader does not use: {listed}")
    if lines is None:
        warnings.append("could not match <Segment> tags to file lines; source_line is empty")
    totals = block_frame.filter(pl.col("type") == "conversation")
    kept = block_frame.select(
        "block_number", "type", "conv_type", "onset_ms", "offset_ms", "turn_taking"
    )
    return Recording(
        id=path.stem,
        path=str(path),
        format=FORMAT,
        segments=table,
        start=start,
        duration_ms=recordings[-1]["end_ms"],
        child_age_days=age,
        participants=[
            Participant(code, DESCRIPTIONS.get(code, ""), role_map.get(code, "UNK"))
            for code in labels
        ],
        warnings=warnings,
        extra={
            "its_version": header["ITS"].get("version"),
            "recordings": [
                {**r, "start_clock": _iso(r["start_clock"]), "end_clock": _iso(r["end_clock"])}
                for r in recordings
            ],
            "time_zone": zone,
            "blocks": kept.to_dicts(),
            "lena_totals": {
                "ctc": int(totals["turn_taking"].sum()),
                "cvc": int(totals["child_utt_cnt"].sum()),
                "awc": round(float(totals["adult_word_cnt"].sum()), 2),
            },
        },
        keep_text=keep_text,
    )


# ---- the tree path: any .its file expat reads ----


def _walk(path: Path, data: bytes) -> _Parts:
    """The strings of an .its file, from its ElementTree (``parse_xml``)."""
    root = parse_xml(path, data)
    if root.tag != "ITS":
        raise ReadError(path, "the root element is not <ITS>: not a LENA .its file")
    pieces = root.findall("./ProcessingUnit/Recording")
    if not pieces:
        raise ReadError(path, "no <Recording> under <ProcessingUnit>: not a LENA .its export")

    skipped: Counter = Counter()
    segments: list[Element] = []
    segment_block: list[int] = []
    blocks: list[tuple[Element, int]] = []
    for number, piece in enumerate(pieces, start=1):
        for block in piece:
            if block.tag not in _BLOCK_TYPES:
                skipped[f"<{block.tag}> in <Recording>"] += 1
                skipped["<Segment> outside a block"] += len(block.findall(".//Segment"))
                continue
            found = block.findall("Segment")
            if len(found) != len(block):
                skipped.update(f"<{e.tag}> in <{block.tag}>" for e in block if e.tag != "Segment")
            segment_block += [len(blocks)] * len(found)
            segments += found
            blocks.append((block, number))
    if not segments:
        raise ReadError(path, "no <Segment> in the <Conversation>/<Pause> blocks: nothing to read")

    attrs = [segment.attrib for segment in segments]
    raw = pl.from_dicts(attrs, schema=dict.fromkeys(_KEYS, pl.String))
    block_raw = pl.from_dicts(
        [block.attrib for block, _ in blocks], schema=dict.fromkeys(_BLOCK_KEYS, pl.String)
    )
    tags = pl.Series("tag", [block.tag for block, _ in blocks], dtype=pl.String)
    numbers = pl.Series("recording_number", [n for _, n in blocks], dtype=pl.Int64)
    found = {"ITS": root, **{where.rsplit("/")[-1]: root.find(".//" + where) for where in _HEADER}}
    text, opens = _opens(data)
    offsets = _segment_offsets(text, opens)
    offsets = offsets[_outside(offsets, _comments(data, text, opens))]
    typed, block_typed, intervals = _collect(
        [
            _segment_plan(raw.lazy()),
            _block_plan(block_raw.with_columns(tags, numbers).lazy()),
            _interval_plan(_intervals(segments, attrs, raw, skipped).lazy()),
        ]
    )
    return _Parts(
        segments=typed,
        intervals=intervals,
        blocks=block_typed,
        segment_block=np.asarray(segment_block, dtype=np.int64),
        pieces=[dict(piece.attrib) for piece in pieces],
        header={name: None if e is None else dict(e.attrib) for name, e in found.items()},
        lines=_lines(data, offsets) if len(offsets) == len(attrs) else None,
        skipped=skipped,
    )


def _intervals(
    segments: list[Element], attrs: list[dict[str, str]], raw: pl.DataFrame, skipped: Counter
) -> pl.DataFrame:
    """(row, Utt|Cry|Vfx, start, end) for every utterance, cry and VFX interval: from the
    startUttN/endUttN ... attributes of key-child segments (those with ``childUttCnt`` or
    ``childCryVfxLen``), and from older-layout <UTT>/<CRY>/<VFX> child elements."""
    child = (raw["childUttCnt"].is_not_null() | raw["childCryVfxLen"].is_not_null()).arg_true()
    rows = child.to_list()
    out = []
    for key in sorted(set().union(*(attrs[row] for row in rows))):
        found = _INTERVAL_ATTRIBUTE.fullmatch(key)
        if found:
            what, suffix = found.groups()
            end = f"end{what}{suffix}"
            out += [(r, what, attrs[r][key], attrs[r].get(end)) for r in rows if key in attrs[r]]
    for row in [row for row, segment in enumerate(segments) if len(segment)]:
        for element in segments[row]:
            what = _INTERVAL_ELEMENT.get(element.tag)
            if what is None:
                skipped[f"<{element.tag}> in <Segment>"] += 1
            else:
                items = element.attrib.items()
                start = next((v for k, v in items if k.startswith("start")), None)
                end = next((v for k, v in items if k.startswith("end")), None)
                out.append((row, what, start, end))
    return pl.DataFrame(out, schema=_INTERVAL_SCHEMA, orient="row")


# ---- the byte path: UTF-8 files of the newer layout (both real exports at hand) ----


class _Tags(NamedTuple):
    """What ``_tag_scan`` finds in the bytes besides the segments."""

    blocks: list[bytes]  # attribute string of each <Conversation>/<Pause> in a piece
    block_tags: list[str]
    block_pieces: list[int]  # 1-based piece number of each block
    segment_block: np.ndarray
    pieces: list[dict[str, str]]
    header: dict[str, dict[str, str] | None]


def _scan(path: Path, data: bytes) -> _Parts | None:
    """The strings of an .its file taken from its bytes by regular expressions and numpy, and
    ``check_xml`` to find it well-formed and safe. None when the file holds anything the scan
    does not handle, and the tree path then reads (and checks) it: see ``_scannable``,
    ``_segment_tags``, ``_tag_scan``, ``_interval_pairs``; a segment or block whose attributes
    are not all ``name="value"`` with a one-line value free of '='; a segment with children.

    The polars queries run on other threads (``_Job``) while this one scans the other tags and
    runs expat, which holds the GIL throughout; polars lets it go while it computes."""
    escaped = b"&" in data  # references, replaced in Python between extraction and typing
    jobs: list[_Job] = []
    try:
        text, opens = _opens(data)
        if not _scannable(data, text, opens):
            return None
        comments = _comments(data, text, opens)
        segment_tags = _segment_tags(data, text, opens, comments)
        if segment_tags is None:
            return None
        found, offsets = segment_tags
        strings = pl.Series(found, dtype=pl.Binary).cast(pl.String)
        raw = _attribute_plan(strings, _KEYS)
        jobs.append(_Job([_all_plain(strings, "/"), raw if escaped else _segment_plan(raw)]))
        tags = _tag_scan(data, text, opens, comments, offsets)
        intervals = None if tags is None else _interval_pairs(data, offsets, found)
        if tags is None or intervals is None:
            return None
        block_strings = pl.Series(tags.blocks, dtype=pl.Binary).cast(pl.String)
        block_raw = _attribute_plan(block_strings, _BLOCK_KEYS).with_columns(
            tag=pl.Series(tags.block_tags, dtype=pl.String),
            recording_number=pl.Series(tags.block_pieces, dtype=pl.Int64),
        )
        if escaped:
            jobs.append(_Job([_all_plain(block_strings, "/?"), block_raw, intervals.lazy()]))
        else:
            plans = [_block_plan(block_raw), _interval_plan(intervals.lazy())]
            jobs.append(_Job([_all_plain(block_strings, "/?"), *plans]))
        check_xml(path, data)
        (plain, segments), (block_plain, blocks, intervals) = (job.result() for job in jobs)
        if not (plain.item() and block_plain.item()):
            return None
        if escaped:
            segments, blocks, intervals = _collect(
                [
                    _segment_plan(_unescaped(segments).lazy()),
                    _block_plan(_unescaped(blocks).lazy()),
                    _interval_plan(_unescaped(intervals).lazy()),
                ]
            )
        child = segments.select(
            pl.col("_raw_childUttCnt").is_not_null() | pl.col("_raw_childCryVfxLen").is_not_null()
        ).to_series()
        intervals = intervals.filter(child.to_numpy()[intervals["row"].to_numpy()])
    except (pl.exceptions.PolarsError, UnicodeDecodeError, ValueError, IndexError, OverflowError):
        return None  # e.g. &#99999999999; in a value, before expat has refused it
    finally:
        for job in jobs:
            job.join()
    return _Parts(
        segments=segments,
        intervals=intervals,
        blocks=blocks,
        segment_block=tags.segment_block,
        pieces=tags.pieces,
        header=tags.header,
        lines=_lines(data, offsets),
        skipped=Counter(),
    )


def _collect(plans: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    """Run the queries together on polars' in-memory engine: for these small frames the default
    engine choice costs ~1.3 ms more per query (3.2 ms against 1.9 for the block query, 1 row)."""
    return pl.collect_all(plans, engine="in-memory")


class _Job:
    """``_collect(plans)`` on a thread of its own, meanwhile this one goes on."""

    def __init__(self, plans: list[pl.LazyFrame]):
        self._out: list = []
        started = threading.Event()

        def run() -> None:
            started.set()
            try:
                self._out.append(_collect(plans))
            except Exception as exc:  # raised again by result(), on the calling thread
                self._out.append(exc)

        self._thread = threading.Thread(target=run, name="its-polars", daemon=True)
        self._thread.start()
        started.wait()  # this thread gets the GIL back once polars has let it go

    def join(self) -> None:
        self._thread.join()

    def result(self) -> list[pl.DataFrame]:
        self._thread.join()
        if isinstance(self._out[0], Exception):
            raise self._out[0]
        return self._out[0]


def _opens(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The bytes as a numpy array, and the offsets of every '<' but in the last 3 bytes. The
    byte searches below are done on these: Python's ``bytes.count(b"<!")`` takes 2.5 ms on
    the 3 MB file, as '<' is frequent; numpy takes 1 ms for all of them."""
    text = np.frombuffer(data, dtype=np.uint8)
    return text, np.flatnonzero(text[:-3] == ord("<"))


def _scannable(data: bytes, text: np.ndarray, opens: np.ndarray) -> bool:
    """Whether ``_scan`` may read the file: UTF-8 or ASCII, no CDATA, no processing instruction
    but the XML declaration, no DOCTYPE internal subset (it could declare default attributes),
    no older-layout <UTT>/<CRY>/<VFX> elements. ``_scan`` checks the rest."""
    start = 3 if data.startswith(_BOM) else 0
    declared = _DECLARATION.match(data, start)
    if (declared and declared[1].lower() not in (b"utf-8", b"us-ascii")) or b"\x00" in data:
        return False
    after = [text[opens + i] for i in (1, 2, 3)]
    if (after[0] == ord("?")).sum() > data.startswith(b"<?xml", start):
        return False
    for name in _OLDER_LAYOUT:
        if np.logical_and.reduce([a == char for a, char in zip(after, name, strict=True)]).any():
            return False
    marks = opens[(after[0] == ord("!")) & (after[1] != ord("-"))]  # not comments
    return len(marks) == 0 or (len(marks) == 1 and bool(_EXTERNAL_DOCTYPE.match(data, marks[0])))


def _segment_tags(
    data: bytes, text: np.ndarray, opens: np.ndarray, comments: tuple[np.ndarray, np.ndarray]
) -> tuple[list[bytes], np.ndarray] | None:
    """The attribute string and byte offset of each <Segment> start tag outside comments; None
    if there is none or the pattern and numpy do not find the same tags."""
    found = _SEGMENT_TAG.findall(data)
    offsets = _segment_offsets(text, opens)
    if len(offsets) != len(found):
        return None
    keep = _outside(offsets, comments)
    if not keep.all():
        found = [value for value, out in zip(found, keep, strict=True) if out]
        offsets = offsets[keep]
    return (found, offsets) if found else None


def _tag_scan(
    data: bytes,
    text: np.ndarray,
    opens: np.ndarray,
    comments: tuple[np.ndarray, np.ndarray],
    offsets: np.ndarray,
) -> _Tags | None:
    """The block, piece and header start tags, and the block of each segment (at ``offsets``),
    from a regular expression on the bytes (outside comments). None unless every '<' begins a
    tag matched and the elements nest as ITS > ProcessingUnit > Recording > Conversation|Pause >
    Segment, with nothing else in a piece or a block and no segment elsewhere, and the piece
    and header elements' attributes are plain."""
    tags = [(m.start(), m[1], m[2], m[3]) for m in _OTHER_TAG.finditer(data)]
    keep = _outside([tag[0] for tag in tags], comments)
    if not keep.all():
        tags = [tag for tag, out in zip(tags, keep, strict=True) if out]
    # every '<' outside comments, but '<!' and '<?', must begin a tag matched above
    marks = opens[_outside(opens, comments)]
    marks = marks[~np.isin(text[marks + 1], _NOT_TAGS)]
    tree = _elements([tag[1:] for tag in tags])
    if len(marks) != len(offsets) + len(tags) or tree is None or tree[0][0] != b"ITS":
        return None
    names, parents, attrs, open_after = tree
    units = {i for i, up in enumerate(parents) if up == 0 and names[i] == b"ProcessingUnit"}
    pieces: dict[int, int] = {}  # element -> 1-based piece number
    blocks: dict[int, int] = {}  # element -> 0-based block number
    for i, parent in enumerate(parents):
        if parent in blocks:
            return None
        if parent in pieces:
            if names[i] not in _BLOCK_TAGS:
                return None
            blocks[i] = len(blocks)
        elif parent in units and names[i] == b"Recording":
            pieces[i] = len(pieces) + 1
    # the element open at each segment tag must be a block; index -1 (none open) gives -1
    block_of = np.full(len(names) + 1, -1, dtype=np.int64)
    block_of[list(blocks)] = list(blocks.values())
    tag_offsets = np.asarray([tag[0] for tag in tags], dtype=np.int64)
    segment_block = block_of[open_after[np.searchsorted(tag_offsets, offsets) - 1]]
    where = {"ITS": 0, **{w.rsplit("/")[-1]: _find(names, parents, w) for w in _HEADER}}
    header = {name: None if i is None else _attributes(attrs[i]) for name, i in where.items()}
    piece_attrs = [_attributes(attrs[i]) for i in pieces]
    if (
        (segment_block < 0).any()
        or None in piece_attrs
        or any(header[name] is None for name, i in where.items() if i is not None)
    ):
        return None
    return _Tags(
        blocks=[attrs[i] for i in blocks],
        block_tags=[names[i].decode() for i in blocks],
        block_pieces=[pieces[parents[i]] for i in blocks],
        segment_block=segment_block,
        pieces=piece_attrs,
        header=header,
    )


def _segment_offsets(text: np.ndarray, opens: np.ndarray) -> np.ndarray:
    """Byte offsets of the ``<Segment`` start tags, each followed by whitespace, '/' or '>' as
    in ``_SEGMENT_TAG``: half the time of taking them from that pattern's matches."""
    at = opens[opens < len(text) - len(b"<Segment ")]
    for i, char in enumerate(b"Segment", start=1):
        at = at[text[at + i] == char]
    return at[np.isin(text[at + len(b"<Segment")], np.frombuffer(b" \t\n\r\x0b\x0c/>", np.uint8))]


def _elements(tags: list[tuple[bytes, bytes, bytes]]):
    """Name, parent (-1 for the root), attribute string of each element, in file order, and
    the element open after each tag (-1: none), from the (end slash, name, attributes) of every
    tag; None if the tags do not nest (a '>' in a value can make a tag look self-closing)."""
    names: list[bytes] = []
    parents: list[int] = []
    attrs: list[bytes] = []
    open_after: list[int] = []
    stack = [-1]
    for slash, name, rest in tags:
        if slash:
            if len(stack) == 1 or names[stack.pop()] != name:
                return None
        else:
            parents.append(stack[-1])
            names.append(name)
            attrs.append(rest)
            if not rest.endswith(b"/"):
                stack.append(len(names) - 1)
        open_after.append(stack[-1])
    if len(stack) > 1 or not names:
        return None
    return names, parents, attrs, np.asarray(open_after, dtype=np.int64)


def _find(names: list[bytes], parents: list[int], where: str) -> int | None:
    """The first element below the root at the ElementTree path ``where`` (``A/B/C``)."""
    *above, last = (step.encode() for step in where.split("/"))
    i = 0
    while True:
        try:
            i = names.index(last, i + 1)
        except ValueError:
            return None
        j = i
        for step in reversed(above):
            j = parents[j]
            if j < 1 or names[j] != step:
                break
        else:
            return i


def _attributes(raw: bytes) -> dict[str, str] | None:
    """The attributes of a start tag's attribute string, None unless all are plain."""
    text = raw.decode()
    if not _PLAIN_TAG.fullmatch(text):
        return None
    return {name: _unescape(value) for name, value in _ATTRIBUTE.findall(text)}


def _all_plain(text: pl.Series, end: str) -> pl.LazyFrame:
    """Whether every attribute string is plain and ends in ``end`` (one boolean)."""
    return text.to_frame("a").lazy().select(pl.col("a").str.contains(f"^{_PLAIN}{end}$").all())


def _attribute_plan(text: pl.Series, keys: tuple[str, ...]) -> pl.LazyFrame:
    """The ``keys`` attributes of each plain attribute string, one regex per key. In one
    polars query: as separate Series operations they took twice the time."""
    return (
        text.to_frame("a")
        .lazy()
        .select(pl.col("a").str.extract(f'(?:^|\\s){key}="([^"]*)"', 1).alias(key) for key in keys)
    )


def _interval_pairs(data: bytes, offsets: np.ndarray, found: list[bytes]) -> pl.DataFrame | None:
    """``_intervals`` from the bytes, for every segment: each startUttN="..." attribute with the
    endUttN="..." right after it (also Cry, Vfx); ``_scan`` keeps those of key-child segments.
    None unless every startUtt, startCry, startVfx in the file begins such a pair inside a
    segment tag. A regular expression with a literal start, then numpy: no join needed."""
    pairs = [(m.start(), m[1], m[3], m[4]) for m in _INTERVAL_PAIR.finditer(data)]
    if any(pair[1] is None for pair in pairs):
        return None
    at = np.asarray([pair[0] for pair in pairs], dtype=np.int64)
    rows = np.searchsorted(offsets, at) - 1
    sizes = np.fromiter((len(found[row]) for row in rows.tolist()), np.int64, len(rows))
    before = np.frombuffer(data, dtype=np.uint8)[at - 1]
    if ((rows < 0) | (at >= offsets[rows] + len(b"<Segment") + sizes)).any() or not np.isin(
        before, _SPACE
    ).all():
        return None
    columns = [pl.Series([pair[i] for pair in pairs], dtype=pl.Binary) for i in (1, 2, 3)]
    return pl.DataFrame(
        {"row": rows, **dict(zip(("what", "start", "end"), columns, strict=True))}
    ).cast(_INTERVAL_SCHEMA)


def _unescape(value: str) -> str:
    """An attribute value with its XML entity and character references replaced."""
    if "&" not in value:
        return value
    return _REFERENCE.sub(
        lambda m: _NAMED[m[3]] if m[3] else chr(int(m[1], 16) if m[1] else int(m[2])), value
    )


def _unescaped(frame: pl.DataFrame) -> pl.DataFrame:
    """``_unescape`` on every string column that holds a reference."""
    return frame.with_columns(
        pl.Series(name, [value and _unescape(value) for value in frame[name]], pl.String)
        for name, dtype in frame.schema.items()
        if dtype == pl.String and frame[name].str.contains("&", literal=True).any()
    )


def _comments(data: bytes, text: np.ndarray, opens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the comments (``<!--`` to the next ``-->``; an unclosed one runs
    to the end). Linear: a ``<!--`` inside a comment is not searched from."""
    starts = opens[(text[opens + 1] == ord("!")) & (text[opens + 2] == ord("-"))]
    spans: list[tuple[int, int]] = []
    for start in starts[text[starts + 3] == ord("-")].tolist():
        if spans and start < spans[-1][1]:
            continue
        end = data.find(b"-->", start + 4)
        spans.append((start, len(data) if end < 0 else end + 3))
    found = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    return found[:, 0], found[:, 1]


def _outside(offsets: list[int], comments: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Which of the byte ``offsets`` (ascending) are outside every comment."""
    starts, ends = comments
    at = np.asarray(offsets, dtype=np.int64)
    if not starts.size:
        return np.ones(len(at), dtype=bool)
    after = np.searchsorted(ends, at, side="right")  # the first comment ending after the offset
    return ~((after < starts.size) & (starts[np.minimum(after, starts.size - 1)] <= at))


def _lines(data: bytes, offsets: np.ndarray) -> list[int]:
    """The 1-based line of each byte offset."""
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    return (np.searchsorted(newlines, offsets) + 1).tolist()


def _bad(path: Path, row: int | None, lines: list[int] | None, problem: str) -> None:
    """Raise a ReadError for segment ``row`` (0-based), unless it is None."""
    if row is not None:
        raise ReadError(
            path, f"<Segment> number {row + 1}: {problem}", lines[row] if lines else None
        )


_SHAPE = "is missing or not a duration in seconds like PT12.34S"
# (failing rows, problem), checked in this order on the typed segment columns
_SEGMENT_CHECKS = (
    (pl.col("spkr").is_null(), "no speaker code (spkr attribute)"),
    (pl.col("segment_onset").is_null(), f"startTime {_SHAPE}"),
    (pl.col("segment_offset").is_null(), f"endTime {_SHAPE}"),
    (
        pl.col("cry_vfx_ms").is_null() & pl.col("childCryVfxLen").is_not_null(),
        f"childCryVfxLen {_SHAPE}",
    ),
    (pl.col("segment_offset") < pl.col("segment_onset"), "endTime is before startTime"),
    *((pl.col(name).is_not_null() & pl.col(f"_{name}").is_null(), name) for name in _NUMBERS),
)


def _segment_plan(raw: pl.LazyFrame) -> pl.LazyFrame:
    """Typed per-segment columns from the attribute strings (``_KEYS``), with the first row
    failing each of ``_SEGMENT_CHECKS`` (``_bad0``, ...) and the key-child attribute strings
    (``_raw_...``) that mark the segments whose intervals count."""
    info = pl.col("conversationInfo").str.extract_groups(_CONV_INFO)
    typed = raw.with_columns(
        duration_ms("startTime").alias("segment_onset"),
        duration_ms("endTime").alias("segment_offset"),
        duration_ms("childCryVfxLen").alias("cry_vfx_ms"),
        *(
            pl.col(name).cast(dtype, strict=False).alias(f"_{name}")
            for name, dtype in _NUMBERS.items()
        ),
        lena_conv_status=info.struct.field("1"),
        lena_conv_turn_type=info.struct.field("2"),
        lena_conv_floor_type=info.struct.field("3"),
    )
    female, male = pl.col("_femaleAdultWordCnt"), pl.col("_maleAdultWordCnt")
    return typed.select(
        "segment_onset",
        "segment_offset",
        pl.col("spkr").alias("speaker_id"),
        pl.when(female.is_null() & male.is_null())
        .then(None)
        .otherwise(female.fill_null(0) + male.fill_null(0))
        .alias("words"),
        "lena_conv_status",
        "lena_conv_turn_type",
        "lena_conv_floor_type",
        pl.col("_childUttCnt").alias("utterances_count"),
        "cry_vfx_ms",
        pl.col("_average_dB").alias("average_db"),
        pl.col("_peak_dB").alias("peak_db"),
        *(flag.arg_true().first().alias(f"_bad{i}") for i, (flag, _) in enumerate(_SEGMENT_CHECKS)),
        *(pl.col(name).alias(f"_raw_{name}") for name in ("childUttCnt", "childCryVfxLen")),
        (pl.col("segment_onset").diff() < 0).any().alias("_unsorted"),
    )


def _segment_columns(
    path: Path, typed: pl.DataFrame, lines: list[int] | None
) -> tuple[pl.DataFrame, bool]:
    """The columns of ``_segment_plan`` once checked, and whether they are out of time order: a
    bad value raises a ReadError naming the first bad segment of the first failing check."""
    first_bad = typed.select(f"_bad{i}" for i in range(len(_SEGMENT_CHECKS))).row(0)
    for (_, problem), row in zip(_SEGMENT_CHECKS, first_bad, strict=True):
        if row is not None and problem in _NUMBERS:
            problem = f"{problem} is not a number"
        _bad(path, row, lines, problem)
    return typed.select(pl.exclude("^_.*$")), bool(typed["_unsorted"][0])


def _interval_plan(intervals: pl.LazyFrame) -> pl.LazyFrame:
    """The interval table (``_INTERVAL_SCHEMA``) with ``start`` and ``end`` in ms."""
    return intervals.with_columns(duration_ms("start"), duration_ms("end"))


def _interval_columns(
    path: Path, intervals: pl.DataFrame, frame: pl.DataFrame, lines: list[int] | None
) -> list[pl.Series]:
    """From the ``_interval_plan`` table: ``cry_ms`` and ``vfx_ms`` (summed intervals), and
    ``utterances_count`` completed from the older layout's <UTT> elements where ``childUttCnt``
    is absent. Key-child segments (with
    ``childCryVfxLen``, ``childUttCnt`` or any interval) get 0 when they lack an interval type;
    all other segments get null."""
    n = frame.height
    rows = intervals["row"].to_numpy()
    what = intervals["what"].to_numpy()
    start = intervals["start"].to_numpy().astype(np.float64)
    end = intervals["end"].to_numpy().astype(np.float64)
    for problem, bad in (
        ("an utterance, cry or VFX interval has no valid start or end", np.isnan(start + end)),
        ("an utterance, cry or VFX interval ends before it starts", end < start),
    ):
        _bad(path, int(rows[bad].min()) if bad.any() else None, lines, problem)
    child = np.zeros(n, dtype=bool)
    child[rows] = True
    child |= frame["cry_vfx_ms"].is_not_null().to_numpy()
    child |= frame["utterances_count"].is_not_null().to_numpy()
    not_child = np.flatnonzero(~child)

    def per_row(name: str, weights: np.ndarray) -> pl.Series:
        chosen = what == name
        totals = np.bincount(rows[chosen], weights=weights[chosen], minlength=n)
        return pl.Series(np.rint(totals).astype(np.int64)).scatter(not_child, None)

    n_utt = per_row("Utt", np.ones(len(rows)))
    return [
        per_row("Cry", end - start).alias("cry_ms"),
        per_row("Vfx", end - start).alias("vfx_ms"),
        frame["utterances_count"].fill_null(n_utt.scatter((n_utt == 0).arg_true(), None)),
    ]


_BLOCK_CHECKS = (
    (pl.col("onset_ms").is_null(), "startTime is missing or not a duration"),
    (pl.col("offset_ms").is_null(), "endTime is missing or not a duration"),
    (pl.col("offset_ms") < pl.col("onset_ms"), "endTime is before startTime"),
    *(
        (pl.col(key).is_not_null() & pl.col(name).is_null(), f"{key} is not a number")
        for name, key in (
            ("turn_taking", "turnTaking"),
            ("child_utt_cnt", "childUttCnt"),
            ("adult_word_cnt", "adultWordCnt"),
        )
    ),
)


def _block_plan(raw: pl.LazyFrame) -> pl.LazyFrame:
    """One row per <Conversation>/<Pause> block, numbered 1.. over the whole file, from the
    attribute strings with the element's ``tag`` and ``recording_number``; with the first row
    failing each of ``_BLOCK_CHECKS`` (``_bad0``, ...) for ``_block_frame``."""
    kind = pl.col("tag").replace_strict(_BLOCK_TYPES, return_dtype=pl.String)
    typed = raw.with_columns(
        duration_ms("startTime").alias("onset_ms"),
        duration_ms("endTime").alias("offset_ms"),
        pl.col("turnTaking").cast(pl.Int64, strict=False).alias("turn_taking"),
        pl.col("childUttCnt").cast(pl.Int64, strict=False).alias("child_utt_cnt"),
        pl.col("adultWordCnt").cast(pl.Float64, strict=False).alias("adult_word_cnt"),
    )
    return typed.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("block_number"),
        "recording_number",
        kind.alias("type"),
        pl.when(kind == "conversation").then(pl.col("type")).alias("conv_type"),
        "onset_ms",
        "offset_ms",
        "turn_taking",
        "child_utt_cnt",
        "adult_word_cnt",
        pl.col("tag").alias("_tag"),
        *(flag.arg_true().first().alias(f"_bad{i}") for i, (flag, _) in enumerate(_BLOCK_CHECKS)),
    )


def _block_frame(path: Path, typed: pl.DataFrame) -> pl.DataFrame:
    """The columns of ``_block_plan`` once checked."""
    first_bad = typed.select(f"_bad{i}" for i in range(len(_BLOCK_CHECKS))).row(0)
    for (_, problem), i in zip(_BLOCK_CHECKS, first_bad, strict=True):
        if i is not None:
            tag = typed["_tag"][i]
            raise ReadError(path, f"<{tag}> block number {i + 1} (in file order): {problem}")
    return typed.select(pl.exclude("^_.*$"))


def _pieces(path: Path, pieces: list[dict[str, str]]) -> list[dict]:
    """Number, timeline span (ms) and UTC clock times of each <Recording> piece."""
    spans = to_ms([p.get(key) for key in ("startTime", "endTime") for p in pieces])
    out = []
    for i, piece in enumerate(pieces):
        start_ms, end_ms = spans[i], spans[len(pieces) + i]
        if start_ms is None or end_ms is None:
            raise ReadError(
                path, f"<Recording> {i + 1}: startTime/endTime missing or not durations"
            )
        out.append(
            {
                "number": i + 1,
                "start_ms": start_ms,
                "end_ms": end_ms,
                "start_clock": _clock(path, piece.get("startClockTime"), f"<Recording> {i + 1}"),
                "end_clock": _clock(path, piece.get("endClockTime"), f"<Recording> {i + 1}"),
            }
        )
    return out


def _clock(path: Path, value: str | None, where: str) -> datetime | None:
    """A clock time attribute as an aware datetime (LENA writes UTC with a ``Z``)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ReadError(path, f"{where}: a clock time is not an ISO date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _time_zone(transfer: dict | None, zone: dict | None) -> tuple[timedelta | None, dict]:
    """The local UTC offset at transfer time (TransferTime LocalTime - UTCTime) and the header's
    time-zone fields (``TimeZone``). The offset can differ from the recording's by a DST change
    in between."""
    offset = None
    if transfer is not None:
        try:
            offset = datetime.fromisoformat(transfer.get("LocalTime", "")) - datetime.fromisoformat(
                transfer.get("UTCTime", "")
            )
        except ValueError:
            offset = None
    standard = zone.get("StandardSecondsOffset") if zone is not None else None
    return offset, {
        "name": transfer.get("TimeZone") if transfer is not None else None,
        "utc_offset_s_at_transfer": int(offset.total_seconds()) if offset is not None else None,
        "standard_offset_s": int(standard) if standard and standard.lstrip("-").isdigit() else None,
        "uses_dst": zone.get("UsesDST") == "1" if zone is not None else None,
    }


def _age_days(
    info: dict | None, child: dict | None, start: datetime | None
) -> tuple[int | None, list[str]]:
    """Child age in days at the first recording's date on its own clock (``start``: local
    when the file gives the offset), from ``ChildInfo@dob`` (or the
    header's ``PrimaryChild@DOB``); else from ``chronologicalAge`` (``P4M``, ``P1Y10M``:
    years x 365.25 + months x 30.4375 + days, rounded). Unreadable values give a warning."""
    dob = info.get("dob") if info is not None else None
    dob = dob or (child.get("DOB") if child is not None else None)
    warnings = []
    if dob and start is not None:
        try:
            born = date.fromisoformat(dob)
        except ValueError:
            warnings.append("the child's date of birth is not a date; age from chronologicalAge")
        else:
            return (start.date() - born).days, warnings
    age = info.get("chronologicalAge") if info is not None else None
    found = _AGE.fullmatch(age or "")
    if age and found and any(found.groups()):
        years, months, days = (int(g or 0) for g in found.groups())
        return round(years * 365.25 + months * 30.4375 + days), warnings
    if age:
        warnings.append("chronologicalAge is not an ISO-8601 age; child age unknown")
    return None, warnings
