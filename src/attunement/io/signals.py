"""Two continuous signals (motion energy, pitch, arousal ...) from a text or CSV file.

Format: a header line naming the two columns, then one sample per line with two numeric cells,
column 1 = s1 and column 2 = s2 (rMEA's layout: ``readMEA(..., s1Col = 1, s2Col = 2, skip = 1)``).
Cells are separated by commas when the header line holds a comma, otherwise by any run of spaces
or tabs. Header names may be quoted (``"pat" "th"``); a first line whose two cells are both numbers
is taken as data, with the names ``s1`` and ``s2``.

Missing samples: a cell ``NA`` (R's marker), NaN in any spelling Python reads (``NaN``, ``nan``) or,
in comma-separated files, an empty cell is read as NaN and kept in place, so that time stays
aligned; ``Signals.n_missing`` counts them per column. The synchrony measures then treat NaN as rMEA
does (pairs with a missing value are left out; a window with more than half missing is missing).
Blank lines hold no sample and are skipped. Anything else (a line without exactly two cells, a cell
that is not a number, an infinite value, no data at all, a binary or non-UTF-8 file) raises
``ReadError`` naming the file, the line and the problem.

This is not a segments reader: it is not registered in ``io.registry``.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from attunement.errors import ReadError
from attunement.io._common import read_text

MISSING = frozenset({"NA", "NaN", "nan", ""})


class Signals(NamedTuple):
    """Column names and the two signals (float64, NaN where a sample is missing)."""

    names: tuple[str, str]
    s1: np.ndarray
    s2: np.ndarray

    @property
    def n_missing(self) -> tuple[int, int]:
        """Missing samples (NaN) in s1 and in s2."""
        return int(np.isnan(self.s1).sum()), int(np.isnan(self.s2).sum())


def read_signals(path: str | Path) -> Signals:
    """Read a two-column signal file (see the module docstring for the format and the rules)."""
    path = Path(path)
    lines = read_text(path).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbers = [i for i, line in enumerate(lines) if line.strip()]
    if not numbers:
        raise ReadError(path, "the file is empty")
    first = numbers[0]
    comma = "," in lines[first]

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.split(",")] if comma else line.split()

    header = [c.strip().strip("\"'") for c in cells(lines[first])]
    if len(header) != 2:
        raise ReadError(
            path, f"the header has {len(header)} column(s); expected 2 (s1 and s2)", first + 1
        )
    if all(_is_number(c) for c in header):
        names = ("s1", "s2")
    else:
        names = (header[0], header[1])
        numbers = numbers[1:]
    if not numbers:
        raise ReadError(path, "no data lines after the header")
    rows = [cells(lines[i]) for i in numbers]
    widths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    wrong = np.flatnonzero(widths != 2)
    if wrong.size:
        at = int(wrong[0])
        raise ReadError(
            path, f"expected 2 cells ({names[0]}, {names[1]}), found {widths[at]}", numbers[at] + 1
        )
    flat = ["nan" if c in MISSING else c for row in rows for c in row]
    try:
        values = np.fromiter(map(float, flat), dtype=np.float64, count=len(flat))
    except ValueError:
        at = next(k for k, c in enumerate(flat) if not _is_number(c))
        raise ReadError(
            path,
            f"column {at % 2 + 1} ({names[at % 2]}) is not a number "
            f"(missing samples: {', '.join(repr(m) for m in sorted(MISSING))})",
            numbers[at // 2] + 1,
        ) from None
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        at = int(infinite[0])
        raise ReadError(
            path,
            f"column {at % 2 + 1} ({names[at % 2]}) is infinite; write NA for a missing sample",
            numbers[at // 2] + 1,
        )
    pairs = values.reshape(-1, 2)
    return Signals(names, pairs[:, 0].copy(), pairs[:, 1].copy())


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
