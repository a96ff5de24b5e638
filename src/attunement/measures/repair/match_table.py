"""Match tables: which caregiver state and child state count as matched, mismatched or neutral.

Matching is data, not code. A match table is a CSV with the columns ``caregiver_code``,
``child_code`` and ``relation`` (``match``, ``mismatch`` or ``neutral``), after optional comment
lines ``# name: ...``, ``# version: ...``, ``# source: ...``, ``# definition: ...`` and
``# caveat: ...``. A table without a version line is versioned by its content (``sha256:`` and
the first 12 hex digits of the file's SHA-256), so two different files never share a version; a
caveat is repeated in the warnings of every result that uses the table. A ``*`` stands for any
code: an exact pair wins over a row with one ``*`` (the caregiver's row first), which wins over
``*,*`` (the table's declared default). A pair that no row covers is an error naming the pair:
there is no silent default. Combined states (``"Cneg+Cpos"``: several codes of one partner in the
same interval) are looked up as written. Intervals where either partner is uncoded are never
looked up: they form a fourth class, ``uncoded``.

Presets (``tables/``): ``icep-r-reading-1`` (our reading of the ICEP-R coordination scheme,
Weinberg & Tronick; Reck et al. 2004: not the manual's table, and it says so), ``monadic-phases``
(Tronick, Als & Brazelton 1980; Cohn & Tronick 1987), ``valence`` (positive/negative codes, as in
ConNEcT's AttachmentData). Each file's header gives its version, source and definition.

The tables differ in meaning, not only in codes: in ``valence`` negative with negative is a
match (shared affect), in ``icep-r-reading-1`` every infant-negative cell is a mismatch (the infant
is not socially available), so "matching proportion" means a different thing under each. That is
why every result names its table, version and definition.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from attunement.errors import ParameterError
from attunement.measures.coded_streams import JointStates
from attunement.measures.families.repair import PRESETS, RENAMED

RELATIONS: tuple[str, ...] = ("match", "mismatch", "neutral", "uncoded")
MATCH, MISMATCH, NEUTRAL, UNCODED = range(4)
ANY = "*"
HEADER = ("caregiver_code", "child_code", "relation")


class MatchTableError(ParameterError):
    """A match table is malformed, unknown, or does not cover a coded pair."""


@dataclass(frozen=True)
class MatchTable:
    """``relations[(caregiver_code, child_code)]`` -> ``match`` / ``mismatch`` / ``neutral``."""

    name: str
    relations: dict[tuple[str, str], str]
    source: str = ""
    definition: str = ""
    path: str = ""
    version: str = ""
    caveat: str = ""

    def relation(self, caregiver: str, child: str) -> str | None:
        """The relation of one pair by the precedence of the module docstring, or None."""
        for key in ((caregiver, child), (caregiver, ANY), (ANY, child), (ANY, ANY)):
            if key in self.relations:
                return self.relations[key]
        return None

    def classify(self, states: JointStates) -> np.ndarray:
        """Each interval's relation code (``MATCH``, ``MISMATCH``, ``NEUTRAL``, ``UNCODED``);
        raises ``MatchTableError`` listing the pairs the table does not cover."""
        uncoded = (states.child == "") | (states.caregiver == "")
        out = np.full(states.n, UNCODED, dtype=np.int8)
        if not (~uncoded).any():
            return out
        keys = np.char.add(np.char.add(states.caregiver[~uncoded], "\x1f"), states.child[~uncoded])
        unique, inverse = np.unique(keys, return_inverse=True)
        codes = np.empty(len(unique), dtype=np.int8)
        missing = []
        for i, key in enumerate(unique):  # one look-up per distinct pair, not per interval
            caregiver, child = str(key).split("\x1f")
            found = self.relation(caregiver, child)
            if found is None:
                missing.append((caregiver, child, int((inverse == i).sum())))
            else:
                codes[i] = RELATIONS.index(found)
        if missing:
            listed = "; ".join(
                f"caregiver {c!r} with child {k!r} ({n} interval(s))" for c, k, n in missing[:8]
            )
            raise MatchTableError(
                f"match table {self.name!r} has no row for {len(missing)} coded pair(s): {listed}. "
                "Add rows (or a '*' default) to a copy of the table and pass its path."
            )
        out[~uncoded] = codes[inverse]
        return out


def load_match_table(source: str | Path | MatchTable) -> MatchTable:
    """A preset by name (``icep-r-reading-1``, ``monadic-phases``, ``valence``), a CSV path or a
    table."""
    if isinstance(source, MatchTable):
        return source
    if str(source) in PRESETS:
        text = resources.files(__package__).joinpath("tables", f"{source}.csv").read_text("utf-8")
        return parse_match_table(text, f"preset {source}")
    path = Path(source)
    if not path.is_file():
        renamed = RENAMED.get(str(source))
        hint = f" ({source} is now {renamed}: the table is versioned)" if renamed else ""
        raise MatchTableError(
            f"unknown match table {str(source)!r}{hint}: not a preset ({', '.join(PRESETS)}) and "
            "not a CSV file"
        )
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MatchTableError(f"{path}: cannot read match table ({exc})") from None
    return parse_match_table(text, str(path))


def parse_match_table(text: str, origin: str) -> MatchTable:
    """A match table from CSV text (see the module docstring); errors name ``origin`` and line."""
    meta: dict[str, str] = {}
    relations: dict[tuple[str, str], str] = {}
    header_seen = False
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            key, sep, value = line.lstrip("# ").partition(":")
            if sep and key.strip() in ("name", "version", "source", "definition", "caveat"):
                meta[key.strip()] = value.strip()
            continue
        row = next(csv.reader([line]))
        cells = tuple(c.strip() for c in row)
        if not header_seen:
            if cells != HEADER:
                raise MatchTableError(f"{origin}:{number}: header must be {','.join(HEADER)}")
            header_seen = True
            continue
        if len(cells) != 3 or not cells[0] or not cells[1]:
            raise MatchTableError(
                f"{origin}:{number}: need caregiver_code, child_code, relation; got {row!r}"
            )
        if cells[2] not in RELATIONS[:3]:
            raise MatchTableError(
                f"{origin}:{number}: relation {cells[2]!r} is not match, mismatch or neutral"
            )
        key = (cells[0], cells[1])
        if relations.get(key, cells[2]) != cells[2]:
            raise MatchTableError(f"{origin}:{number}: pair {key} is listed twice, differently")
        relations[key] = cells[2]
    if not relations:
        raise MatchTableError(f"{origin}: no rows (need a header {','.join(HEADER)} and rows)")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return MatchTable(
        name=meta.get("name", Path(origin).stem),
        relations=relations,
        source=meta.get("source", ""),
        definition=meta.get("definition", ""),
        path=origin,
        version=meta.get("version", f"sha256:{digest}"),
        caveat=meta.get("caveat", ""),
    )
