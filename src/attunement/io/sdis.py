"""SDIS, the Sequential Data Interchange Standard of Bakeman & Quera (the input language of GSEQ):
read and write event, state, timed-event and (simple) interval sequences.

Bakeman & Quera (1995), *Analyzing Interaction: Sequential Analysis with SDIS and GSEQ*; Bakeman &
Quera (2011), *Sequential Analysis and Observational Methods for the Behavioral Sciences*. What is
read (GSEQ's own manual was not available to check every detail; what is assumed is said so):

- ``%`` starts a comment that runs to the end of the line.
- The **declaration** runs up to the first ``;``: the data type (``Event``, ``State``, ``Timed``,
  ``Interval``, ``Multi``, or its first letter), then the codes: bare codes, sets
  ``($Name = a b c)`` (a named set; its name is the *label* looked up in the role map) or
  ``(a b c)``, an optional ``<...>`` time note (kept, not interpreted), and optional factors after
  ``*``: ``* Sex (m f) Age (young old)``. When codes are declared, undeclared codes are errors.
- **Sessions** end with ``/``. A session may start with ``<label>`` and may end, just before
  ``/``, with its factor levels ``(m young)``.
- **Event** data: codes separated by white space; ``;`` inside a session is a break (assumed, as
  in GSEQ: no transition is tallied across it); the parts become separate sequences
  ``label.1``, ``label.2`` ...
- **Timed** (timed-event) data: ``code,onset-offset`` or ``code,onset``; ``a&b,onset-offset``
  gives several codes the same times; a lone ``,time`` first is the session start and last (just
  before ``/``) the session end. A code without offset lasts until the next code of its own
  ``($Name = ...)`` set starts (or the session end); a code in no such set is momentary
  (offset = onset).
- **State** data: ``code=duration`` (each state starts where the previous one ended) or
  ``code,onset`` (it lasts until the next state or the session end); ``&`` starts the next
  parallel stream (column ``stream``) at the session start.
- **Interval** data: intervals end with ``,``; the codes inside one are separated by spaces;
  ``n*`` before an interval repeats it ``n`` times. Interval ``i`` covers
  ``[i * interval_s, (i + 1) * interval_s)`` (``interval_s`` is a parameter, 1 s by default).
- ``Multi`` (multi-event) data are not read (a ``ReadError`` says so).

Times are seconds (``12``, ``12.5``), ``min:sec`` or ``h:min:sec`` (decimals allowed); they become
integer ms from the session start. ``load`` gives the parsed file (``SdisData``); ``read`` gives
one Recording per session (the reader contract: event rows are untimed, in order, with
``sequence`` and ``code``); ``SdisData.sequences()`` gives event data as a frame with columns
``sequence`` and ``code``. Rows get ``kind = "behaviour"``, ``code`` = the code, ``speaker_id`` =
the code's set name (or the code), ``speaker_type`` from the role map (``UNK`` when unmapped,
counted in a warning). ``write_events``, ``write_timed`` and ``write_state`` write the inverse.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from attunement import roles as role_maps
from attunement import segments as seg
from attunement.errors import DataError, ParameterError, ReadError
from attunement.io._common import read_text
from attunement.recording import Recording

FORMAT = "sdis"
EXTENSIONS = (".sds", ".sdis")
DEFAULT_ROLES: dict[str, str] = {}
DATA_TYPES = ("Event", "State", "Timed", "Interval", "Multi")
_TYPE_OF = {t.lower(): t for t in DATA_TYPES} | {t[0].lower(): t for t in DATA_TYPES}
CODE = r"[^\s,;/=&*%<>()$]+"
_CODE_RE = re.compile(rf"{CODE}\Z")
_TIME = re.compile(r"(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?)\Z")
_TOKEN = re.compile(r"<[^<>]*>|\([^()]*\)|[;&*]|[^\s;&*()<>]+")
_SNIFF = re.compile(rb"\s*(?:%[^\n]*\n\s*)*(event|state|timed|interval|multi)\b", re.IGNORECASE)


def sniff(head: bytes) -> bool:
    """The first word after comments is an SDIS data type."""
    return _SNIFF.match(head.lstrip(b"\xef\xbb\xbf")) is not None


@dataclass
class Session:
    """One session: its label, line, factor levels, and either event parts (lists of codes)
    or timed rows (``onset``, ``offset`` in ms from the session start, ``code``, ``line``,
    ``stream``)."""

    label: str
    line: int
    levels: tuple[str, ...] = ()
    parts: list[list[str]] = field(default_factory=list)
    part_lines: list[list[int]] = field(default_factory=list)
    rows: dict[str, list] = field(
        default_factory=lambda: {"onset": [], "offset": [], "code": [], "line": [], "stream": []}
    )
    start_ms: int = 0
    end_ms: int | None = None


@dataclass
class SdisData:
    """A parsed SDIS file."""

    path: str
    data_type: str
    codes: tuple[str, ...]
    sets: dict[str, tuple[str, ...]]
    factors: dict[str, tuple[str, ...]]
    time_note: str | None
    sessions: list[Session]

    def sequences(self) -> pl.DataFrame:
        """Event data as a frame with columns ``sequence`` and ``code``, in order; a session
        split by ``;`` gives sequences ``label.1``, ``label.2`` ..."""
        if self.data_type != "Event":
            raise DataError(f"{self.path}: sequences() needs Event data, got {self.data_type} data")
        ids, codes = [], []
        for s in self.sessions:
            for k, part in enumerate(s.parts, start=1):
                name = s.label if len(s.parts) == 1 else f"{s.label}.{k}"
                ids.extend([name] * len(part))
                codes.extend(part)
        return pl.DataFrame({"sequence": ids, "code": codes}, schema=_SEQ_SCHEMA)

    def set_of(self) -> dict[str, str]:
        """Code -> the name of its ``($Name = ...)`` set."""
        return {code: name for name, codes in self.sets.items() for code in codes}

    def recordings(self, role_map: Mapping[str, str] | None = None, keep_text: bool = True):
        """One Recording per session (see the module docstring)."""
        return [self._recording(s, dict(role_map or {}), keep_text) for s in self.sessions]

    def _recording(self, s: Session, role_map: dict[str, str], keep_text: bool) -> Recording:
        set_of = self.set_of()
        if self.data_type == "Event":
            codes = [c for part in s.parts for c in part]
            lines = [n for part in s.part_lines for n in part]
            parts = [k for k, part in enumerate(s.parts, start=1) for _ in part]
            onset = offset = [None] * len(codes)
            extra_cols = {"part": parts}
        else:
            codes, lines = s.rows["code"], s.rows["line"]
            onset, offset = s.rows["onset"], s.rows["offset"]
            extra_cols = {"stream": s.rows["stream"]} if self.data_type == "State" else {}
        labels = [set_of.get(c, c) for c in codes]
        keys = [c if c in role_map else label for c, label in zip(codes, labels, strict=True)]
        types, unknown = role_maps.apply(keys, role_map)
        frame = seg.build(
            {
                "segment_onset": pl.Series(onset, dtype=pl.Int64),
                "segment_offset": pl.Series(offset, dtype=pl.Int64),
                "speaker_type": types,
                "speaker_id": labels,
                "kind": ["behaviour"] * len(codes),
                "code": pl.Series(codes, dtype=pl.String),
                "source_line": pl.Series(lines, dtype=pl.Int64),
                **extra_cols,
            },
            keep_text=keep_text,
        )
        duration = None if s.end_ms is None else s.end_ms - s.start_ms
        extra = {
            "sdis_data_type": self.data_type,
            "sdis_start_ms": s.start_ms,
            "factors": dict(zip(self.factors, s.levels, strict=False)),
        }
        return Recording(
            id=s.label,
            path=self.path,
            format=FORMAT,
            segments=frame,
            duration_ms=duration,
            warnings=role_maps.unknown_warning(unknown, "SDIS"),
            extra=extra,
            keep_text=keep_text,
        )


_SEQ_SCHEMA = {"sequence": pl.String, "code": pl.String}
MAX_MS = 366 * 86_400_000


def read(
    path: Path, *, role_map: dict[str, str] | None = None, keep_text: bool = True
) -> list[Recording]:
    """One Recording per session (the reader contract)."""
    return load(path).recordings(role_map, keep_text)


def load(path: Path | str, *, interval_s: float = 1.0) -> SdisData:
    """Parse an SDIS file; malformed input raises ``ReadError`` naming the line."""
    path = Path(path)
    return _Parser(path, read_text(path), interval_s).parse()


class _Parser:
    def __init__(self, path: Path, text: str, interval_s: float):
        self.path = path
        # comments become spaces, so character positions and line numbers stay
        self.text = re.sub(r"%[^\n]*", lambda m: " " * len(m.group()), text)
        self.newlines = [i for i, ch in enumerate(self.text) if ch == "\n"]
        self.declared: frozenset[str] | None = None
        self.interval_ms = round(interval_s * 1000)
        if self.interval_ms <= 0:
            raise ParameterError(f"interval_s must be >= 0.001, got {interval_s}")

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.newlines, pos - 1) + 1

    def fail(self, problem: str, pos: int | None) -> ReadError:
        return ReadError(self.path, problem, None if pos is None else self.line(pos))

    def parse(self) -> SdisData:
        end = self.text.find(";")
        if end < 0:
            raise self.fail("no declaration: an SDIS file starts with e.g. 'Timed a b c ;'", None)
        head = self.text[:end]
        first = re.match(r"\s*([A-Za-z]+)", head)
        kind = _TYPE_OF.get(first.group(1).lower()) if first else None
        if kind is None:
            raise self.fail(
                "the declaration must start with the data type Event, State, Timed, Interval "
                "or Multi",
                first.start(1) if first else 0,
            )
        if kind == "Multi":
            raise self.fail("Multi-event SDIS data are not supported; use Event or Timed", 0)
        self.kind = kind
        self._declaration(head, first.end())
        sessions = self._sessions(end + 1)
        return SdisData(
            str(self.path), kind, tuple(self.codes), self.sets, self.factors, self.note, sessions
        )

    def _declaration(self, head: str, start: int) -> None:
        self.codes: list[str] = []
        self.sets: dict[str, tuple[str, ...]] = {}
        self.factors: dict[str, tuple[str, ...]] = {}
        self.note: str | None = None
        in_factors, factor = False, None
        for m in _TOKEN.finditer(head, start):
            tok, pos = m.group(), m.start()
            if tok.startswith("<"):
                self.note = tok[1:-1].strip()
            elif tok == "*":
                in_factors = True
            elif in_factors:
                if tok.startswith("("):
                    if factor is None:
                        raise self.fail(f"factor levels {tok} without a factor name", pos)
                    self.factors[factor] = tuple(tok[1:-1].split())
                    factor = None
                else:
                    factor = self._code(tok, pos)
            elif tok.startswith("("):
                self._set(tok[1:-1], pos)
            else:
                self._declare(self._code(tok, pos), pos)
        if factor is not None:
            raise self.fail(f"factor {factor!r} has no levels in parentheses", start)

    def _set(self, body: str, pos: int) -> None:
        named = re.fullmatch(r"\s*\$(\S+?)\s*=(.*)", body, re.DOTALL)
        codes = (named.group(2) if named else body).split()
        if not codes:
            raise self.fail("an empty code set ()", pos)
        for code in codes:
            self._declare(self._code(code, pos), pos)
        if named:
            self.sets[named.group(1)] = tuple(codes)

    def _declare(self, code: str, pos: int) -> None:
        if code in self.codes:
            raise self.fail(f"code {code!r} is declared twice", pos)
        self.codes.append(code)

    def _code(self, tok: str, pos: int) -> str:
        if not _CODE_RE.match(tok):
            raise self.fail(f"{tok[:30]!r} is not a valid code", pos)
        if self.declared is not None and tok not in self.declared:
            raise self.fail(f"code {tok!r} is not in the declaration", pos)
        return tok

    def _sessions(self, start: int) -> list[Session]:
        self.declared = frozenset(self.codes) if self.codes else None
        sessions: list[Session] = []
        pos = start
        while True:
            stop = self.text.find("/", pos)
            if stop < 0:
                rest = self.text[pos:]
                if rest.strip():
                    where = pos + len(rest) - len(rest.lstrip())
                    raise self.fail("the last session is not ended by '/'", where)
                break
            sessions.append(self._session(pos, stop, len(sessions) + 1))
            pos = stop + 1
        if not sessions:
            raise self.fail("no sessions: the data after the declaration are empty", None)
        return sessions

    def _session(self, begin: int, stop: int, number: int) -> Session:
        tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(self.text, begin, stop)]
        first_line = self.line(tokens[0][1] if tokens else begin)
        label = str(number)
        if tokens and tokens[0][0].startswith("<"):
            label = tokens.pop(0)[0][1:-1].strip() or label
        levels: tuple[str, ...] = ()
        if tokens and tokens[-1][0].startswith("("):
            levels = tuple(tokens.pop()[0][1:-1].split())
            if self.factors and len(levels) != len(self.factors):
                raise self.fail(
                    f"{len(levels)} factor level(s) for {len(self.factors)} factor(s)", stop
                )
        s = Session(label, first_line, levels)
        for tok, pos in tokens:
            if tok.startswith(("<", "(")):
                raise self.fail(f"unexpected {tok[:30]!r} inside a session", pos)
        if self.kind == "Event":
            self._events(s, tokens)
        elif self.kind == "Interval":
            self._intervals(s, begin if not tokens else tokens[0][1], stop)
        else:
            self._timed(s, tokens, stop)
        return s

    def _events(self, s: Session, tokens: list[tuple[str, int]]) -> None:
        part: list[str] = []
        lines: list[int] = []
        for tok, pos in tokens:
            if tok == ";":
                if part:
                    s.parts.append(part)
                    s.part_lines.append(lines)
                part, lines = [], []
            elif tok in ("&", "*") or "," in tok or "=" in tok:
                raise self.fail(f"{tok[:30]!r} in Event data (codes only)", pos)
            else:
                part.append(self._code(tok, pos))
                lines.append(self.line(pos))
        if part:
            s.parts.append(part)
            s.part_lines.append(lines)

    def time(self, value: str, pos: int) -> int:
        m = _TIME.match(value)
        if not m:
            raise self.fail(f"{value[:30]!r} is not a time (seconds, min:sec or h:min:sec)", pos)
        a, b, sec = m.groups()
        hours, minutes = (int(a), int(b)) if b is not None else (0, int(a or 0))
        if (b is not None and int(b) >= 60) or (a is not None and float(sec) >= 60):
            raise self.fail(f"{value!r}: minutes and seconds must be below 60", pos)
        ms = round((hours * 3600 + minutes * 60 + float(sec)) * 1000)
        if ms > MAX_MS:
            raise self.fail(f"{value[:30]!r} is later than a year", pos)
        return ms

    def _timed(self, s: Session, tokens: list[tuple[str, int]], stop: int) -> None:
        tokens = [t for t in tokens if t[0] != ";"]
        if tokens and tokens[0][0].startswith(","):
            tok, pos = tokens.pop(0)
            s.start_ms = self.time(tok[1:], pos)
        if tokens and tokens[-1][0].startswith(","):
            tok, pos = tokens.pop()
            s.end_ms = self.time(tok[1:], pos)
            if s.end_ms < s.start_ms:
                raise self.fail("the session ends before it starts", pos)
        rows: list[tuple[str, int, int | None, int, int]] = []  # code, on, off, line, stream
        pending: list[str] = []
        stream, clock = 0, s.start_ms  # clock: where the next =duration state starts
        for i, (tok, pos) in enumerate(tokens):
            if tok == "&":
                if self.kind == "State":
                    stream, clock = stream + 1, s.start_ms
                    continue
                if not pending or i + 1 == len(tokens) or tokens[i + 1][0] == "&":
                    raise self.fail("'&' must join two codes: a&b,onset-offset", pos)
                continue
            if tok == "*":
                raise self.fail("'*' is only used in Interval data", pos)
            if self.kind == "State":
                on, off, code = self._state(tok, pos, clock)
                if rows and rows[-1][4] == stream and on < rows[-1][1]:
                    raise self.fail(f"state {code!r} starts before the previous state", pos)
                rows.append((code, on, off, self.line(pos), stream))
                clock = off
                continue
            if "," not in tok:
                if i + 1 < len(tokens) and tokens[i + 1][0] == "&":
                    pending.append(self._code(tok, pos))
                    continue
                raise self.fail(f"code {tok[:30]!r} has no time (code,onset-offset)", pos)
            code, _, times = tok.partition(",")
            on_text, dash, off_text = times.partition("-")
            on = self.time(on_text, pos)
            off = self.time(off_text, pos) if dash else None
            if off is not None and off < on:
                raise self.fail(f"{tok!r}: offset before onset", pos)
            if on < s.start_ms or (s.end_ms is not None and (off or on) > s.end_ms):
                raise self.fail(f"{tok!r} lies outside the session's start and end times", pos)
            for c in [*pending, self._code(code, pos)]:
                rows.append((c, on, off, self.line(pos), 0))
            pending = []
        self._close(s, rows)

    def _state(self, tok: str, pos: int, clock: int | None) -> tuple[int, int | None, str]:
        if "=" in tok:
            code, _, dur = tok.partition("=")
            if clock is None:
                raise self.fail(f"{tok!r}: =duration after a state given by ,onset", pos)
            return clock, clock + self.time(dur, pos), self._code(code, pos)
        if "," in tok:
            code, _, on = tok.partition(",")
            return self.time(on, pos), None, self._code(code, pos)
        raise self.fail(f"state {tok[:30]!r} needs =duration or ,onset", pos)

    def _close(self, s: Session, rows: list[tuple[str, int, int | None, int, int]]) -> None:
        """Fill open offsets: until the next row of the same set/stream, or the session end."""
        set_of = {c: n for n, codes in self.sets.items() for c in codes}
        for i, (code, on, off, line, stream) in enumerate(rows):
            if off is None:
                group = stream if self.kind == "State" else set_of.get(code)
                if self.kind == "Timed" and group is None:
                    off = on
                else:
                    nxt = next(
                        (
                            r[1]
                            for r in rows[i + 1 :]
                            if (r[4] if self.kind == "State" else set_of.get(r[0])) == group
                        ),
                        s.end_ms,
                    )
                    if nxt is None:
                        raise ReadError(
                            self.path,
                            f"{code!r} has no end: give an offset or the session end ',time/'",
                            line,
                        )
                    off = nxt
                if off < on:
                    raise ReadError(self.path, f"{code!r} would end before it starts", line)
            s.rows["code"].append(code)
            s.rows["onset"].append(on - s.start_ms)
            s.rows["offset"].append(off - s.start_ms)
            s.rows["line"].append(line)
            s.rows["stream"].append(stream)

    def _intervals(self, s: Session, begin: int, stop: int) -> None:
        body = self.text[begin:stop]
        if s.levels:
            body = body[: body.rindex("(")]
        pieces = body.split(",")
        if not pieces[-1].strip():
            pieces.pop()
        index, pos = 0, begin
        for piece in pieces:
            m = re.fullmatch(r"\s*(?:(\d+)\s*\*)?(.*?)\s*", piece, re.DOTALL)
            times = int(m.group(1)) if m.group(1) else 1
            codes = [self._code(c, pos) for c in m.group(2).split()]
            line = self.line(pos)
            for _ in range(times):
                for c in codes:
                    s.rows["code"].append(c)
                    s.rows["onset"].append(index * self.interval_ms)
                    s.rows["offset"].append((index + 1) * self.interval_ms)
                    s.rows["line"].append(line)
                    s.rows["stream"].append(0)
                index += 1
            pos += len(piece) + 1
        s.end_ms = index * self.interval_ms


def _seconds(ms: int) -> str:
    text = f"{ms // 1000}.{ms % 1000:03d}".rstrip("0").rstrip(".")
    return text


def _check_codes(codes: Iterable[str]) -> list[str]:
    out = []
    for code in codes:
        if code is None or not _CODE_RE.match(str(code)):
            raise DataError(
                f"code {code!r} cannot be written to SDIS (no spaces or any of , ; / = & * % < > "
                "( ) $)"
            )
        if code not in out:
            out.append(code)
    return out


def _declaration(kind: str, codes: Sequence[str]) -> str:
    lines, line = [], kind
    for code in codes:
        if len(line) + len(code) > 78:
            lines.append(line)
            line = " "
        line += f" {code}"
    return "\n".join([*lines, line]) + " ;\n"


def _label(label: str) -> str:
    if any(ch in label for ch in "<>/\n%"):
        raise DataError(f"session label {label!r} cannot hold < > / % or a line break")
    return f"<{label}>"


def _wrap(tokens: list[str], width: int = 78) -> str:
    lines, line = [], ""
    for tok in tokens:
        if line and len(line) + len(tok) + 1 > width:
            lines.append(line)
            line = tok
        else:
            line = f"{line} {tok}" if line else tok
    return "\n".join([*lines, line]) if line else ""


def write_events(
    path: Path | str,
    sequences: pl.DataFrame | Mapping[str, Sequence[str]],
    codes: Sequence[str] | None = None,
) -> None:
    """Write event sequences: a frame with ``code`` (and ``sequence``; one sequence when it is
    absent) or a mapping label -> codes. ``codes`` fixes the declared order (default: first
    appearance)."""
    if isinstance(sequences, pl.DataFrame):
        if "code" not in sequences.columns:
            raise DataError(f"the frame needs a column 'code', got columns {sequences.columns}")
        keys = (
            sequences["sequence"].cast(pl.String).to_list()
            if "sequence" in sequences.columns
            else ["1"] * sequences.height
        )
        grouped: dict[str, list[str]] = {}
        for key, code in zip(keys, sequences["code"].cast(pl.String).to_list(), strict=True):
            grouped.setdefault(key, []).append(code)
    else:
        grouped = {str(k): list(v) for k, v in sequences.items()}
    seen = _check_codes(c for v in grouped.values() for c in v)
    declared = _check_codes(codes) if codes is not None else seen
    missing = set(seen) - set(declared)
    if missing:
        raise DataError(f"codes {sorted(missing)} are not in the declared codes")
    out = [_declaration("Event", declared)]
    for label, seq in grouped.items():
        out.append(f"{_label(label)}\n{_wrap(seq)}\n/\n")
    Path(path).write_text("".join(out), encoding="utf-8")


def write_timed(path: Path | str, recordings: Iterable[Recording]) -> None:
    """Write timed-event data: every timed row as ``code,onset-offset`` (seconds from the
    session start), the session framed by ``,start`` and ``,end``; one session per recording
    (label = recording id). Set names and speakers are not written; codes must be set."""
    recordings = list(recordings)
    frames = [seg.timed(r.segments) for r in recordings]
    codes = _check_codes(c for f in frames for c in f["code"].to_list())
    out = [_declaration("Timed", codes)]
    for rec, frame in zip(recordings, frames, strict=True):
        start = int(rec.extra.get("sdis_start_ms", 0))
        on = (frame["segment_onset"] + start).to_list()
        off = (frame["segment_offset"] + start).to_list()
        tokens = [f",{_seconds(start)}"]
        tokens += [
            f"{c},{_seconds(a)}-{_seconds(b)}"
            for c, a, b in zip(frame["code"].to_list(), on, off, strict=True)
        ]
        tokens.append(f",{_seconds(start + int(rec.duration_ms or 0))}")
        out.append(f"{_label(rec.id)}\n{_wrap(tokens)}/\n")
    Path(path).write_text("".join(out), encoding="utf-8")


def write_state(path: Path | str, recordings: Iterable[Recording]) -> None:
    """Write state data as ``code=duration``: each stream (column ``stream``, else one stream)
    must tile the session from 0 without gaps or overlaps; the session ends at its last
    offset, or at the recording's duration when that is later."""
    recordings = list(recordings)
    frames = [seg.timed(r.segments) for r in recordings]
    codes = _check_codes(c for f in frames for c in f["code"].to_list())
    out = [_declaration("State", codes)]
    for rec, frame in zip(recordings, frames, strict=True):
        if "stream" not in frame.columns:
            frame = frame.with_columns(stream=pl.lit(0))
        tokens: list[str] = []
        for k, (_, part) in enumerate(frame.group_by("stream", maintain_order=True)):
            on, off = part["segment_onset"].to_list(), part["segment_offset"].to_list()
            if on[0] != 0 or any(a != b for a, b in zip(on[1:], off[:-1], strict=True)):
                raise DataError(
                    f"{rec.id}: state stream {k + 1} does not tile the session from 0 without "
                    "gaps or overlaps; write it as timed-event data instead"
                )
            if k:
                tokens.append("&")
            tokens += [
                f"{c}={_seconds(b - a)}"
                for c, a, b in zip(part["code"].to_list(), on, off, strict=True)
            ]
        end = max(int(frame["segment_offset"].max() or 0), int(rec.duration_ms or 0))
        start = int(rec.extra.get("sdis_start_ms", 0))
        tokens = [f",{_seconds(start)}", *tokens, f",{_seconds(start + end)}"]
        out.append(f"{_label(rec.id)}\n{_wrap(tokens)}/\n")
    Path(path).write_text("".join(out), encoding="utf-8")
