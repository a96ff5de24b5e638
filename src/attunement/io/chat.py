"""CHAT (.cha) transcripts of CHILDES / TalkBank / HomeBank: a tolerant reader.

Format: MacWhinney, *The CHILDES Project: Tools for Analyzing Talk*, part 1 "The CHAT
Transcription Format" (talkbank.org/manuals/CHAT.pdf). pylangacq's strict mode rejects real
corpora (all 179 Brent files), so this reader accepts what CLAN accepts and warns about the rest.

One ``.cha`` file is one Recording (``id`` = file stem). Each main tier ``*SPK:`` (with its
tab-led continuation lines) is one row, timed by its media bullet ``\\x15START_END\\x15`` (ms);
lines without a bullet are kept untimed (null onset/offset) and counted in a warning. Bullets
may overlap or repeat across speakers; a line with several bullets runs from the first start to
the last end; a bullet that ends before it starts is a ``ReadError`` naming the line.

Columns beyond the core ones: ``episode`` (0-based, +1 at each ``@New Episode``), ``gem`` (the
innermost open ``@Bg``/``@Eg`` label), ``addressee`` (the codes on ``%add:``, comma-joined),
``postcodes`` (``[+ id]`` ... comma-joined), ``act`` (the ``%act:`` tier; null in privacy mode).
``extra``: ``media`` (the ``@Media`` value as written; it may name another file), ``dates`` (every
``@Date``: ISO date, episode, line), ``new_episodes`` (count of ``@New Episode``), ``key_child``.

Speaker types: a participant's three-letter code is looked up in the role map first (a user map
may say ``{"MOT": "MAL"}``), then its CHAT role (``DEFAULT_ROLES``; a user map may say
``{"Mother": "ADU"}``). The key child (role ``Target_Child``, or when there is none the ``Child``
coded CHI, else the first ``Child``) is looked up as ``Target_Child``; other ``Child`` roles are
other children. A role whose type is the default ``ADU`` becomes FEM / MAL when its ``@ID`` sex
says female / male (a user entry such as ``{"Mother": "ADU"}`` is kept as given). Codes and roles
no map knows become UNK, counted in a warning. ``speaker_id`` is the code.

``words`` counts the word tokens of the main tier: after removing bracket codes (``[...]``,
including postcodes and replacements) and the scope / quote marks ``< > “ ”``, a word is a
whitespace-separated token holding a letter that does not start with ``&`` (events ``&=``,
fragments, fillers), ``0`` (omitted words, actions) or ``+`` (terminators, linkers) and is not
``xxx`` / ``yyy`` / ``www`` (unintelligible or untranscribed). Punctuation and pauses ``(.)``
hold no letter. A compound ``peek_a_boo`` is one word.

``kind``: an utterance with any speech token (a word, an unintelligible marker or a fragment)
is ``vocal``. Otherwise its sounds are its ``&=`` events, plus a ``[= ...]`` / ``[=! ...]``
description (as in ``0 [=! laughs] .``); with no sound it is ``behaviour`` (``0 .``, an action
described on ``%act``). Sounds are looked up in ``EVENT_KINDS``; when several listed kinds occur
the first of vocal, cry, vegetative wins; sounds not in the table are ignored beside listed ones
and otherwise read as ``vocal`` and counted in a warning. The cry / vegetative split follows
LENA, which keeps cries and vegetative or fixed signals (laughs, coughs ...) apart from
speech-like vocalisation (Xu, Yapanel & Gray 2009, LENA Technical Report LTR-05-2).

Child age: the key child's ``@ID`` age ``y;m.d`` becomes ``round(y*365.25 + m*30.4375 + d)``
days (a missing month or day part is 0). ``start`` is always ``None``: ``@Date`` gives a day but
no clock time, and a made-up midnight would put every turn in the wrong clock hour. Every
``@Date`` is listed in ``extra["dates"]`` (ISO date, episode, line).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import polars as pl

from attunement import roles, segments
from attunement.errors import ReadError
from attunement.io._common import decode_text, read_bytes
from attunement.io.privacy import NUMBER, SPEAKERS
from attunement.recording import Participant, Recording

FORMAT = "chat"
EXTENSIONS = (".cha",)

# CHAT roles (CHAT manual, "Participants Header") -> speaker_type.
DEFAULT_ROLES: dict[str, str] = {
    "Target_Child": "CHI",
    **dict.fromkeys(
        ("Child", "Sister", "Brother", "Sibling", "Playmate", "Boy", "Girl", "Cousin"), "OCH"
    ),
    **dict.fromkeys(("Mother", "Grandmother", "Aunt", "Female", "Stepmother"), "FEM"),
    **dict.fromkeys(("Father", "Grandfather", "Uncle", "Male", "Stepfather"), "MAL"),
    # adults of unknown sex: FEM / MAL when the @ID sex field says so
    **dict.fromkeys(
        (
            "Adult",
            "Target_Adult",
            "Investigator",
            "Teacher",
            "Caretaker",
            "Relative",
            "Visitor",
            "Partner",
            "Doctor",
            "Nurse",
            "Therapist",
        ),
        "ADU",
    ),
    **dict.fromkeys(("Media", "Environment"), "ELE"),
    # CHAT's own "we do not know who spoke": kept as UNK on purpose (map them if you know)
    **dict.fromkeys(("Unidentified", "Uncertain"), "UNK"),
}
KEY_CHILD_ROLE = "Target_Child"
# privacy mode (io.privacy) keeps the episode number and the %add codes of typed speakers
KEEP_PRIVATE = {"episode": NUMBER, "addressee": SPEAKERS}
SEX_TYPES = {"female": "FEM", "male": "MAL"}

# Sound events (&=label, or the [=! label] of a wordless utterance) -> kind.
EVENT_KINDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "cry",
            "cries",
            "whimper",
            "whimpers",
            "fuss",
            "fusses",
            "whine",
            "whines",
        ),
        "cry",
    ),
    **dict.fromkeys(
        (
            "laugh",
            "laughs",
            "cough",
            "coughs",
            "sneeze",
            "sneezes",
            "burp",
            "burps",
            "hiccup",
            "hiccups",
            "sigh",
            "sighs",
            "gasp",
            "gasps",
            "yawn",
            "yawns",
            "involuntary",  # Brent corpus: involuntary bodily sounds
        ),
        "vegetative",
    ),
    **dict.fromkeys(
        (
            "babble",
            "babbles",
            "vocalize",
            "vocalizes",
            "vocalise",
            "vocalises",
            "voc",
            "coo",
            "coos",
            "squeal",
            "squeals",
            "grunt",
            "grunts",
            "hum",
            "hums",
            "humming",
            "sing",
            "sings",
            "raspberries",
            "speechplay",
            "labial",
            "nonspeech",
        ),
        "vocal",
    ),
}
KIND_PRIORITY = ("vocal", "cry", "vegetative")

_HEAD_MARKERS = (b"@UTF8", b"@Begin", b"@Font", b"@PID")
# a logical line (with its tab-led continuations) that the reader uses; %mor, %gra ... are skipped
# (matched after a newline: the text is read with one "\n" put in front)
_LOGICAL = re.compile(r"\n(?:[*@]|%(?:add|act):)[^\n]*(?:\n[\t ][^\n]*)*")
_STRAY = re.compile(r"\n[^@*%\s]")
_CONTINUATION = re.compile(r"\n[\t ]")
# a media bullet; the old form names the sound file: \x15%snd:"di12"_395500_395958\x15
_BULLET = r"\x15(?:%[a-z]+:\s*\"[^\"\x15]*\"_)?([0-9]{1,15})_([0-9]{1,15})-?\x15"
_AGE = re.compile(r"([0-9]{1,3});([0-9]{0,2})(?:\.([0-9]{0,2}))?")
_DATE = re.compile(r"([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_EVENT = re.compile(r"&=([^\s\[\]<>]+)")
_DESCRIPTION = re.compile(r"\[=!?\s*!?\s*([^\]]*?)\s*\]")
_POSTCODE = r"\[\+\s*[^\]]*\]"


def sniff(head: bytes) -> bool:
    """True when the text starts (after a BOM and blank space) with a CHAT header line."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(_HEAD_MARKERS)


