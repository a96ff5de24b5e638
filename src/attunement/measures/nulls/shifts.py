"""Circular shifts: the one engine behind every shift null (turns' chance baseline, the
time-window null of sequential analysis, synchrony's surrogates).

A circular-shift surrogate slides one stream along the other by k and wraps what passes the end
back to the start. Each stream keeps its own amount, rhythm and autocorrelation (broken only at
the single wrap point); only their alignment is destroyed (Moulder, Boker, Ramseyer & Tschacher
2018, Psychological Methods 23:757; Theiler et al. 1992, Physica D 58:77, for surrogate data).
k is drawn uniformly from the integers [min_shift, length - min_shift]: on a circle of
``length`` a shift of k and one of length - k are equally far from the true alignment, so no
surrogate comes within ``min_shift`` of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from attunement.errors import ParameterError
from attunement.measures.nulls.seeds import generator


def draw_shifts(
    n_resamples: int, length: int, min_shift: int, seed: int | np.random.Generator = 0
) -> np.ndarray:
    """``n_resamples`` shifts uniform on the integers [``min_shift``, ``length - min_shift``]
    (in the caller's unit: ms, grid units or samples), from ``numpy.random.default_rng(seed)``."""
    if min_shift < 0 or length < 2 * min_shift:
        raise ParameterError(
            f"a length of {length} is too short for circular shifts of at least {min_shift} "
            "(the length must be at least twice the smallest shift)"
        )
    rng = generator(seed)
    return rng.integers(min_shift, length - min_shift, size=n_resamples, endpoint=True)


def shift_events(
    onset: np.ndarray, offset: np.ndarray, shift: int, duration: int
) -> tuple[np.ndarray, np.ndarray]:
    """Events moved by ``shift`` on a circular timeline of ``duration``: each onset wraps modulo
    ``duration`` and each event keeps its length (so an offset may pass the end)."""
    moved = (np.asarray(onset) + shift) % duration
    return moved, moved + (np.asarray(offset) - np.asarray(onset))


def rolled(values: np.ndarray, shifts: Iterable[int]) -> Iterator[np.ndarray]:
    """``values`` (a unit grid or a signal) rotated by each shift in turn: element i moves to
    i + k modulo the length (``numpy.roll``)."""
    for k in shifts:
        yield np.roll(values, int(k))
