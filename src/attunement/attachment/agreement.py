"""Agreement between two classifications of the same cases: percent agreement and Cohen's κ.

Cohen's κ (Cohen 1960) for any k categories, optionally weighted (Cohen 1968), with the
large-sample (non-null) standard error of Fleiss, Cohen & Everitt (1969) and a Wald
confidence interval. Used for inter-rater agreement and for test–retest stability of attachment
classifications (``change``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from attunement.errors import DataError, ParameterError

__all__ = [
    "WEIGHTS",
    "Kappa",
    "agreement_weights",
    "cohen_kappa",
    "cohen_kappa_table",
    "confusion_table",
    "percent_agreement",
]

WEIGHTS = ("none", "linear", "quadratic")

SOURCE = (
    "Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and "
    "Psychological Measurement, 20, 37-46; Cohen, J. (1968). Weighted kappa. Psychological "
    "Bulletin, 70, 213-220; standard error: Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). "
    "Large sample standard errors of kappa and weighted kappa. Psychological Bulletin, 72, "
    "323-327."
)

DEFINITION = (
    "p_ij = n_ij / n, agreement weights w_ij (1 on the diagonal; identity for unweighted κ). "
    "p_o = Σ w_ij p_ij, p_e = Σ w_ij p_i. p_.j, κ = (p_o - p_e) / (1 - p_e). "
    "Var(κ) = [Σ p_ij (w_ij - (w̄_i. + w̄_.j)(1 - κ))² - (κ - p_e(1 - κ))²] / (n (1 - p_e)²) "
    "with w̄_i. = Σ_j p_.j w_ij and w̄_.j = Σ_i p_i. w_ij (Fleiss, Cohen & Everitt 1969, the "
    "non-null variance); CI = κ ± z_(1+c)/2 SE. κ is undefined (NaN) when p_e = 1."
)


@dataclass(frozen=True)
class Kappa:
    """Cohen's κ of one square table (rows: rater or wave 1, columns: rater or wave 2).

    ``percent_agreement`` is 100 × the share of cases on the diagonal (exact agreement, whatever
    the weights); ``observed`` and ``expected`` are the (weighted) p_o and p_e of ``definition``.
    """

    kappa: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float
    weights: str
    n: int
    percent_agreement: float
    observed: float
    expected: float
    categories: tuple[str, ...]
    table: np.ndarray = field(repr=False)
    source: str = SOURCE
    definition: str = DEFINITION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: κ, SE, CI, parameters, the table as labels + counts."""
        return {
            "kappa": _num(self.kappa),
            "se": _num(self.se),
            "ci": [_num(self.ci_low), _num(self.ci_high)],
            "confidence": self.confidence,
            "weights": self.weights,
            "n": self.n,
            "percent_agreement": _num(self.percent_agreement),
            "observed": _num(self.observed),
            "expected": _num(self.expected),
            "table": {"labels": list(self.categories), "counts": self.table.tolist()},
            "source": self.source,
            "definition": self.definition,
        }


def _num(x: float) -> float | None:
    """A float for JSON, ``None`` for NaN."""
    return None if np.isnan(x) else float(x)


def agreement_weights(k: int, weights: str) -> np.ndarray:
    """Agreement weights for ``k`` ordered categories: ``none`` (identity), ``linear``
    (1 - |i - j| / (k - 1)) or ``quadratic`` (1 - (i - j)² / (k - 1)²), as in Cohen (1968) and
    Fleiss & Cohen (1973). Weighted κ treats the category order as meaningful."""
    if weights not in WEIGHTS:
        raise ParameterError(f"unknown weights {weights!r}; choose one of {', '.join(WEIGHTS)}")
    if weights == "none" or k < 2:
        return np.eye(k)
    distance = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    return 1.0 - (distance if weights == "linear" else distance**2)


