"""Chance-corrected agreement on a frame grid: Cohen's κ per class, Krippendorff's α.

Each interval ``[a, b)`` of the compared region is cut into ``ceil((b - a) / f)`` frames of ``f``
ms starting at ``a``. A segment ``[s, e)`` marks frames ``floor((s - a) / f)`` up to, not
including, ``floor((e - a) / f)`` (clipped to the interval): ChildProject 0.4.6's
``metrics.segments_to_grid`` rule, so frame counts equal its grid on the same range.

- **κ of class c** (Cohen 1960): the 2 × 2 table of frames where each side has c active or not.
- **α** (Krippendorff 2004, nominal): each frame takes one label per annotator: its single active
  class, ``overlap`` when two or more are active, ``none`` when none is (ChildProject's
  ``grid_to_vector`` labels). From the coincidence matrix o (each frame adds
  ``(n_fc n_fk - [c = k] n_fc) / (m - 1)`` for its label counts ``n_f`` over m annotators),
  ``α = 1 - (n - 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k`` with ``n_c = Σ_k o_ck``, ``n = Σ n_c``.
"""

from __future__ import annotations

import math

import numpy as np

from attunement.measures.agreement.timeline import Pieces, merge, pieces

KRIPPENDORFF = "Krippendorff (2004) Content Analysis, 2nd ed., ch. 11; nominal metric"
COHEN = "Cohen (1960) Educ Psychol Meas 20:37-46"


def to_frames(intervals: np.ndarray, uem: np.ndarray, frame_ms: float) -> np.ndarray:
    """``intervals`` (ms) as frame-index intervals on the grid of ``uem`` (see module doc)."""
    uem = merge(uem)
    if not len(intervals) or not len(uem):
        return np.empty((0, 2))
    n = np.ceil((uem[:, 1] - uem[:, 0]) / frame_ms)
    first = np.concatenate([[0], np.cumsum(n)[:-1]])
    s, e = intervals[:, 0], intervals[:, 1]
    lo = np.searchsorted(uem[:, 1], s, side="right")  # first uem interval ending after s
    hi = np.searchsorted(uem[:, 0], e, side="left")  # uem intervals starting before e
    count = np.maximum(hi - lo, 0)
    row = np.repeat(np.arange(len(intervals)), count)
    k = np.repeat(lo, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    a = uem[k, 0]
    on = np.clip(np.floor((s[row] - a) / frame_ms), 0, n[k])
    off = np.clip(np.floor((e[row] - a) / frame_ms), 0, n[k])
    keep = off > on
    return np.column_stack([(on + first[k])[keep], (off + first[k])[keep]])


def frame_pieces(sides: list[list[np.ndarray]], uem: np.ndarray, frame_ms: float) -> Pieces:
    """Pieces on the frame grid (durations in frames) for every side's class intervals."""
    total = float(np.ceil((merge(uem)[:, 1] - merge(uem)[:, 0]) / frame_ms).sum())
    framed = [[to_frames(iv, uem, frame_ms) for iv in side] for side in sides]
    return pieces(framed, np.array([[0.0, total]]))


def kappa_per_class(p: Pieces, classes: tuple[str, ...]) -> dict[str, float | None]:
    """Cohen's κ of each class between sides 0 and 1 (None where undefined: p_e = 1)."""
    from attunement.attachment.agreement import cohen_kappa_table

    out: dict[str, float | None] = {}
    r, h = p.active[0], p.active[1]
    for j, c in enumerate(classes):
        table = [
            [p.duration[r[:, j] & h[:, j]].sum(), p.duration[r[:, j] & ~h[:, j]].sum()],
            [p.duration[~r[:, j] & h[:, j]].sum(), p.duration[~r[:, j] & ~h[:, j]].sum()],
        ]
        value = cohen_kappa_table(table).kappa
        out[c] = None if math.isnan(value) else float(value)
    return out


def labels(p: Pieces) -> np.ndarray:
    """Label index of each side on each piece: class index, ``C`` (overlap) or ``C + 1`` (none)."""
    n_active = p.active.sum(axis=2)
    single = np.argmax(p.active, axis=2)
    c = p.active.shape[2]
    return np.where(n_active == 1, single, np.where(n_active == 0, c + 1, c))


def krippendorff_alpha(p: Pieces) -> float | None:
    """Krippendorff's nominal α over the frame labels of every side (None when undefined)."""
    m = p.active.shape[0]
    n_labels = p.active.shape[2] + 2
    lab = labels(p)  # (m, pieces)
    counts = np.zeros((lab.shape[1], n_labels))
    for side in range(m):
        counts[np.arange(lab.shape[1]), lab[side]] += 1
    w = p.duration
    o = (counts * w[:, None]).T @ counts - np.diag((counts * w[:, None]).sum(axis=0))
    o /= m - 1
    n_c = o.sum(axis=1)
    n = n_c.sum()
    expected = n_c.sum() ** 2 - (n_c**2).sum()
    if n <= 1 or expected == 0:
        return None
    observed = o.sum() - np.trace(o)
    return float(1 - (n - 1) * observed / expected)
