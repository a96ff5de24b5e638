"""Null distributions for every resampling test of the package, and their one p-value.

- ``monte_carlo_p`` (``pvalue``): the Monte Carlo p-value of an observed statistic against its
  null draws, with its standard error; every p of a resampling test in the package comes from it.
- Circular shifts (``shifts``): ``draw_shifts`` draws the shifts; ``shift_events`` applies one
  to event times on a circular timeline, ``rolled`` to a grid or a signal.
- Pseudo-dyads and segment shuffles (``pairing``): ``pseudo_pairs`` pairs one dyad's member with
  another dyad's partner; ``shuffled_segments`` reorders a signal's segments.
- Permutation within sequences (``within``, numba kernels; import it where it is used):
  ``permute_within`` shuffles codes within each sequence, optionally keeping immediate repeats
  impossible.

One vocabulary: ``n_resamples`` is the number of null draws, ``seed`` an int (or a numpy
Generator) that makes them reproducible. Users: turns' chance baseline, sequential's
permutation and time-window nulls, synchrony's surrogates.
"""

from __future__ import annotations

from attunement.measures.nulls.pairing import pseudo_pairs, shuffled_segments
from attunement.measures.nulls.pvalue import ALTERNATIVES, MonteCarloP, monte_carlo_p
from attunement.measures.nulls.shifts import draw_shifts, rolled, shift_events

__all__ = [
    "ALTERNATIVES",
    "MonteCarloP",
    "draw_shifts",
    "monte_carlo_p",
    "pseudo_pairs",
    "rolled",
    "shift_events",
    "shuffled_segments",
]
