"""Cell-wise indices of a K x K transition table, and the table-wise G².

Each cell (given i, target j) is collapsed against the rest of the table into a 2 x 2 table
(Bakeman & Quera 2011, ch. 9): ``a = x_ij`` (i then j), ``b = r_i - a`` (i then not j),
``c = c_j - a`` (not i then j), ``d = N - r_i - c_j + a`` (neither).

Zero-cell rules, chosen separately:

* **Yule's Q** ``(ad - bc) / (ad + bc)`` is reported uncorrected: a zero cell gives Q = ±1, as
  in LagSequential and Bakeman & Quera's published tables (Write→Ask, count 0, Q = -1.00).
  Q is undefined (NaN) only when ``ad + bc = 0``.
* **Odds ratio** ``ad / bc`` and its natural log: when any of a, b, c, d is 0, 0.5 is added to
  all four (Haldane 1956; Anscombe 1956) so that both stay finite; ``or_corrected`` marks the
  cells where this was done. A cell whose row or column is empty stays NaN.
"""

from __future__ import annotations

import numpy as np

from attunement.errors import ParameterError

HALDANE_ANSCOMBE = "haldane-anscombe: add 0.5 to all four cells of the 2x2 when any is 0"


def two_by_two(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four cells (a, b, c, d) of every cell's 2 x 2 collapse, each K x K."""
    x = np.asarray(x, dtype=float)
    r = x.sum(axis=1, keepdims=True)
    c = x.sum(axis=0, keepdims=True)
    n = x.sum()
    return x, r - x, c - x, n - r - c + x


def yules_q(x: np.ndarray) -> np.ndarray:
    """Yule's Q per cell, ``(ad - bc) / (ad + bc)``, uncorrected (Yule 1912; Bakeman & Quera
    2011, p. 109). NaN where ``ad + bc = 0``."""
    a, b, c, d = two_by_two(x)
    num, den = a * d - b * c, a * d + b * c
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def odds_ratios(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Odds ratio ``ad / bc``, its natural log, and the mask of cells that needed the
    Haldane-Anscombe 0.5 correction (see the module docstring). NaN where the given code or
    the target code never occurs (the 2 x 2 has an empty margin)."""
    a, b, c, d = two_by_two(x)
    corrected = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    a, b, c, d = (np.where(corrected, v + 0.5, v) for v in (a, b, c, d))
    log_or = np.log(a) + np.log(d) - np.log(b) - np.log(c)
    r = x.sum(axis=1, keepdims=True)
    col = x.sum(axis=0, keepdims=True)
    n = x.sum()
    defined = (r > 0) & (r < n) & (col > 0) & (col < n)
    log_or = np.where(defined, log_or, np.nan)
    return np.exp(log_or), log_or, corrected & defined


KAPPA_EXPECTED = ("oconnor1999", "exact")


def wampold_kappa(
    x: np.ndarray, event_totals: np.ndarray, n_events: int, expected: str = "oconnor1999"
) -> tuple[np.ndarray, np.ndarray]:
    """Wampold's transformed (unidirectional) kappa and its z per cell (Wampold 1989, Quality
    and Quantity 23:171; Wampold 1992; O'Connor 1999, p. 720; Bakeman & Quera 2011, ch. 9).

    With ``n_i`` events of code i among ``n`` events and ``N`` tallied pairs, the expected count
    of a cell is ``e_ij = (N / (n - 1)) E_ij`` and kappa = ``(x - e) / (m_ij - e)`` when
    ``x >= e`` and ``(x - e) / e`` otherwise (so it runs from -1 to 1); z = ``(x - e) / sqrt(v)``
    with ``v = (N / (n - 1)) V_ij``. ``expected`` chooses E, V and the largest count m:

    * ``oconnor1999`` (default): ``E_ij = n_i n_j / n`` in every cell, ``V_ij = n_i n_j
      (n - n_i)(n - n_j) / (n² (n - 1))``, ``m_ij = min(n_i, n_j)``. These are the formulas of
      O'Connor's (1999) SAS and SPSS programs: they reproduce his published Appendix B table to
      its 4 decimals (``tests/test_sequential_lag.py``), and the exact variant does not (it
      differs on the diagonal). On the diagonal ``n_i² / n`` counts an event as able to follow
      itself, which a sequence cannot do.
    * ``exact``: the moments of the lag-1 count of one sequence over every permutation of its
      events (sampling without replacement): ``E_ij = n_i (n_j - δ_ij) / n``, so
      ``n_i (n_i - 1) / n`` on the diagonal; ``V_ij = E_ij - E_ij² + 2 δ_ij (n_i)_3 / (n (n - 1))
      + (n_i)_2 (n_j)_2 / (n (n - 1))`` with ``(a)_k`` the falling factorial (``(n_i)_4`` for
      ``i = j``); ``m_ii = n_i - 1`` (one run), ``m_ij = min(n_i, n_j)`` otherwise. Exact for one
      sequence at lag 1 (checked against complete enumeration); for several sequences or lag k
      it is scaled by the pairs tallied, as the default is.

    Computed under unrestricted sequences: with repeats impossible use the residuals of the
    quasi-independence fit instead.
    """
    if expected not in KAPPA_EXPECTED:
        raise ParameterError(
            f"kappa_expected must be one of {', '.join(KAPPA_EXPECTED)}, got {expected!r}"
        )
    x = np.asarray(x, dtype=float)
    ni = np.asarray(event_totals, dtype=float)
    n = float(n_events)
    pairs = x.sum()
    nan = np.full(x.shape, np.nan)
    if n < 2:
        return nan, nan.copy()
    scale = pairs / (n - 1)
    most = np.minimum(ni[:, None], ni[None, :])
    if expected == "oconnor1999":
        e = scale * np.outer(ni, ni) / n
        v = scale * np.outer(ni * (n - ni), ni * (n - ni)) / (n * n * (n - 1))
    else:
        same = np.eye(len(ni))
        first = np.outer(ni, ni) - same * ni  # n_i (n_j - δ_ij)
        exact_e = first / n
        two = ni * (ni - 1)
        four = np.outer(two, two)
        np.fill_diagonal(four, two * (ni - 2) * (ni - 3))
        triple = same * (2 * ni * (ni - 1) * (ni - 2))
        exact_v = exact_e - exact_e**2 + (triple + four) / (n * (n - 1))
        e, v = scale * exact_e, scale * exact_v
        np.fill_diagonal(most, ni - 1)
    dev = x - e
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = np.where(dev >= 0, dev / (most - e), dev / e)
        z = dev / np.sqrt(v)
    kappa = np.where(np.isfinite(kappa), kappa, np.nan)
    z = np.where((v > 1e-12) & np.isfinite(z), z, np.nan)
    return kappa, z


def g_squared(x: np.ndarray, expected: np.ndarray) -> float:
    """Likelihood-ratio chi-square ``G² = 2 Σ x ln(x / e)`` over cells with ``x > 0`` (Bishop,
    Fienberg & Holland 1975; Bakeman & Quera 2011)."""
    x = np.asarray(x, dtype=float)
    seen = x > 0
    return float(2.0 * np.sum(x[seen] * np.log(x[seen] / expected[seen])))