def read(path: Path, *, role_map: dict[str, str], keep_text: bool) -> list[Recording]:
    """The one Recording in a ``.cha`` file."""
    path = Path(path)
    parser = _Parser(path, decode_text(path, read_bytes(path)))
    parser.scan()
    return [_recording(parser, role_map, keep_text)]


class _Parser:
    """One pass over the logical lines the reader uses (a line with its tab-led continuations):
    main tiers are collected for the vectorised table, headers and %add / %act are read here."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = "\n" + text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines: list[int] = []  # main tiers: 1-based line numbers and text
        self.blocks: list[str] = []
        self.episode = 0
        self.episodes: list[int] = []
        self.gems: list[str] = []
        self.gem: list[str | None] = []
        self.tiers: dict[str, list[str | None]] = {"add": [], "act": []}
        self.participants: dict[str, dict] = {}  # code -> role, name, age, sex
        self.dates: list[dict] = []
        self.media: str | None = None
        self.count: Counter = Counter()
        self.begin: int | None = None
        self.end: int | None = None  # offset of the @End line

    def scan(self) -> None:
        text, line, pos = self.text, 1, 0
        for m in _LOGICAL.finditer(text):
            start = m.start()
            line += text.count("\n", pos, start)
            pos = start
            body = m.group()
            if body[1] == "*":
                self.lines.append(line)
                self.blocks.append(body)
                self.episodes.append(self.episode)
                self.gem.append(self.gems[-1] if self.gems else None)
                self.tiers["add"].append(None)
                self.tiers["act"].append(None)
            elif body[1] == "@":
                self._header(body[2:], line, start)
            elif self.lines:
                value = _CONTINUATION.sub(" ", body[6:]).strip()
                if body[2:5] == "add":
                    value = ",".join(c for c in re.split(r"[\s,]+", value) if c)
                self.tiers[body[2:5]][-1] = value or None
            else:
                self.count["orphan_dependent"] += 1
        self.last_line = text.count("\n") - text.endswith("\n")
        self.count["stray"] = len(_STRAY.findall(text))
        if self.end is not None:
            after = _LOGICAL.findall(text, self.end)[1:] + _STRAY.findall(text, self.end)
            self.count["after_end"] = len(after)
        if not self.lines and self.begin is None:
            raise ReadError(
                self.path, "not a CHAT transcript: no @Begin header and no main tier (*SPK:)", 1
            )
        if not self.lines and self.end is None:
            raise ReadError(
                self.path,
                "the file ends inside the headers, before any main tier (*SPK:) and without "
                "@End: it looks truncated; check the copy against the original",
                self.last_line,
            )

    def _header(self, body: str, line: int, at: int) -> None:
        name, _, value = body.partition(":")
        name, value = name.strip(), _CONTINUATION.sub(" ", value).strip()
        if name == "Begin":
            self.begin = line
        elif name == "End" and self.end is None:
            self.end = at
        elif name == "Participants":
            self._participants(value)
        elif name == "ID":
            self._id(value)
        elif name == "Date":
            self._date(value, line)
        elif name == "Media" and self.media is None:
            self.media = value
        elif name == "New Episode":
            self.episode += 1
        elif name == "Bg":
            self.gems.append(value)
        elif name == "Eg":
            if value in self.gems:
                del self.gems[len(self.gems) - 1 - self.gems[::-1].index(value)]
            elif self.gems and not value:
                self.gems.pop()
            else:
                self.count["eg_unmatched"] += 1

    def _participants(self, value: str) -> None:
        for entry in value.split(","):
            parts = entry.split()  # CODE [Name] Role
            if not parts:
                continue
            info = self.participants.setdefault(parts[0], {})
            if len(parts) > 1:
                info["role"] = parts[-1]
            if len(parts) > 2:
                info["name"] = " ".join(parts[1:-1])

    def _id(self, value: str) -> None:
        # language|corpus|code|age|sex|group|SES|role|education|custom
        fields = [f.strip() for f in value.split("|")] + [""] * 10
        if not fields[2]:
            self.count["id_without_code"] += 1
            return
        info = self.participants.setdefault(fields[2], {})
        info.setdefault("role", fields[7])
        info["age"], info["sex"] = fields[3], fields[4].lower()

    def _date(self, value: str, line: int) -> None:
        m = _DATE.fullmatch(value)
        date = None
        if m and m.group(2).upper() in _MONTHS:
            try:
                date = datetime(int(m.group(3)), _MONTHS[m.group(2).upper()], int(m.group(1)))
            except ValueError:
                date = None
        if date is None:
            self.count["bad_date"] += 1
        self.dates.append({"datetime": date, "episode": self.episode, "line": line})


def _main_tiers(p: _Parser) -> pl.DataFrame:
    """Speaker, times, text, words and postcodes of every main tier, checked."""
    body = pl.col("body")
    tokens = (
        pl.col("text")
        .str.replace_all(r"\[[^\]]*\]", " ")
        .str.replace_all("[<>“”]", " ")
        .str.extract_all(r"\S+")
    )
    letter = pl.element().str.contains(r"\p{L}")
    word = letter & ~pl.element().str.contains(r"^(?:[&0+]|(?i:xxx|yyy|www)$)")
    speech = letter & ~pl.element().str.contains(r"^(?:&=|0)")
    postcodes = (
        pl.col("text")
        .str.extract_all(_POSTCODE)
        .list.eval(pl.element().str.strip_chars("[+ ]"))
        .list.join(",")
    )
    frame = (
        pl.DataFrame(
            {
                "source_line": p.lines,
                "block": p.blocks,
                "episode": p.episodes,
                "gem": p.gem,
                "addressee": p.tiers["add"],
                "act": p.tiers["act"],
            },
            schema={
                "source_line": pl.Int64,
                "block": pl.String,
                "episode": pl.Int64,
                "gem": pl.String,
                "addressee": pl.String,
                "act": pl.String,
            },
        )
        .lazy()
        .with_columns(
            pl.col("block").str.extract(r"^\n\*([^:\s]+):", 1).alias("speaker_id"),
            pl.col("block").str.replace(r"^\n\*[^:]*:", "").alias("body"),
        )
        .with_columns(
            body.str.extract_groups(_BULLET).alias("bullet"),
            body.str.count_matches(_BULLET).alias("bullets"),
            body.str.count_matches("\x15", literal=True).alias("marks"),
            body.str.replace_all(_BULLET, "")
            .str.replace_all("\n\t", " ", literal=True)
            .str.strip_chars()
            .alias("text"),
        )
        .with_columns(
            pl.col("bullet").struct.field("1").cast(pl.Int64).alias("segment_onset"),
            pl.col("bullet").struct.field("2").cast(pl.Int64).alias("segment_offset"),
            tokens.list.eval(word).list.sum().cast(pl.Float64).alias("words"),
            tokens.list.eval(speech).list.any().alias("speech"),
            pl.when(postcodes != "").then(postcodes).alias("postcodes"),
        )
        .collect()
    )
    return _check(p, frame).drop("block", "bullet", "marks")


def _check(p: _Parser, frame: pl.DataFrame) -> pl.DataFrame:
    """Malformed main tiers and bullets become a ReadError naming the first bad line. A line with
    several bullets runs from the first start to the last end."""
    lines = frame["source_line"]
    bad = frame["speaker_id"].is_null()
    if bad.any():
        raise ReadError(
            p.path,
            "a main tier must look like *SPK:<tab>utterance (a speaker code, a colon, the "
            "utterance); this line does not",
            int(lines.filter(bad)[0]),
        )
    bad = frame["marks"] != 2 * frame["bullets"]
    if bad.any():
        raise ReadError(
            p.path,
            "malformed media bullet: expected \\x15START_END\\x15 with START and END in "
            "milliseconds",
            int(lines.filter(bad)[0]),
        )
    several = frame["bullets"] > 1
    bullets = [
        (line, b)
        for line, body in zip(lines.filter(several), frame["body"].filter(several), strict=True)
        for b in re.findall(_BULLET, body)
    ]
    for line, (start, end) in bullets:
        if int(end) < int(start):
            raise ReadError(p.path, _backwards(start, end), line)
    bad = (frame["segment_offset"] < frame["segment_onset"]).fill_null(False)
    if bad.any():
        row = frame.filter(bad).row(0, named=True)
        raise ReadError(
            p.path, _backwards(row["segment_onset"], row["segment_offset"]), row["source_line"]
        )
    if not bullets:
        return frame
    last_end = {line: int(end) for line, (_, end) in bullets}
    frame = frame.with_columns(
        pl.col("source_line")
        .replace_strict(last_end, default=pl.col("segment_offset"), return_dtype=pl.Int64)
        .alias("segment_offset")
    )
    line = frame.filter(pl.col("segment_offset") < pl.col("segment_onset"))["source_line"]
    if len(line):
        raise ReadError(p.path, "the media bullets of this line go backwards", int(line[0]))
    return frame


def _backwards(start: object, end: object) -> str:
    return f"media bullet ends before it starts ({start}_{end} ms); fix the times"


def _age_days(age: str) -> int | None:
    m = _AGE.match(age or "")
    if not m:
        return None
    y, mo, d = (int(g) if g else 0 for g in m.groups())
    return round(y * 365.25 + mo * 30.4375 + d)


def _speaker_types(
    participants: dict[str, dict], role_map: dict[str, str]
) -> tuple[dict[str, str | None], str | None]:
    """code -> speaker_type (None when no map knows it), and the key child's code."""
    by_role = [(code, info.get("role", "")) for code, info in participants.items()]
    key = next((c for c, r in by_role if r == KEY_CHILD_ROLE), None)
    if key is None:
        children = [c for c, r in by_role if r == "Child"]
        key = "CHI" if "CHI" in children else (children[0] if children else None)
    out: dict[str, str | None] = {}
    for code, role in by_role:
        lookup = KEY_CHILD_ROLE if code == key else role
        kind = role_map.get(code)
        if kind is None and lookup in role_map:
            kind = role_map[lookup]
            if kind == "ADU" and DEFAULT_ROLES.get(lookup) == "ADU":
                kind = SEX_TYPES.get(participants[code].get("sex", ""), "ADU")
        out[code] = kind
    return out, key


