"""RTTM reader: the output of the Voice Type Classifier (VTC) and its vocal-maturity companion.

RTTM (NIST Rich Transcription Time Marked) has one whitespace-separated line per segment:
``SPEAKER <file-id> <channel> <onset-s> <duration-s> <NA> <NA> <label> <confidence> <NA>``.
Several file ids in one file give one Recording each, in order of first appearance. Overlapping
classes are kept as they are: VTC's ``SPEECH`` segments cover the speaker classes.

Default labels (Lavechin et al. 2020, VTC 1.0 and 2.0; Al Futaisi et al. 2019, VCM):
``KCHI`` key child, ``CHI`` (VTC 1.0) and ``OCH`` (VTC 2.0) other children, ``FEM``, ``MAL``;
``SPEECH`` is speech of any speaker and maps to ``UNK``. VCM labels are key-child vocalisations:
``CNS`` canonical and ``NCS`` non-canonical syllables (kind ``vocal``), ``CRY`` (kind ``cry``),
``OTH`` laughing and other sounds (kind ``vegetative``). The label is kept in ``code``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from attunement import roles as role_maps
from attunement import segments as seg
from attunement.errors import ReadError
from attunement.io._common import read_text
from attunement.io.budget import check_count, check_time
from attunement.io.privacy import NUMBER
from attunement.recording import Recording

FORMAT = "rttm"
EXTENSIONS = (".rttm",)
DEFAULT_ROLES: dict[str, str] = {
    "KCHI": "CHI",
    "CHI": "OCH",
    "OCH": "OCH",
    "FEM": "FEM",
    "MAL": "MAL",
    "SPEECH": "UNK",
    "CNS": "CHI",
    "NCS": "CHI",
    "CRY": "CHI",
    "OTH": "CHI",
}
KEEP_PRIVATE = {"code": frozenset(DEFAULT_ROLES), "confidence": NUMBER}  # io.privacy
KIND_OF_LABEL: dict[str, str] = {"CRY": "cry", "OTH": "vegetative"}  # all others: vocal
RECORD_TYPES_SKIPPED = frozenset({"SPKR-INFO", "LEXEME", "NON-LEX", "NON-SPEECH", "FILLER"})


def sniff(head: bytes) -> bool:
    first = head.lstrip().split(b"\n", 1)[0]
    return first.startswith(b"SPEAKER ") or first.startswith(b"SPEAKER\t")


def _seconds_to_ms(value: str, path: Path, line: int, what: str) -> int:
    try:
        seconds = float(value)
    except ValueError:
        raise ReadError(path, f"{what} is not a number of seconds", line) from None
    if not seconds >= 0 or seconds == float("inf"):
        raise ReadError(path, f"{what} must be a finite number >= 0", line)
    check_time(path, seconds * 1000, line, f"{what} {value} s")
    return round(seconds * 1000)


def read(path: Path, *, role_map: dict[str, str], keep_text: bool = True) -> list[Recording]:
    """One Recording per file id, in order of first appearance."""
    text = read_text(path)
    rows: dict[str, dict[str, list]] = {}
    skipped: Counter = Counter()
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if fields[0] != "SPEAKER":
            if fields[0] in RECORD_TYPES_SKIPPED:
                skipped[fields[0]] += 1
                continue
            raise ReadError(
                path,
                "not an RTTM line: its first field is no RTTM record type (SPEAKER ...)",
                number,
            )
        if len(fields) < 8:
            raise ReadError(
                path, f"an RTTM SPEAKER line needs at least 8 fields, found {len(fields)}", number
            )
        onset = _seconds_to_ms(fields[3], path, number, "onset")
        duration = _seconds_to_ms(fields[4], path, number, "duration")
        check_time(path, onset + duration, number, "a segment ending")
        if fields[1] not in rows:
            check_count(path, "max_recordings", len(rows) + 1, "file ids", number)
        table = rows.setdefault(
            fields[1], {"onset": [], "offset": [], "label": [], "conf": [], "line": []}
        )
        table["onset"].append(onset)
        table["offset"].append(onset + duration)
        table["label"].append(fields[7])
        table["conf"].append(_confidence(fields[8] if len(fields) > 8 else "<NA>"))
        table["line"].append(number)
    if not rows:
        raise ReadError(path, "no SPEAKER lines: this RTTM file holds no segments")
    notes = [f"skipped {n} {kind} line(s) (not speaker segments)" for kind, n in skipped.items()]
    return [_recording(path, file_id, t, role_map, keep_text, notes) for file_id, t in rows.items()]


def _confidence(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _recording(
    path: Path, file_id: str, t: dict, role_map: dict, keep_text: bool, notes: list[str]
) -> Recording:
    types, unknown = role_maps.apply(t["label"], role_map)
    frame = seg.build(
        {
            "segment_onset": t["onset"],
            "segment_offset": t["offset"],
            "speaker_type": types,
            "speaker_id": t["label"],
            "kind": [KIND_OF_LABEL.get(label, "vocal") for label in t["label"]],
            "code": t["label"],
            "source_line": t["line"],
            "confidence": t["conf"],
        },
        keep_text=keep_text,
    )
    return Recording(
        id=file_id,
        path=str(path),
        format=FORMAT,
        segments=frame,
        warnings=notes + role_maps.unknown_warning(unknown, "RTTM"),
    )
