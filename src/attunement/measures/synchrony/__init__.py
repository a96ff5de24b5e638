"""Synchrony: continuous signals (movement energy, pitch, arousal) and coded state streams.

``wcc(s1, s2, rate=, lag_s=, window_s=, step_s=)`` computes windowed cross-correlation with
rMEA's output (``wcc``); ``peaks(result, search_s=)`` picks Boker et al.'s (2002) peak nearest
lag 0 in each window (``peaks``); ``circular_shift``, ``segment_shuffle`` and ``pseudo_dyads``
test any synchrony statistic against seeded surrogates (``surrogates``). For categorical streams,
``cross_recurrence(x, y)`` gives the diagonal recurrence profile and RQA measures
(``recurrence``) and ``state_space_grid(bounds, x, y)`` Hollenstein's grid measures
(``statespace``).
"""

from __future__ import annotations

from attunement.measures.synchrony.peaks import PeakResult, peaks
from attunement.measures.synchrony.recurrence import (
    CrossRecurrenceResult,
    cross_recurrence,
    cross_recurrence_matrix,
)
from attunement.measures.synchrony.statespace import (
    StateSpaceGridResult,
    dispersion,
    state_space_grid,
)
from attunement.measures.synchrony.surrogates import (
    SurrogateResult,
    circular_shift,
    pseudo_dyads,
    segment_shuffle,
)
from attunement.measures.synchrony.wcc import WCCResult, wcc

__all__ = [
    "CrossRecurrenceResult",
    "PeakResult",
    "StateSpaceGridResult",
    "SurrogateResult",
    "WCCResult",
    "circular_shift",
    "cross_recurrence",
    "cross_recurrence_matrix",
    "dispersion",
    "peaks",
    "pseudo_dyads",
    "segment_shuffle",
    "state_space_grid",
    "wcc",
]
