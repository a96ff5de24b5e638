"""Lag-sequential analysis of event sequences (Sackett 1979; Bakeman & Quera 2011).

``lag_table(sequences, lag=k)`` tallies every pair (event t, event t + k) that lies inside one
sequence (pairs never cross a sequence boundary) into a K x K table of counts ``x`` (rows:
given code, columns: target code), and derives from it:

* transitional probabilities ``x_ij / r_i`` (``r``, ``c``: row and column totals, ``N``: pairs);
* expected counts under independence ``r_i c_j / N`` (Bakeman & Quera 2011), or under
  quasi-independence when some transitions cannot occur (``structural``; see ``structural``);
* adjusted residuals ``(x − e) / sqrt(e (1 − r/N)(1 − c/N))`` (Haberman 1973; Allison & Liker
  1982), hat-matrix residuals with structural zeros;
* G² with df = (R − 1)(C − 1), R and C the numbers of codes that occur as given and as target
  ((K − 1)² when all do), or the quasi-independence df, and p from the chi-square distribution;
* Yule's Q, odds ratio and log odds ratio per cell, Wampold's kappa and z (see ``indices``).

``no_repeats=True`` collapses immediate repeats (A A B -> A B) and, at lag 1, declares the
diagonal structural (Bakeman & Quera 2011, p. 160). At lag k > 1 repeats A x A are possible,
so no cell is structural and the expected counts ignore the constraint (a warning says so; the
permutation null of ``permutation`` respects it exactly).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import chi2

from attunement.errors import ParameterError
from attunement.measures.sequential import indices
from attunement.measures.sequential import structural as quasi
from attunement.measures.sequential.sequences import Sequences

SOURCES: dict[str, str] = {
    "frequencies": "lag-k pairs tallied within sequences (Bakeman & Quera 2011)",
    "expected": "independence r_i c_j / N (Bakeman & Quera 2011)",
    "expected_structural": "quasi-independence by iterative proportional fitting "
    "(Goodman 1968; Bishop, Fienberg & Holland 1975; Bakeman & Quera 2011, p. 160)",
    "adjusted_residuals": "(x - e) / sqrt(e (1 - r/N)(1 - c/N)) (Haberman 1973; "
    "Allison & Liker 1982)",
    "adjusted_residuals_structural": "(x - e) / sqrt(e (1 - h)), h the leverage of the "
    "row + column Poisson model on the allowed cells (Haberman 1973; Christensen 1997)",
    "g2": "likelihood-ratio chi-square 2 sum x ln(x / e) (Bakeman & Quera 2011)",
    "yules_q": "(ad - bc) / (ad + bc) of each cell's 2x2 collapse, no zero-cell correction "
    "(Yule 1912; Bakeman & Quera 2011)",
    "odds_ratio": "ad / bc of each cell's 2x2 collapse (Bakeman & Quera 2011)",
    "kappa": "Wampold's transformed kappa and z (Wampold 1989; O'Connor 1999)",
}


@dataclass
class LagResult:
    """A lag-k transition table with every statistic derived from it (K x K arrays, rows =
    given code, columns = target code, both in ``codes`` order; NaN where undefined).

    A part of ``SequentialResult`` (its ``lag``): the figures, their names and the JSON are the
    ``sequential`` family's, reached through ``sequential()``."""

    rule: str
    parameters: dict[str, Any]
    source: dict[str, str]
    codes: tuple[str, ...]
    n_events: int
    n_sequences: int
    n_pairs: int
    frequencies: np.ndarray
    expected: np.ndarray
    probabilities: np.ndarray
    adjusted_residuals: np.ndarray
    g2: float
    df: int
    p: float
    yules_q: np.ndarray
    odds_ratio: np.ndarray
    log_odds_ratio: np.ndarray
    or_corrected: np.ndarray
    kappa: np.ndarray
    kappa_z: np.ndarray
    structural: np.ndarray
    ipf: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    def to_frame(self) -> pl.DataFrame:
        """One row per cell: given, target and every per-cell statistic."""
        k = len(self.codes)
        given = np.repeat(np.arange(k), k)
        target = np.tile(np.arange(k), k)
        names = np.array(self.codes, dtype=object)
        columns = {
            "given": names[given].tolist(),
            "target": names[target].tolist(),
            "count": self.frequencies.ravel(),
            "expected": self.expected.ravel(),
            "probability": self.probabilities.ravel(),
            "adjusted_residual": self.adjusted_residuals.ravel(),
            "yules_q": self.yules_q.ravel(),
            "odds_ratio": self.odds_ratio.ravel(),
            "log_odds_ratio": self.log_odds_ratio.ravel(),
            "or_corrected": self.or_corrected.ravel(),
            "kappa": self.kappa.ravel(),
            "kappa_z": self.kappa_z.ravel(),
            "structural": self.structural.ravel(),
        }
        return pl.DataFrame(columns).with_columns(pl.selectors.float().fill_nan(None))


