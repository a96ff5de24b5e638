"""Segment-level error rates between a reference and a hypothesis, in seconds.

On the elementary pieces of the compared region (``timeline.pieces``), with R and H the sets of
classes active in the reference and the hypothesis on a piece of duration d:

- **detection** (speech = any compared class): false alarm = Σ d [H ≠ ∅, R = ∅], missed
  detection = Σ d [R ≠ ∅, H = ∅], detection error rate = (false alarm + missed) / Σ d [R ≠ ∅];
- **identification** (pyannote.metrics' optimal one-to-one matching of the labels on each
  piece): correct = |R ∩ H|, confusion = min(|R \\ H|, |H \\ R|), missed = max(0, |R| - |H|),
  false alarm = max(0, |H| - |R|), total = |R|, each weighted by d; identification error rate =
  (confusion + false alarm + missed) / total;
- **confusion matrix** (reference class × hypothesis class, with ``none``): the diagonal holds
  correct time; on a piece with ``a = |R \\ H|`` unmatched reference and ``b = |H \\ R|``
  unmatched hypothesis classes, each pair (r, h) gets ``d min(a, b) / (a b)``, each r gets
  ``d (a - min(a, b)) / a`` in its ``none`` column, each h ``d (b - min(a, b)) / b`` in the
  ``none`` row (an even split where pyannote picks one pairing; totals are identical), and
  ``none × none`` holds the time neither side speaks. Row c sums to the reference time of c,
  column k to the hypothesis time of k.
- **per class c**: precision, recall and F1 of "c is speaking" as a detection task (the VTC
  papers' per-class scores), pyannote.metrics' ``DetectionPrecisionRecallFMeasure`` on the
  class's own stretches.

Where a total is 0 the rates follow pyannote.metrics: an error rate is 0 when there is no error
and 1 otherwise; precision is 1 with no hypothesis time; recall is 1 when both are empty.
"""

from __future__ import annotations

import numpy as np

from attunement.measures.agreement.timeline import Pieces

PYANNOTE = "Bredin (2017) pyannote.metrics, Interspeech 2017:3587-3591"
NONE = "none"


def _rate(error: float, total: float) -> float:
    return error / total if total > 0 else (0.0 if error == 0 else 1.0)


def detection(p: Pieces) -> dict[str, float]:
    """Detection figures (seconds and the rate) between sides 0 and 1."""
    d = p.duration / 1000
    ref, hyp = p.active[0].any(axis=1), p.active[1].any(axis=1)
    fa, miss, total = d[hyp & ~ref].sum(), d[ref & ~hyp].sum(), d[ref].sum()
    return {
        "reference_speech_s": float(total),
        "false_alarm_s": float(fa),
        "missed_detection_s": float(miss),
        "detection_error_rate": _rate(fa + miss, total),
    }


def identification(p: Pieces, classes: tuple[str, ...]) -> tuple[dict[str, float], dict]:
    """Identification figures and the confusion matrix in seconds (``{ref: {hyp: s}}``)."""
    d = p.duration / 1000
    r, h = p.active[0], p.active[1]
    rr, hh = r & ~h, h & ~r
    a, b = rr.sum(axis=1), hh.sum(axis=1)
    conf = np.minimum(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        pair = np.where(conf > 0, d * conf / (a * b), 0.0)
        miss_each = np.where(a > 0, d * (a - conf) / a, 0.0)
        fa_each = np.where(b > 0, d * (b - conf) / b, 0.0)
    c = len(classes)
    matrix = np.zeros((c + 1, c + 1))
    matrix[:c, :c] = (rr * pair[:, None]).T @ hh
    matrix[:c, :c] += np.diag((r & h).T.astype(float) @ d)
    matrix[:c, c] = (rr * miss_each[:, None]).sum(axis=0)
    matrix[c, :c] = (hh * fa_each[:, None]).sum(axis=0)
    matrix[c, c] = d[~r.any(axis=1) & ~h.any(axis=1)].sum()
    total = float((r.sum(axis=1) * d).sum())
    figures = {
        "reference_s": total,
        "correct_s": float(((r & h).sum(axis=1) * d).sum()),
        "confusion_s": float((conf * d).sum()),
        "identification_missed_s": float((np.maximum(a - b, 0) * d).sum()),
        "identification_false_alarm_s": float((np.maximum(b - a, 0) * d).sum()),
    }
    errors = sum(
        figures[k]
        for k in ("confusion_s", "identification_missed_s", "identification_false_alarm_s")
    )
    figures["identification_error_rate"] = _rate(errors, total)
    names = [*classes, NONE]
    table = {names[i]: {names[j]: float(matrix[i, j]) for j in range(c + 1)} for i in range(c + 1)}
    return figures, table


def precision_recall_f1(p: Pieces, j: int) -> dict[str, float]:
    """Class ``j`` as a detection task: precision, recall, F1 and both sides' time in s."""
    d = p.duration / 1000
    r, h = p.active[0][:, j], p.active[1][:, j]
    tp, fp, fn = d[r & h].sum(), d[h & ~r].sum(), d[r & ~h].sum()
    precision = 1.0 if tp + fp == 0 else tp / (tp + fp)
    recall = 1.0 if tp + fn == 0 else tp / (tp + fn)  # pyannote: 1 when both are empty
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "reference_s": float(tp + fn),
        "hypothesis_s": float(tp + fp),
    }
