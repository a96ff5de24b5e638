"""Expected counts and adjusted residuals when some transitions cannot occur (structural zeros).

Under **quasi-independence** (Goodman 1968; Bishop, Fienberg & Holland 1975, ch. 5) the
expected table has the observed row and column totals and is 0 on the structural cells; it is
found by iterative proportional fitting (Deming & Stephan 1940): start from 1 on every allowed
cell, scale rows then columns to the observed totals, repeat until every margin is within
``tol × N`` of the observed one. G² then has df = (allowed cells) − rank(design), which is
(K − 1)² − (number of structural zeros) when every row and column keeps an allowed cell.

Adjusted residuals follow the log-linear model (Haberman 1973; Christensen 1997, ch. 6;
Bakeman & Quera 2011, p. 160ff): ``(x − e) / sqrt(e (1 − h))``, with ``h`` the leverage of the
cell in the Poisson GLM with row and column effects fitted to the allowed cells, i.e. the
diagonal of ``W½ X (XᵀWX)⁻ XᵀW½`` with ``W = diag(e)``. Without structural zeros this equals the
Allison & Liker (1982) formula ``(x − e) / sqrt(e (1 − r/N)(1 − c/N))``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attunement.errors import DataError


@dataclass(frozen=True)
class IpfFit:
    """Expected counts from iterative proportional fitting, with its convergence record."""

    expected: np.ndarray
    iterations: int
    converged: bool
    max_margin_diff: float


def ipf(
    x: np.ndarray, structural: np.ndarray, tol: float = 1e-12, max_iter: int = 10_000
) -> IpfFit:
    """Quasi-independence expected counts: the observed margins, 0 on ``structural`` cells.
    Converged when no fitted margin differs from the observed one by more than ``tol * N``."""
    x = np.asarray(x, dtype=float)
    if np.any(x[structural] > 0):
        cells = [tuple(map(int, ij)) for ij in np.argwhere(structural & (x > 0))]
        raise DataError(f"cells declared structural zeros were observed: {cells} (row, col)")
    r, c = x.sum(axis=1), x.sum(axis=0)
    e = np.where(structural, 0.0, 1.0)
    e[r == 0, :] = 0.0
    e[:, c == 0] = 0.0
    limit = tol * max(float(x.sum()), 1.0)
    diff = np.inf
    it = 0
    while diff > limit and it < max_iter:
        it += 1
        rows = e.sum(axis=1)
        e *= np.divide(r, rows, out=np.zeros_like(r), where=rows > 0)[:, None]
        cols = e.sum(axis=0)
        e *= np.divide(c, cols, out=np.zeros_like(c), where=cols > 0)[None, :]
        diff = float(max(np.abs(e.sum(axis=1) - r).max(), np.abs(e.sum(axis=0) - c).max()))
    return IpfFit(e, it, diff <= limit, diff)


def design(cells: np.ndarray, k: int) -> np.ndarray:
    """Design matrix of the row + column log-linear model over the listed (row, col) cells:
    intercept, K − 1 row and K − 1 column dummies (first level as reference)."""
    x = np.zeros((len(cells), 2 * k - 1))
    x[:, 0] = 1.0
    rows, cols = cells[:, 0], cells[:, 1]
    at = np.arange(len(cells))
    x[at[rows > 0], rows[rows > 0]] = 1.0
    x[at[cols > 0], k - 1 + cols[cols > 0]] = 1.0
    return x


def fitted_cells(expected: np.ndarray, structural: np.ndarray) -> np.ndarray:
    """The (row, col) cells the model is fitted to: not structural, with a positive fit."""
    return np.argwhere(~structural & (expected > 0))


def residual_df(expected: np.ndarray, structural: np.ndarray) -> int:
    """Residual df of quasi-independence: fitted cells minus the rank of their design."""
    cells = fitted_cells(expected, structural)
    if len(cells) == 0:
        return 0
    return int(len(cells) - np.linalg.matrix_rank(design(cells, expected.shape[0])))


def hat_residuals(x: np.ndarray, expected: np.ndarray, structural: np.ndarray) -> np.ndarray:
    """Adjusted residuals ``(x − e) / sqrt(e (1 − h))`` from the hat matrix of the Poisson
    row + column model on the fitted cells; NaN on structural cells and where ``1 − h <= 0``."""
    k = expected.shape[0]
    out = np.full((k, k), np.nan)
    cells = fitted_cells(expected, structural)
    if len(cells) == 0:
        return out
    d = design(cells, k)
    w = expected[cells[:, 0], cells[:, 1]]
    info = d.T @ (d * w[:, None])
    h = w * np.einsum("ij,jk,ik->i", d, np.linalg.pinv(info, hermitian=True), d)
    obs = np.asarray(x, dtype=float)[cells[:, 0], cells[:, 1]]
    spread = w * (1.0 - h)
    ok = spread > 1e-12 * np.maximum(w, 1.0)
    z = np.full(len(cells), np.nan)
    z[ok] = (obs[ok] - w[ok]) / np.sqrt(spread[ok])
    out[cells[:, 0], cells[:, 1]] = z
    return out
