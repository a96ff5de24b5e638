"""Which rows of a segments table take part in a turn rule, as one role code per row.

A *child unit* is a key-child row (``speaker_type`` CHI) of an allowed kind (default: ``vocal``,
so cries and vegetative sounds never count). An *adult unit* is a FEM, MAL or ADU row of an
allowed kind; where a ``words`` value is present and ``adult_words`` is set, the row must carry
at least one word (LENA's adult word segments). A *cancel* row (an other child, by default) breaks
a pending turn in the rules that use it. Every other row is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

from attunement.measures.turns.kernels import ADULT, CANCEL, CHILD, IGNORE
from attunement.segments import KINDS, SPEAKER_TYPES


def is_type(frame: pl.DataFrame, types: Iterable[str]) -> np.ndarray:
    """Boolean per row: is ``speaker_type`` one of ``types``?"""
    return _lookup(frame, "speaker_type", SPEAKER_TYPES, types)


def is_kind(frame: pl.DataFrame, kinds: Iterable[str]) -> np.ndarray:
    """Boolean per row: is ``kind`` one of ``kinds``?"""
    return _lookup(frame, "kind", KINDS, kinds)


def _lookup(frame: pl.DataFrame, column: str, vocabulary: tuple[str, ...], wanted) -> np.ndarray:
    """Boolean per row: is the Enum ``column`` one of ``wanted``? (A table lookup on the
    Enum's integer codes: ~50x faster than comparing strings; measured 0.2 vs 8 ms on 50k
    rows.)"""
    table = np.isin(np.array(vocabulary), list(wanted))
    return table[frame[column].to_physical().to_numpy()]


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
    n = frame.height
    kind_ok = np.ones(n, bool) if kinds is None else _lookup(frame, "kind", KINDS, kinds)
    child = _lookup(frame, "speaker_type", SPEAKER_TYPES, child_types) & kind_ok
    adult = _lookup(frame, "speaker_type", SPEAKER_TYPES, adult_types) & kind_ok & ~child
    if adult_words:
        words = frame["words"].to_numpy()
        adult &= np.isnan(words) | (words > 0)
    cancel = _lookup(frame, "speaker_type", SPEAKER_TYPES, cancel_types) & ~child & ~adult
    excluded = list(cancel_exclude_ids)
    if excluded and cancel.any():
        cancel &= ~frame["speaker_id"].is_in(excluded).fill_null(False).to_numpy()
    role = np.full(n, IGNORE, np.int8)
    role[cancel] = CANCEL
    role[adult] = ADULT
    role[child] = CHILD
    return role
