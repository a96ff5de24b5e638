"""Permutation null for lag-sequential tables: codes shuffled within each sequence.

The null hypothesis is that, given how often each code occurs in each sequence, their order is
random; the draws come from ``attunement.measures.nulls.within`` (Fisher-Yates shuffles, or with
``no_repeats`` the Besag & Clifford chain that keeps immediate repeats impossible). The
statistic is the lag-k count of every cell, tallied here as each draw is made; for each cell

* ``p_upper``: the Monte Carlo p (``nulls.monte_carlo_p``) that the target follows the given
  code *more* often than chance (the usual question: does B follow A?),
* ``p_lower``: *less* often than chance,

each with its Monte Carlo standard error (Bakeman, Robinson & Quera 1996, Psychological Methods
1:4, for sampled permutations of sequential data; Phipson & Smyth 2010 for the + 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numba import njit

from attunement.measures.nulls import monte_carlo_p, within
from attunement.measures.sequential.lag import lag_counts
from attunement.measures.sequential.sequences import Sequences


@dataclass
class PermutationResult:
    """Per-cell permutation p-values of a lag table (K x K arrays in ``codes`` order).

    A part of ``SequentialResult`` (its ``permutation``): ``permutation_p`` and the
    ``permutation`` detail of the ``sequential`` family come from it."""

    rule: str
    parameters: dict[str, Any]
    source: str
    codes: tuple[str, ...]
    observed: np.ndarray
    null_mean: np.ndarray
    null_sd: np.ndarray
    p_upper: np.ndarray
    p_lower: np.ndarray
    se_upper: np.ndarray
    se_lower: np.ndarray

    def to_frame(self) -> pl.DataFrame:
        """One row per cell: given, target, observed count, null mean and sd, p and error."""
        k = len(self.codes)
        names = np.array(self.codes, dtype=object)
        return pl.DataFrame(
            {
                "given": names[np.repeat(np.arange(k), k)].tolist(),
                "target": names[np.tile(np.arange(k), k)].tolist(),
                **{
                    name: getattr(self, name).ravel()
                    for name in (
                        "observed",
                        "null_mean",
                        "null_sd",
                        "p_upper",
                        "p_lower",
                        "se_upper",
                        "se_lower",
                    )
                },
            }
        )


def permutation_test(
    sequences: Sequences,
    *,
    lag: int = 1,
    n_resamples: int = 1000,
    seed: int | np.random.Generator = 0,
    no_repeats: bool = False,
    sweeps: int = 10,
) -> PermutationResult:
    """Permutation p-values for every cell of the lag-``lag`` table (module docstring).
    With ``no_repeats`` immediate repeats are collapsed first (as in ``lag_table``) and the
    null keeps them impossible; ``sweeps`` (swap proposals per event) is then used."""
    within.check(n_resamples, sweeps)
    if no_repeats:
        sequences = sequences.collapse_repeats()
    observed = lag_counts(sequences, lag)
    k = sequences.n_codes
    null = _null_tally(
        sequences.values.astype(np.int64),
        sequences.starts.astype(np.int64),
        k,
        lag,
        within.seeds(seed, n_resamples),
        no_repeats,
        sweeps,
    )
    upper = monte_carlo_p(observed.ravel(), null, "greater")
    lower = monte_carlo_p(observed.ravel(), null, "less")
    method = (
        "Besag-Clifford parallel MCMC, swap moves keeping no immediate repeat"
        if no_repeats
        else "Fisher-Yates shuffle within each sequence"
    )
    return PermutationResult(
        rule="permutation",
        parameters={
            "lag": lag,
            "no_repeats": no_repeats,
            "n_resamples": n_resamples,
            "seed": seed if isinstance(seed, int | np.integer) else "numpy Generator",
            "sweeps": sweeps if no_repeats else None,
            "method": method,
            "statistic": "lag count per cell",
        },
        source="sampled permutations within sequences (Bakeman, Robinson & Quera 1996); + 1 rule "
        "(Phipson & Smyth 2010); no-repeat chain (Besag & Clifford 1989)",
        codes=sequences.codes,
        observed=observed,
        null_mean=upper.null_mean.reshape(k, k),
        null_sd=upper.null_sd.reshape(k, k),
        p_upper=upper.p.reshape(k, k),
        p_lower=lower.p.reshape(k, k),
        se_upper=upper.se.reshape(k, k),
        se_lower=lower.se.reshape(k, k),
    )


@njit(cache=True)
def _null_tally(values, starts, k, lag, seeds, no_repeats, sweeps):
    """Run the sampler; the lag-``lag`` count of every cell in every draw (draws x k*k)."""
    out = np.zeros((seeds.shape[0] - 1, k * k), np.int64)
    state = np.empty(1, np.uint64)
    start = within.origin(values, starts, seeds, no_repeats, sweeps, state)
    w = start.copy()
    for b in range(out.shape[0]):
        within.draw(w, start, starts, state, seeds[b + 1], no_repeats, sweeps)
        for s in range(starts.shape[0] - 1):
            for p in range(starts[s], starts[s + 1] - lag):
                out[b, w[p] * k + w[p + lag]] += 1
    return out
