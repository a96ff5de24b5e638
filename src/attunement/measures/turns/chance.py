"""Chance baseline: how many turns the rule counts when the adults' timing is unrelated to the
child's. Each of ``n_resamples`` draws moves every adult unit circularly by one random shift
(``attunement.measures.nulls``: uniform on the whole milliseconds [``min_shift``, duration -
``min_shift``), onsets wrapped modulo the duration, lengths kept), keeping the adults' own
rhythm and amount of talk and the child's stream untouched, and recounts with the same rule (a
circular-shift surrogate: Moulder, Boker, Ramseyer & Tschacher 2018, Psychological Methods
23:757). Seeded, so reproducible. LENA's conversation blocks were drawn from the real timing, so
the shifted recounts use the rule's pause boundary instead of blocks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from attunement.measures.nulls import draw_shifts, shift_events
from attunement.measures.turns.kernels import ADULT


def shifted_counts(
    frame: pl.DataFrame,
    role: np.ndarray,
    count: Callable[[pl.DataFrame], int],
    *,
    duration_ms: int,
    n_resamples: int,
    seed: int,
    min_shift_ms: int,
) -> np.ndarray:
    """Turn counts of ``n_resamples`` circularly shifted copies of ``frame`` (adult units
    moved); none when the recording is not longer than two smallest shifts or has no adult."""
    adult = role == ADULT
    # shifts on [m, D - m - 1] ms: the baseline has always left out D - m, and keeping that
    # keeps every chance figure of the same seed as published (README tables)
    span = duration_ms - 1
    if n_resamples <= 0 or span < 2 * min_shift_ms or not adult.any():
        return np.empty(0, np.int64)
    onset = frame["segment_onset"].to_numpy().copy()
    offset = frame["segment_offset"].to_numpy().copy()
    real_onset, real_offset = onset[adult], offset[adult]
    out = np.empty(n_resamples, np.int64)
    for i, shift in enumerate(draw_shifts(n_resamples, span, min_shift_ms, seed)):
        onset[adult], offset[adult] = shift_events(real_onset, real_offset, shift, duration_ms)
        shifted = frame.with_columns(
            segment_onset=pl.Series(onset, dtype=frame["segment_onset"].dtype),
            segment_offset=pl.Series(offset, dtype=frame["segment_offset"].dtype),
        ).sort("segment_onset", maintain_order=True)
        out[i] = count(shifted)
    return out