def boundary_pairs(starts: np.ndarray, n: int, lag: int) -> np.ndarray:
    """Positions t (with t + lag < n) whose lag partner t + lag lies in a later sequence: the
    last ``lag`` positions of each sequence, in order, built in memory proportional to them
    (never sequences x lag)."""
    take = np.minimum(np.diff(starts), lag)
    first = np.repeat(starts[1:] - take, take)
    idx = first + np.arange(take.sum()) - np.repeat(np.cumsum(take) - take, take)
    return idx[idx < n - lag]


def lag_counts(sequences: Sequences, lag: int = 1) -> np.ndarray:
    """K x K counts of (event t, event t + lag) pairs inside one sequence: all pairs of the
    concatenated array, minus the few that straddle a boundary (one bincount, no mask copy)."""
    _check_lag(lag)
    k, v = sequences.n_codes, sequences.values
    counts = np.zeros(k * k, dtype=np.int64)
    if lag < len(v):
        counts += np.bincount(v[:-lag].astype(np.int64) * k + v[lag:], minlength=k * k)
        cross = boundary_pairs(sequences.starts, len(v), lag)
        counts -= np.bincount(v[cross].astype(np.int64) * k + v[cross + lag], minlength=k * k)
    return counts.reshape(k, k)


def counts_by_sequence(sequences: Sequences, lag: int = 1) -> np.ndarray:
    """S x K x K: the lag table of each sequence separately (for per-dyad indices)."""
    _check_lag(lag)
    k, v, s = sequences.n_codes, sequences.values, sequences.n_sequences
    if lag >= len(v):
        return np.zeros((s, k, k), dtype=np.int64)
    keep = np.ones(len(v) - lag, dtype=bool)
    keep[boundary_pairs(sequences.starts, len(v), lag)] = False
    seq = sequences.sequence_index()[:-lag][keep].astype(np.int64)
    cell = seq * (k * k) + v[:-lag][keep].astype(np.int64) * k + v[lag:][keep]
    return np.bincount(cell, minlength=s * k * k).reshape(s, k, k)


def structural_mask(
    spec: str | np.ndarray | Iterable[tuple[str, str]] | None, codes: tuple[str, ...]
) -> np.ndarray:
    """A K x K bool mask from ``"diagonal"``, a mask, or (given, target) code-name pairs."""
    k = len(codes)
    if spec is None:
        return np.zeros((k, k), dtype=bool)
    if isinstance(spec, str):
        if spec != "diagonal":
            raise ParameterError(
                f"structural must be 'diagonal', a K x K mask or code pairs, got {spec!r}"
            )
        return np.eye(k, dtype=bool)
    if isinstance(spec, np.ndarray):
        if spec.shape != (k, k):
            raise ParameterError(f"structural mask must have shape {(k, k)}, got {spec.shape}")
        return spec.astype(bool)
    index = {c: i for i, c in enumerate(codes)}
    mask = np.zeros((k, k), dtype=bool)
    for given, target in spec:
        if str(given) not in index or str(target) not in index:
            raise ParameterError(
                f"structural pairs must name codes in {list(codes)}, got ({given}, {target})"
            )
        mask[index[str(given)], index[str(target)]] = True
    return mask


