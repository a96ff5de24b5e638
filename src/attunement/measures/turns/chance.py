"""Chance baseline: how many turns the rule counts when the adults' timing is unrelated to the
child's. Each of ``n`` draws shifts every adult unit circularly by one random offset (uniform on
[``min_shift``, duration - ``min_shift``]), keeping the adults' own rhythm and amount of talk
and the child's stream untouched, and recounts with the same rule (a circular-shift surrogate:
Moulder, Boker, Ramseyer & Tschacher 2018, Psychological Methods 23:757). Seeded, so
reproducible. LENA's conversation blocks were drawn from the real timing, so the shifted
recounts use the rule's pause boundary instead of blocks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from attunement.measures.turns.kernels import ADULT


def shifted_counts(
    frame: pl.DataFrame,
    role: np.ndarray,
    count: Callable[[pl.DataFrame], int],
    *,
    duration_ms: int,
    n: int,
    seed: int,
    min_shift_ms: int,
) -> np.ndarray:
    """Turn counts of ``n`` circularly shifted copies of ``frame`` (adult units moved)."""
    if n <= 0 or duration_ms <= 2 * min_shift_ms or not (role == ADULT).any():
        return np.empty(0, np.int64)
    rng = np.random.default_rng(seed)
    adult = pl.Series(role == ADULT)
    onset = frame["segment_onset"]
    length = frame["segment_offset"] - onset
    out = np.empty(n, np.int64)
    for i, shift in enumerate(rng.integers(min_shift_ms, duration_ms - min_shift_ms, n)):
        new_onset = pl.select(
            pl.when(adult).then((onset + int(shift)) % duration_ms).otherwise(onset)
        ).to_series()
        shifted = frame.with_columns(
            segment_onset=new_onset, segment_offset=new_onset + length
        ).sort("segment_onset", maintain_order=True)
        out[i] = count(shifted)
    return out
