"""``agree``: segment-level agreement between two or more annotations of the same audio.

The first annotation is the reference, the second the hypothesis; every further annotation is
compared with the reference too (``others``) and enters Krippendorff's α. The compared region is
the part every annotation covers (from the latest first onset to the earliest last offset, any
segment counting, silence included), or the ``clips`` given (seconds on the recordings' own
timeline, each inside every recording). ``collar_s`` removes ``collar_s / 2`` on each side of
every reference boundary from the evaluation, as pyannote.metrics' ``collar`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from attunement import segments as seg
from attunement.errors import DataError, ParameterError
from attunement.measures.agreement import frames, rates
from attunement.measures.agreement.result import AgreementResult
from attunement.measures.agreement.timeline import (
    class_intervals,
    collar_cuts,
    merge,
    pieces,
    span,
    subtract,
)
from attunement.recording import Recording

CLASSES = ("CHI", "FEM", "MAL", "OCH")
SOURCE = f"{rates.PYANNOTE}; {frames.COHEN}; {frames.KRIPPENDORFF}"
DEFINITION = (
    "Detection and identification error rates, the confusion matrix in seconds and per-class "
    "precision, recall and F1 on the exact common segmentation of the annotations "
    "(pyannote.metrics' definitions, overlap counted as every class present); Cohen's kappa per "
    "class and Krippendorff's nominal alpha on frames of frame_s (ChildProject's grid)."
)


def agree(
    reference: Recording,
    hypothesis: Recording,
    *others: Recording,
    classes: Sequence[str] = CLASSES,
    collar_s: float = 0.0,
    frame_s: float = 0.01,
    clips: Sequence[tuple[float, float]] | None = None,
) -> AgreementResult:
    """Agreement of ``hypothesis`` (and ``others``) with ``reference`` (see the module doc)."""
    classes = _check(classes, collar_s, frame_s)
    recs = [reference, hypothesis, *others]
    for rec in recs:
        if span(rec.segments) is None:
            raise DataError(f"{_name(rec)}: no timed segments to compare")
    uem = region(recs, clips)
    sides = [class_intervals(rec.segments, classes) for rec in recs]
    if not any(len(iv) for side in sides for iv in side):
        raise DataError(
            f"none of the annotations has a segment of {', '.join(classes)} in the compared part"
        )
    alpha = frames.krippendorff_alpha(
        frames.frame_pieces(sides, _collared(uem, sides[0], collar_s), frame_s * 1000)
    )
    first = _pair(recs[0], recs[1], sides[0], sides[1], uem, classes, collar_s, frame_s, clips)
    first.annotators = len(recs)
    first.krippendorff_alpha = alpha
    first.others = [
        _pair(recs[0], rec, sides[0], side, uem, classes, collar_s, frame_s, clips)
        for rec, side in zip(recs[2:], sides[2:], strict=True)
    ]
    return first


def region(recs: Sequence[Recording], clips: Sequence[tuple[float, float]] | None) -> np.ndarray:
    """The compared region in ms: the clips, or the part every recording covers."""
    if clips is not None:
        return clip_region(recs, clips)
    spans = [span(rec.segments) for rec in recs]
    lo, hi = max(s[0] for s in spans), min(s[1] for s in spans)
    if hi <= lo:
        listed = "; ".join(
            f"{_name(r)} {s[0] / 1000:g}-{s[1] / 1000:g} s"
            for r, s in zip(recs, spans, strict=True)
        )
        raise DataError(f"the annotations do not overlap in time ({listed}); give --range")
    return np.array([[lo, hi]])


def clip_region(recs: Sequence[Recording], clips: Sequence[tuple[float, float]]) -> np.ndarray:
    """``clips`` (seconds) as a region in ms; a clip outside a recording is a ``DataError``."""
    if not len(clips):
        raise DataError("the clip list is empty")
    out = []
    for onset, offset in clips:
        if not (np.isfinite(onset) and np.isfinite(offset) and 0 <= onset < offset):
            raise DataError(f"clip {onset:g}-{offset:g} s: onset must be >= 0 and < offset")
        for rec in recs:
            end = max(float(rec.duration_ms or 0), span(rec.segments)[1])
            if offset * 1000 > end:
                raise DataError(
                    f"clip {onset:g}-{offset:g} s lies outside {_name(rec)}, "
                    f"which ends at {end / 1000:g} s"
                )
        out.append((onset * 1000, offset * 1000))
    return merge(np.array(out))


def _collared(uem: np.ndarray, reference: list[np.ndarray], collar_s: float) -> np.ndarray:
    if collar_s <= 0:
        return uem
    bounds = np.concatenate([iv.ravel() for iv in reference]) if reference else np.empty(0)
    return subtract(uem, collar_cuts(bounds, collar_s * 1000))


def _pair(ref, hyp, r_iv, h_iv, uem, classes, collar_s, frame_s, clips) -> AgreementResult:
    region_ = _collared(uem, r_iv, collar_s)
    if not len(region_):
        raise DataError("the collars leave nothing to compare; use a smaller --collar")
    p = pieces([r_iv, h_iv], region_)
    ident, matrix = rates.identification(p, classes)
    per_class = {}
    for j, c in enumerate(classes):
        if collar_s <= 0:
            per_class[c] = rates.precision_recall_f1(p, j)
        else:  # pyannote's collars around the class's own reference boundaries
            own = pieces([[r_iv[j]], [h_iv[j]]], _collared(uem, [r_iv[j]], collar_s))
            per_class[c] = rates.precision_recall_f1(own, 0)
    framed = frames.frame_pieces([r_iv, h_iv], region_, frame_s * 1000)
    absent = {
        "reference": [c for c, iv in zip(classes, r_iv, strict=True) if not len(iv)],
        "hypothesis": [c for c, iv in zip(classes, h_iv, strict=True) if not len(iv)],
    }
    warnings = [
        f"{c}: no segment in the {side} ({_name(ref if side == 'reference' else hyp)}); "
        "its kappa is undefined"
        for side, listed in absent.items()
        for c in listed
    ]
    return AgreementResult(
        path=ref.path,
        recording_id=ref.id,
        parameters={
            "classes": list(classes),
            "collar_s": collar_s,
            "frame_s": frame_s,
            "clips": None if clips is None else [list(c) for c in clips],
        },
        source=SOURCE,
        definition=DEFINITION,
        hypothesis=hyp.path or hyp.id,
        annotators=2,
        compared_s=float((region_[:, 1] - region_[:, 0]).sum() / 1000),
        frame_s=frame_s,
        collar_s=collar_s,
        **rates.detection(p),
        **ident,
        krippendorff_alpha=frames.krippendorff_alpha(framed),
        confusion_matrix_s=matrix,
        per_class=per_class,
        kappa=frames.kappa_per_class(framed, classes),
        absent=absent,
        warnings=warnings,
    )


def _check(classes, collar_s, frame_s) -> tuple[str, ...]:
    from attunement.measures.families.agree import PARAMETERS
    from attunement.measures.params import validate

    config = validate(
        PARAMETERS, {"classes": tuple(classes), "collar_s": collar_s, "frame_s": frame_s}, "agree"
    )
    unknown = [c for c in config["classes"] if c not in seg.SPEAKER_TYPES]
    if unknown:
        raise ParameterError(
            f"agree: unknown class(es) {', '.join(unknown)}; classes are speaker types "
            f"({', '.join(seg.SPEAKER_TYPES)})"
        )
    if len(set(config["classes"])) != len(config["classes"]):
        raise ParameterError("agree: a class is listed twice")
    return config["classes"]


def _name(rec: Recording) -> str:
    return rec.path or rec.id
