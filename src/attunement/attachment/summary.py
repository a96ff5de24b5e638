"""One summary of a scored sample: per-subscale descriptives and reliability, correlations,
style counts and the problems found; what ``attunement score --json`` prints."""

from __future__ import annotations

from typing import Any

import numpy as np

from attunement.attachment.reliability import cronbach_alpha, mcdonald_omega
from attunement.attachment.scoring import ScoreResult
from attunement.attachment.styles import StyleResult


def summarise(
    result: ScoreResult, *, confidence: float = 0.95, styles: StyleResult | None = None
) -> dict[str, Any]:
    """Descriptives on **complete cases** (every item answered; the sample the reliabilities use,
    as in the ECR reference figures): per subscale ``mean``, ``sd`` (ddof = 1), ``n``,
    ``n_scored`` (respondents with a score under the missing-data rule), Cronbach's ``alpha``
    with Feldt's interval and McDonald's ``omega`` (both only for subscales of 3+ items), and the
    Pearson correlations between subscale scores on the same cases."""
    inst = result.instrument
    complete = result.complete
    frame = result.scores
    subscales: dict[str, Any] = {}
    for sub, items in inst.subscales.items():
        values = frame[sub].to_numpy()[complete].astype(np.float64)
        entry: dict[str, Any] = {
            "items": len(items),
            "n": int(complete.sum()),
            "n_scored": int(frame[sub].is_not_null().sum()),
            "mean": _num(values.mean()) if values.size else None,
            "sd": _num(values.std(ddof=1)) if values.size > 1 else None,
            "alpha": None,
            "alpha_ci": None,
            "omega": None,
        }
        if len(items) >= 3 and values.size >= 3:
            block = result.subscale_items(sub)
            try:
                a = cronbach_alpha(block, confidence)
                entry["alpha"], entry["alpha_ci"] = a.alpha, [a.ci_low, a.ci_high]
                entry["alpha_ci_method"] = a.ci_method
                entry["omega"] = mcdonald_omega(block).omega
                entry["omega_method"] = "ml-one-factor, observed total variance"
            except ValueError as exc:
                entry["reliability_note"] = str(exc)
        subscales[sub] = entry
    names = list(inst.subscales)
    correlations = {}
    if complete.sum() > 2:
        matrix = np.column_stack([frame[s].to_numpy()[complete] for s in names]).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.corrcoef(matrix, rowvar=False)
        for i, a_name in enumerate(names):
            for j in range(i + 1, len(names)):
                correlations[f"{a_name}~{names[j]}"] = _num(r[i, j])
    summary = {
        "instrument": inst.id,
        "instrument_name": inst.name,
        "citation": inst.citation,
        "key_verification": inst.verification,
        "parameters": result.parameters,
        "n_respondents": result.n_respondents,
        "n_complete": int(complete.sum()),
        "subscales": subscales,
        "correlations": correlations,
        "straight_line": int(frame["straight_line"].sum()),
        "longstring_max": int(frame["longstring"].max() or 0),
        "problems": [p.to_dict() for p in result.problems],
        "n_problems": len(result.problems),
        "warnings": list(result.warnings),
    }
    if styles is not None:
        summary["styles"] = styles.to_dict()
    return summary


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)