def _sound_kind(text: str) -> str | None:
    """Kind of a wordless utterance from its sounds (None: only sounds not in the table)."""
    sounds = [e.lower() for e in _EVENT.findall(text)]
    sounds += [d.lower() for d in _DESCRIPTION.findall(text) if d]
    if not sounds:
        return "behaviour"
    kinds = {EVENT_KINDS.get(s) for s in sounds} - {None}
    return next((k for k in KIND_PRIORITY if k in kinds), None)


def _recording(p: _Parser, role_map: dict[str, str], keep_text: bool) -> Recording:
    frame = _main_tiers(p)
    warnings: list[str] = []
    n_rows = Counter(frame["speaker_id"].to_list())
    undeclared = sorted(c for c in n_rows if c not in p.participants)
    if undeclared:
        warnings.append(
            f"speaker(s) {', '.join(undeclared)} speak on main tiers but are not in "
            "@Participants; typed by their code in the role map, else UNK"
        )
    for code in undeclared:
        p.participants[code] = {"role": ""}
    types, key = _speaker_types(p.participants, role_map)
    unknown: Counter = Counter()
    for code, kind in types.items():
        if kind is None and n_rows[code]:
            unknown[p.participants[code].get("role") or code] += n_rows[code]
    warnings += roles.unknown_warning(unknown, "CHAT")
    speaker_type = {c: k or "UNK" for c, k in types.items()}

    wordless = Counter(frame["text"].filter(~frame["speech"]).to_list())
    sound_kinds = {text: _sound_kind(text) for text in wordless}
    unlisted: Counter = Counter()
    for text, n in wordless.items():
        if sound_kinds[text] is None:
            sounds = _EVENT.findall(text) + _DESCRIPTION.findall(text)
            unlisted.update({s.lower(): n for s in sounds})
    frame = frame.select(
        "segment_onset",
        "segment_offset",
        pl.col("speaker_id")
        .replace_strict(speaker_type, return_dtype=segments.SpeakerType)
        .alias("speaker_type"),
        "speaker_id",
        pl.when(pl.col("speech"))
        .then(pl.lit("vocal"))
        .otherwise(
            pl.col("text").replace_strict(
                {t: k or "vocal" for t, k in sound_kinds.items()}, default="vocal"
            )
        )
        .cast(segments.Kind)
        .alias("kind"),
        "words",
        "text",
        "source_line",
        "episode",
        "gem",
        "addressee",
        "postcodes",
        pl.col("act") if keep_text else pl.lit(None, dtype=pl.String).alias("act"),
    )
    table = segments.build(frame, keep_text=keep_text)
    warnings += _warnings(p, table)
    defaulted = sum(n for t, n in wordless.items() if sound_kinds[t] is None)
    if defaulted:
        listed = ", ".join(f"{k!r} ×{v}" for k, v in unlisted.most_common())
        warnings.append(
            f"{defaulted} wordless utterance(s) have only sounds not in chat.EVENT_KINDS"
            f"{f' ({listed})' if keep_text else ''}; read as kind 'vocal'"
        )
    info = p.participants.get(key, {}) if key else {}
    age = _age_days(info.get("age", ""))
    if info.get("age") and age is None:
        warnings.append("the key child's @ID age is not y;m.d, so child_age_days is unknown")
    extra = {
        "media": p.media,
        "dates": [
            {
                "date": d["datetime"].date().isoformat() if d["datetime"] else None,
                "episode": d["episode"],
                "line": d["line"],
            }
            for d in p.dates
        ],
        "new_episodes": p.episode,
        "key_child": key,
    }
    participants = [
        Participant(
            id=code,
            role=info.get("role", ""),
            speaker_type=speaker_type[code],
            name=info.get("name") if keep_text else None,
        )
        for code, info in p.participants.items()
    ]
    return Recording(
        id=p.path.stem,
        path=str(p.path),
        format=FORMAT,
        segments=table,
        child_age_days=age,
        participants=participants,
        warnings=warnings,
        extra=extra,
        keep_text=keep_text,
    )


