"""Seeds: every null draws from ``numpy.random.default_rng(seed)``, so the same seed gives the
same null."""

from __future__ import annotations

import numpy as np


def generator(seed: int | np.random.Generator) -> np.random.Generator:
    """``seed`` itself when it is a Generator (the caller continues its stream), else a new one."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
