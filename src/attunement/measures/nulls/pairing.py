"""Pseudo-dyads and segment shuffles: nulls that keep every piece and break which pieces go
together.

- Pseudo-dyads: the first member of dyad i (the child, the antecedent stream, signal s1) meets
  the partner of dyad j != i, roles kept. Real and pseudo-dyads share everything but the
  interaction itself (Bernieri, Reznick & Rosenthal 1988, J Pers Soc Psychol 54:243; Ramseyer &
  Tschacher 2010, 2011, J Consult Clin Psychol 79:284).
- Segment shuffle: a signal cut into consecutive segments whose order is permuted, which keeps
  its local dynamics within segments (Ramseyer & Tschacher 2010, in Esposito et al. (eds),
  Development of Multimodal Interfaces, 182-196).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from attunement.errors import ParameterError
from attunement.measures.nulls.seeds import generator


def pseudo_pairs(
    n_dyads: int,
    n_resamples: int | None = None,
    *,
    seed: int | np.random.Generator = 0,
    derangements: bool = False,
) -> np.ndarray:
    """Partner pairings of ``n_dyads`` dyads, never a dyad with itself.

    - ``n_resamples=None``: every ordered pair (i, j), i != j, once: shape (n(n - 1), 2),
      sorted by i then j.
    - ``n_resamples`` random pairs: i uniform, j uniform among the other dyads; shape
      (n_resamples, 2).
    - ``derangements=True``: ``n_resamples`` random derangements (permutations without a fixed
      point, uniform, by rejection: about e = 2.7 draws each); shape (n_resamples, n_dyads),
      row r giving the partner of each dyad in re-pairing r.
    """
    if n_dyads < 2:
        raise ParameterError(f"pseudo-dyads need at least two dyads, got {n_dyads}")
    if n_resamples is None:
        if derangements:
            raise ParameterError("random derangements need n_resamples")
        i, j = np.nonzero(~np.eye(n_dyads, dtype=bool))
        return np.column_stack([i, j])
    if n_resamples < 1:
        raise ParameterError(f"n_resamples must be at least 1, got {n_resamples}")
    rng = generator(seed)
    if derangements:
        return np.array([_derangement(rng, n_dyads) for _ in range(n_resamples)])
    i = rng.integers(0, n_dyads, n_resamples)
    j = (i + rng.integers(1, n_dyads, n_resamples)) % n_dyads
    return np.column_stack([i, j])


def _derangement(rng: np.random.Generator, k: int) -> np.ndarray:
    while True:
        perm = rng.permutation(k)
        if not (perm == np.arange(k)).any():
            return perm


def shuffled_segments(
    values: np.ndarray, segment: int, n_resamples: int, seed: int | np.random.Generator = 0
) -> Iterator[np.ndarray]:
    """``n_resamples`` copies of ``values`` cut into consecutive segments of ``segment``
    elements (the last one shorter when the length is not a multiple), each copy with the
    segments in a new random order."""
    if not 1 <= segment <= len(values) // 2:
        raise ParameterError(
            f"a segment must be 1 to {len(values) // 2} samples long, so that there are at "
            f"least two segments; got {segment}"
        )
    rng = generator(seed)
    pieces = np.split(values, np.arange(segment, len(values), segment))
    return (
        np.concatenate([pieces[i] for i in rng.permutation(len(pieces))])
        for _ in range(n_resamples)
    )