def _warnings(p: _Parser, table: pl.DataFrame) -> list[str]:
    out = []
    n = table.height
    untimed = table["segment_onset"].null_count()
    if untimed:
        out.append(
            f"{untimed} of {n} main tier line(s) have no media bullet; kept untimed "
            "(null onset/offset, sorted last)"
        )
    if n == 0:
        out.append("the transcript has no main tier (*SPK:) lines")
    if p.begin is None:
        out.append("no @Begin header; read anyway")
    if p.end is None:
        out.append(
            f"no @End header: the file may be truncated after line {p.last_line}; "
            "everything up to there was read"
        )
    messages = {
        "after_end": "line(s) after @End were read as part of the transcript",
        "stray": "line(s) that start with none of @ * % or a tab were skipped",
        "orphan_dependent": "dependent tier(s) (%add/%act) before the first main tier skipped",
        "eg_unmatched": "@Eg header(s) without a matching @Bg ignored",
        "bad_date": "@Date header(s) not in DD-MON-YYYY form (kept in extra['dates'] as null)",
        "id_without_code": "@ID header(s) without a speaker code ignored",
    }
    out += [f"{p.count[k]} {text}" for k, text in messages.items() if p.count[k]]
    if p.gems:
        out.append(f"{len(p.gems)} @Bg gem(s) never closed by @Eg; they run to the end")
    return out