def confusion_table(
    first: Sequence[Any], second: Sequence[Any], categories: Sequence[Any] | None = None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Counts n_ij of cases rated i by the first and j by the second rater, with the category
    labels (``categories`` in that order, else the sorted union of both ratings). A rating
    outside ``categories`` raises ``ValueError`` naming its position."""
    a = np.asarray([str(x) for x in first], dtype=object)
    b = np.asarray([str(x) for x in second], dtype=object)
    if a.shape != b.shape:
        raise DataError(f"the two ratings differ in length: {a.size} and {b.size}")
    labels = (
        tuple(str(c) for c in categories)
        if categories is not None
        else tuple(sorted(set(a.tolist()) | set(b.tolist())))
    )
    index = {c: i for i, c in enumerate(labels)}
    for name, values in (("first", a), ("second", b)):
        unknown = [(i, v) for i, v in enumerate(values.tolist()) if v not in index]
        if unknown:
            listed = ", ".join(f"case {i + 1}: {v!r}" for i, v in unknown[:10])
            raise DataError(
                f"{len(unknown)} {name} rating(s) outside the categories {list(labels)}: {listed}"
            )
    k = len(labels)
    codes_a = np.fromiter((index[v] for v in a.tolist()), dtype=np.int64, count=a.size)
    codes_b = np.fromiter((index[v] for v in b.tolist()), dtype=np.int64, count=b.size)
    table = np.bincount(codes_a * k + codes_b, minlength=k * k).reshape(k, k)
    return table, labels


def percent_agreement(first: Sequence[Any], second: Sequence[Any]) -> float:
    """100 × the share of cases given the same category by both ratings (NaN with no cases)."""
    a = np.asarray([str(x) for x in first], dtype=object)
    b = np.asarray([str(x) for x in second], dtype=object)
    if a.shape != b.shape:
        raise DataError(f"the two ratings differ in length: {a.size} and {b.size}")
    return float("nan") if a.size == 0 else 100.0 * float(np.mean(a == b))


def cohen_kappa_table(
    table: Any,
    *,
    categories: Sequence[str] | None = None,
    weights: str = "none",
    confidence: float = 0.95,
) -> Kappa:
    """Cohen's κ of a k × k table of counts, with the Fleiss–Cohen–Everitt (1969) SE and CI.

    See ``DEFINITION``. ``weights`` is ``none`` (Cohen 1960), ``linear`` or ``quadratic``
    (weighted κ, Cohen 1968); ``confidence`` the level of the Wald interval. The SE is the
    non-null one (for an interval around κ), not the null SE used to test κ = 0; like SAS PROC
    FREQ's ASE and R vcd's ``Kappa``. The interval is not clipped to [-1, 1] (nor is SAS's).
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ParameterError(f"table must be a square table of counts, got shape {counts.shape}")
    bad = counts[~(np.isfinite(counts) & (counts >= 0))]
    if bad.size:
        raise ParameterError(f"table must hold finite counts >= 0, got {bad[:5].tolist()}")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be in (0, 1), got {confidence}")
    k = counts.shape[0]
    labels = (
        tuple(str(c) for c in categories)
        if categories is not None
        else tuple(str(i) for i in range(k))
    )
    if len(labels) != k:
        raise ParameterError(
            f"categories must have {k} labels for a {k} × {k} table, got {len(labels)}"
        )
    n = counts.sum()
    w = agreement_weights(k, weights)
    kappa = se = low = high = po = pe = float("nan")
    agree = float("nan")
    if n > 0:
        p = counts / n
        rows, cols = p.sum(axis=1), p.sum(axis=0)
        po = float(np.sum(w * p))
        pe = float(rows @ w @ cols)
        agree = 100.0 * float(np.trace(counts)) / float(n)
        if pe < 1 - 1e-12:
            kappa = (po - pe) / (1 - pe)
            w_row = w @ cols  # w̄_i.
            w_col = rows @ w  # w̄_.j
            spread = (w - np.add.outer(w_row, w_col) * (1 - kappa)) ** 2
            var = (np.sum(p * spread) - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
            se = float(np.sqrt(max(var, 0.0)))
            z = float(stats.norm.ppf(0.5 + confidence / 2))
            low, high = kappa - z * se, kappa + z * se
    return Kappa(
        kappa=float(kappa),
        se=float(se),
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
        weights=weights,
        n=round(n),
        percent_agreement=agree,
        observed=float(po),
        expected=float(pe),
        categories=labels,
        table=counts.astype(np.int64) if np.all(counts == np.round(counts)) else counts,
    )


def cohen_kappa(
    first: Sequence[Any],
    second: Sequence[Any],
    *,
    categories: Sequence[Any] | None = None,
    weights: str = "none",
    confidence: float = 0.95,
) -> Kappa:
    """Cohen's κ of two ratings of the same cases (see ``cohen_kappa_table``); ``categories``
    fixes the label order (needed for weighted κ), else the sorted union of both ratings."""
    table, labels = confusion_table(first, second, categories)
    return cohen_kappa_table(table, categories=labels, weights=weights, confidence=confidence)
