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
    speaker = pl.col("speaker_type").cast(pl.String)
    kind_ok = pl.lit(True) if kinds is None else pl.col("kind").cast(pl.String).is_in(list(kinds))
    words_ok = pl.col("words").is_null() | (pl.col("words") > 0) if adult_words else pl.lit(True)
    cancel = speaker.is_in(list(cancel_types)) & ~pl.col("speaker_id").is_in(
        list(cancel_exclude_ids)
    )
    code = (
        pl.when(speaker.is_in(list(child_types)) & kind_ok)
        .then(CHILD)
        .when(speaker.is_in(list(adult_types)) & kind_ok & words_ok)
        .then(ADULT)
        .when(cancel)
        .then(CANCEL)
        .otherwise(IGNORE)
    )
    return frame.select(code.cast(pl.Int8)).to_series().to_numpy()
