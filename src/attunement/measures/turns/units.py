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


def _codes(frame: pl.DataFrame, column: str) -> np.ndarray:
    """The integer codes of an Enum column, shape (rows,)."""
    return frame[column].to_physical().to_numpy()


def _member(codes: np.ndarray, vocabulary: tuple[str, ...], wanted: Iterable[str]) -> np.ndarray:
    """Boolean per code: is it one of ``wanted``? A table lookup on the Enum's integer codes,
    about 50x faster than comparing strings (0.2 vs 8 ms on 50k rows)."""
    return _table(vocabulary, frozenset(wanted))[codes]


@cache
def _table(vocabulary: tuple[str, ...], wanted: frozenset[str]) -> np.ndarray:
    return np.array([name in wanted for name in vocabulary], dtype=bool)


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
    excluded = sorted(set(cancel_exclude_ids))
    columns = [pl.col("speaker_type", "kind").to_physical()]
    if excluded:  # a few equality tests in the same pass: 0.08 ms, is_in costs 0.3 ms
        same = pl.any_horizontal([pl.col("speaker_id") == i for i in excluded])
        columns.append(same.fill_null(False).alias("_excluded"))
    got = frame.select(columns)
    table = _role_table(
        frozenset(child_types),
        frozenset(adult_types),
        frozenset(cancel_types),
        None if kinds is None else frozenset(kinds),
    )
    role = table[got["speaker_type"].to_numpy(), got["kind"].to_numpy()]
    if adult_words:
        words = frame["words"].to_numpy()
        role[(role == ADULT) & (words <= 0)] = IGNORE  # NaN (no count) compares False: kept
    if excluded:
        role[(role == CANCEL) & got["_excluded"].to_numpy()] = IGNORE
    return role


@cache
def _role_table(
    child: frozenset[str],
    adult: frozenset[str],
    cancel: frozenset[str],
    kinds: frozenset[str] | None,
) -> np.ndarray:
    """Role code for every (speaker_type, kind) pair of codes: one lookup per row instead of a
    comparison per rule (0.04 ms for 23k rows)."""
    table = np.full((len(SPEAKER_TYPES), len(KINDS)), IGNORE, np.int8)
    for t, speaker in enumerate(SPEAKER_TYPES):
        for k, kind in enumerate(KINDS):
            kind_ok = kinds is None or kind in kinds
            if speaker in child and kind_ok:
                table[t, k] = CHILD
            elif speaker in adult and kind_ok:
                table[t, k] = ADULT
            elif speaker in cancel:
                table[t, k] = CANCEL
    return table