def lag_table(
    sequences: Sequences,
    *,
    lag: int = 1,
    no_repeats: bool = False,
    structural: str | np.ndarray | Iterable[tuple[str, str]] | None = None,
    ipf_tol: float = 1e-12,
    kappa_expected: str = "oconnor1999",
) -> LagResult:
    """The lag-``lag`` table of ``sequences`` and every statistic of it (module docstring);
    ``kappa_expected`` chooses the expected counts of Wampold's kappa (``indices.wampold_kappa``:
    ``oconnor1999`` or ``exact``)."""
    _check_lag(lag)
    warnings = list(sequences.warnings)
    if no_repeats:
        sequences = sequences.collapse_repeats()
        if structural is None and lag == 1:
            structural = "diagonal"
        if lag > 1:
            warnings.append(
                f"no_repeats at lag {lag}: no cell is structurally zero and expected counts "
                "assume independence; use the permutation null for an exact reference"
            )
    codes = sequences.codes
    mask = structural_mask(structural, codes)
    x = lag_counts(sequences, lag)
    xf = x.astype(float)
    n_pairs = int(x.sum())
    r, c = xf.sum(axis=1), xf.sum(axis=0)
    ipf_info = None
    with np.errstate(invalid="ignore", divide="ignore"):
        if mask.any():
            fit = quasi.ipf(xf, mask, tol=ipf_tol)
            expected = fit.expected
            residuals = quasi.hat_residuals(xf, expected, mask)
            df = quasi.residual_df(expected, mask)
            ipf_info = {
                "iterations": fit.iterations,
                "converged": fit.converged,
                "max_margin_diff": fit.max_margin_diff,
            }
            if not fit.converged:
                warnings.append(f"IPF did not converge in {fit.iterations} iterations")
        else:
            expected = np.outer(r, c) / n_pairs if n_pairs else np.zeros_like(xf)
            spread = expected * np.outer(1 - r / n_pairs, 1 - c / n_pairs) if n_pairs else expected
            residuals = np.where(spread > 0, (xf - expected) / np.sqrt(spread), np.nan)
            df = max(int((r > 0).sum()) - 1, 0) * max(int((c > 0).sum()) - 1, 0)
        probabilities = np.where(r[:, None] > 0, xf / r[:, None], np.nan)
    g2 = indices.g_squared(xf, expected) if n_pairs else float("nan")
    p = float(chi2.sf(g2, df)) if df > 0 and n_pairs else float("nan")
    odds, log_odds, corrected = indices.odds_ratios(xf)
    kappa, kappa_z = indices.wampold_kappa(
        xf, sequences.event_totals(), sequences.n_events, kappa_expected
    )
    kappa[mask], kappa_z[mask] = np.nan, np.nan
    structural_pairs = [[codes[i], codes[j]] for i, j in np.argwhere(mask)]
    sources = {k: v for k, v in SOURCES.items() if not k.endswith("_structural")}
    if mask.any():
        sources["expected"] = SOURCES["expected_structural"]
        sources["adjusted_residuals"] = SOURCES["adjusted_residuals_structural"]
    return LagResult(
        rule="lag-sequential",
        parameters={
            "lag": lag,
            "no_repeats": no_repeats,
            "structural_zeros": structural_pairs,
            "yules_q_zero_cells": "uncorrected (Q = +/-1 when a cell of the 2x2 is 0)",
            "odds_ratio_zero_cells": indices.HALDANE_ANSCOMBE,
            "ipf_tol": ipf_tol if mask.any() else None,
            "kappa_expected": kappa_expected,
        },
        source=sources,
        codes=codes,
        n_events=sequences.n_events,
        n_sequences=sequences.n_sequences,
        n_pairs=n_pairs,
        frequencies=x,
        expected=expected,
        probabilities=probabilities,
        adjusted_residuals=residuals,
        g2=g2,
        df=df,
        p=p,
        yules_q=np.where(mask, np.nan, indices.yules_q(xf)),
        odds_ratio=np.where(mask, np.nan, odds),
        log_odds_ratio=np.where(mask, np.nan, log_odds),
        or_corrected=corrected & ~mask,
        kappa=kappa,
        kappa_z=kappa_z,
        structural=mask,
        ipf=ipf_info,
        warnings=warnings,
    )


def _check_lag(lag: int) -> None:
    if not isinstance(lag, int | np.integer) or lag < 1:
        raise ParameterError(f"lag must be a whole number >= 1, got {lag!r}")


def _num(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def rows(table: np.ndarray) -> list:
    """A table as JSON-ready lists of rows (NaN as None)."""
    if table.dtype == bool or np.issubdtype(table.dtype, np.integer):
        return table.tolist()
    return [[_num(v) for v in row] for row in table.tolist()]
