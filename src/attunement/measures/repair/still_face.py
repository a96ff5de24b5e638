"""Still-Face phases and their contrasts across dyads (Tronick, Als, Adamson, Wise & Brazelton
1978; Mesman, van IJzendoorn & Bakermans-Kranenburg 2009, Dev Rev 29:120-162).

Episode labels (``kind == "episode"`` segments) are mapped to phases by ``phases`` (phase ->
labels, compared case-insensitively); a label no phase lists is its own phase, under its own name.
The default mapping knows FF (face-to-face play), SF (still-face) and RE (reunion).

Contrasts across dyads, each a paired difference of one measure between two phases:
still-face effect SF - FF, carry-over RE - FF, recovery RE - SF. For each: n dyads with both
values, mean difference, SD of the differences, d_z = mean diff / SD of diffs, and
d_av = mean diff / ((SD_a + SD_b) / 2) (Lakens 2013, Front Psychol 4:863, eqs. 7 and 10).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

DEFAULT_PHASES: dict[str, tuple[str, ...]] = {
    "FF": ("FF", "play", "face-to-face", "face_to_face", "baseline"),
    "SF": ("SF", "still-face", "still_face", "stillface", "still face"),
    "RE": ("RE", "reunion", "repair", "reengagement", "re-engagement"),
}
CONTRASTS: dict[str, tuple[str, str]] = {
    "still_face_effect": ("SF", "FF"),
    "carry_over": ("RE", "FF"),
    "recovery": ("RE", "SF"),
}


def phase_of(labels: np.ndarray, phases: Mapping[str, Sequence[str]]) -> np.ndarray:
    """Each episode label's phase name (``""`` stays ``""``: no episode)."""
    lookup = {str(label).lower(): phase for phase, names in phases.items() for label in names}
    unique, inverse = np.unique(labels, return_inverse=True)
    mapped = np.array([lookup.get(str(u).lower(), str(u)) for u in unique] or [""], dtype=object)
    return mapped[inverse].astype(str) if len(labels) else labels


def paired_contrast(
    after: Sequence[float | None], before: Sequence[float | None]
) -> dict[str, Any]:
    """Mean difference, SD of differences, d_z, d_av and n over dyads with both values."""
    a = np.array([np.nan if v is None else v for v in after], dtype=float)
    b = np.array([np.nan if v is None else v for v in before], dtype=float)
    both = np.isfinite(a) & np.isfinite(b)
    a, b = a[both], b[both]
    n = int(both.sum())
    out: dict[str, Any] = {"n": n, "mean_diff": None, "sd_diff": None, "d_z": None, "d_av": None}
    if n == 0:
        return out
    diff = a - b
    out["mean_diff"] = float(diff.mean())
    if n < 2:
        return out
    sd_diff = float(diff.std(ddof=1))
    sd_av = (float(a.std(ddof=1)) + float(b.std(ddof=1))) / 2
    out["sd_diff"] = sd_diff
    out["d_z"] = out["mean_diff"] / sd_diff if sd_diff > 0 else None
    out["d_av"] = out["mean_diff"] / sd_av if sd_av > 0 else None
    return out


def still_face_contrasts(
    results: Sequence[Any], measure: str = "matching_proportion"
) -> dict[str, dict[str, Any]]:
    """The three Still-Face contrasts of ``measure`` (any number in a result's per-phase rows)
    across dyads (one ``RepairResult`` each)."""

    def values(phase: str) -> list[float | None]:
        return [r.by_episode.get(phase, {}).get(measure) for r in results]

    return {
        name: {"measure": measure, "phases": [a, b], **paired_contrast(values(a), values(b))}
        for name, (a, b) in CONTRASTS.items()
    }
