"""Which rows of a segments table take part in a turn rule, as one role code per row.

A *child unit* is a key-child row (``speaker_type`` CHI) of an allowed kind (default: ``vocal``,
so cries and vegetative sounds never count). An *adult unit* is a FEM, MAL or ADU row of an
allowed kind; where a ``words`` value is present and ``adult_words`` is set, the row must carry
at least one word (LENA's adult word segments). A *cancel* row (an other child, by default) breaks
a pending turn in the rules that use it. Every other row is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import numpy as np
import polars as pl

from attunement.measures.turns.kernels import ADULT, CANCEL, CHILD, IGNORE
from attunement.segments import KINDS, SPEAKER_TYPES


def is_type(frame: pl.DataFrame, types: Iterable[str]) -> np.ndarray:
    """Boolean per row: is ``speaker_type`` one of ``types``?"""
    return _member(_codes(frame, "speaker_type"), SPEAKER_TYPES, types)


def is_kind(frame: pl.DataFrame, kinds: Iterable[str]) -> np.ndarray:
    """Boolean per row: is ``kind`` one of ``kinds``?"""
    return _member(_codes(frame, "kind"), KINDS, kinds)


def _codes(frame: pl.DataFrame, *columns: str) -> np.ndarray:
    """The integer codes of Enum columns, one row per table row, in one polars pass."""
    return frame.select(pl.col(*columns).to_physical()).to_numpy()


def _member(codes: np.ndarray, vocabulary: tuple[str, ...], wanted: Iterable[str]) -> np.ndarray:
    """Boolean per code: is it one of ``wanted``? A table lookup on the Enum's integer codes,
    about 50x faster than comparing strings (0.2 vs 8 ms on 50k rows)."""
    return _table(vocabulary, frozenset(wanted))[codes]


@cache
def _table(vocabulary: tuple[str, ...], wanted: frozenset[str]) -> np.ndarray:
    return np.array([name in wanted for name in vocabulary], dtype=bool)


def _with_ids(frame: pl.DataFrame, rows: np.ndarray, ids: frozenset[str]) -> np.ndarray:
    """The ``rows`` whose ``speaker_id`` is in ``ids``. Few rows: a Python set lookup (0.09 ms
    for 800 rows, where polars' is_in over the column costs 0.25-0.3 ms); many: polars."""
    column = frame["speaker_id"].gather(rows)
    if len(rows) <= 50_000:
        return rows[np.array([i in ids for i in column.to_list()], dtype=bool)]
    return rows[column.is_in(list(ids)).fill_null(False).to_numpy()]


def roles(
    frame: pl.DataFrame,
    *,
    child_types: Iterable[str] = ("CHI",),
    adult_types: Iterable[str] = ("FEM", "MAL", "ADU"),
    cancel_types: Iterable[str] = (),
    cancel_exclude_ids: Iterable[str] = (),
    kinds: Iterable[str] | None = ("vocal",),
    adult_words: bool = False,
) -> np.ndarray:
    """One int8 role code per row (see ``kernels``): CHILD, ADULT, CANCEL or IGNORE."""
    got = frame.select(pl.col("speaker_type", "kind").to_physical())
    types, kind_codes = got["speaker_type"].to_numpy(), got["kind"].to_numpy()
    kind_ok = np.ones(frame.height, bool) if kinds is None else _member(kind_codes, KINDS, kinds)
    child = _member(types, SPEAKER_TYPES, child_types) & kind_ok
    adult = _member(types, SPEAKER_TYPES, adult_types) & kind_ok & ~child
    if adult_words:
        words = frame["words"].to_numpy()
        adult &= np.isnan(words) | (words > 0)
    cancel = _member(types, SPEAKER_TYPES, cancel_types) & ~child & ~adult
    excluded = frozenset(cancel_exclude_ids)
    if excluded and cancel.any():
        cancel[_with_ids(frame, np.flatnonzero(cancel), excluded)] = False
    role = np.full(frame.height, IGNORE, np.int8)
    role[cancel] = CANCEL
    role[adult] = ADULT
    role[child] = CHILD
    return role
