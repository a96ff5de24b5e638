"""The sample figures of a scored questionnaire (the ``score`` family's catalogue,
``measures/families/score.py``): counts, per-subscale descriptives and reliability, the
correlations between subscale scores and the response-style flags.

Descriptives on **complete cases** (every item answered; the sample the reliabilities use, as in
the ECR reference figures): per subscale ``mean``, ``sd`` (ddof = 1), ``n`` (complete cases),
``scored`` (respondents with a score under the missing-data rule), Cronbach's ``alpha`` with
Feldt's interval ``alpha_low``..``alpha_high`` and McDonald's ``omega`` (both only for subscales
of 3+ items; ``reliability``), and the Pearson correlations between subscale scores on the same
cases. The two dimensions of the ECR family (``anxiety``, ``avoidance``) are also scalar figures
(``anxiety_alpha`` ...); every instrument's subscales are in ``subscales``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from attunement.attachment.instruments import Instrument
from attunement.errors import DataError

DIMENSIONS = ("anxiety", "avoidance")
SUBSCALE_FIGURES = ("mean", "sd", "alpha", "alpha_low", "alpha_high", "omega")
DEFINITION = (
    "Descriptives and reliability on complete cases: Cronbach's alpha with Feldt's (1965) "
    "interval; McDonald's omega total from a maximum-likelihood one-factor fit over the observed "
    "total variance (subscales of 3+ items); Pearson correlations of subscale scores."
)


def sample_figures(
    inst: Instrument, scores: pl.DataFrame, keyed: np.ndarray, invalid: int, confidence: float
) -> dict[str, Any]:
    """The ``score`` family's figures of one scored sample (see the module docstring):
    ``scores`` one row per respondent, ``keyed`` the keyed item matrix (NaN = missing),
    ``invalid`` the count of invalid answers scored as missing."""
    complete = scores["complete"].to_numpy()
    subscales = {
        sub: _subscale(scores[sub], keyed[:, inst.positions(sub)], complete, confidence)
        for sub in inst.subscales
    }
    names = list(inst.subscales)
    correlations = {}
    if complete.sum() > 2:
        matrix = np.column_stack([scores[s].to_numpy()[complete] for s in names]).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.corrcoef(matrix, rowvar=False)
        for i, a_name in enumerate(names):
            for j in range(i + 1, len(names)):
                correlations[f"{a_name}~{names[j]}"] = _num(r[i, j])
    every = pl.all_horizontal(pl.col(s).is_not_null() for s in names)
    return {
        "respondents": scores.height,
        "complete_cases": int(complete.sum()),
        "scored": int(scores.select(every.sum()).item()),
        "missing_answers": int(np.isnan(keyed).sum()),
        "invalid_answers": invalid,
        "straight_lined": int(scores["straight_line"].sum()),
        "longstring_max": int(scores["longstring"].max() or 0),
        "instrument_version": inst.version,
        "verification": inst.verification,
        **{
            f"{dim}_{name}": subscales.get(dim, {}).get(name)
            for dim in DIMENSIONS
            for name in SUBSCALE_FIGURES
        },
        "anxiety_avoidance_r": correlations.get(
            "anxiety~avoidance", correlations.get("avoidance~anxiety")
        ),
        "subscales": subscales,
        "correlations": correlations,
    }


def _subscale(
    score: pl.Series, block: np.ndarray, complete: np.ndarray, confidence: float
) -> dict[str, Any]:
    """One subscale's items, complete cases, scored respondents, mean, SD, alpha (interval) and
    omega; ``reliability`` says why alpha or omega is missing when they could not be computed."""
    from attunement.attachment.reliability import cronbach_alpha, mcdonald_omega

    values = score.to_numpy()[complete].astype(np.float64)
    entry: dict[str, Any] = {
        "items": block.shape[1],
        "n": int(complete.sum()),
        "scored": int(score.is_not_null().sum()),
        "mean": _num(values.mean()) if values.size else None,
        "sd": _num(values.std(ddof=1)) if values.size > 1 else None,
        "alpha": None,
        "alpha_low": None,
        "alpha_high": None,
        "omega": None,
    }
    if block.shape[1] >= 3 and values.size >= 3:
        try:
            a = cronbach_alpha(block[complete], confidence)
            entry.update(alpha=a.alpha, alpha_low=a.ci_low, alpha_high=a.ci_high)
            entry["omega"] = mcdonald_omega(block[complete]).omega
        except DataError as exc:
            entry["reliability"] = str(exc)
    return entry


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)
