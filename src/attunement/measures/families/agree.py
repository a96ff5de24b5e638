"""The ``agree`` family: segment-level agreement between annotations of the same audio
(a human annotation against LENA, VTC or a second human)."""

from __future__ import annotations

from typing import Any

from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

PYANNOTE = "Bredin (2017) pyannote.metrics, Interspeech 2017:3587-3591"
VTC = "Lavechin et al. (2020) Interspeech 2020:3072-3076 (per-class scores)"
COHEN = "Cohen (1960) Educ Psychol Meas 20:37-46"
KRIPPENDORFF = "Krippendorff (2004) Content Analysis, 2nd ed., ch. 11"


def _run(annotations, **config: Any):
    """``measures.agreement.agree`` of a list of recordings (reference first)."""
    from attunement.measures.agreement import agree

    return agree(*annotations, **config)


PARAMETERS = (
    Param(
        "classes",
        "labels",
        ("CHI", "FEM", "MAL", "OCH"),
        "Speaker types compared (others are ignored: not speech).",
    ),
    Param(
        "collar_s",
        "seconds",
        0.0,
        "Time around each reference boundary left out (half before, half after).",
    ),
    Param(
        "frame_s",
        "seconds",
        0.01,
        "Frame length of the grid for kappa and alpha.",
        minimum=0.001,
        maximum=3600,
    ),
)


def _s(name: str, label: str, definition: str, source: str = PYANNOTE, **kw: Any) -> Figure:
    return Figure(name, "s", label, definition, source, **kw)


def _rate(name: str, label: str, definition: str, source: str = PYANNOTE, **kw) -> Figure:
    return Figure(name, "share", label, definition, source, **kw)


FIGURES = (
    Figure("hypothesis", "text", "hypothesis", "The annotation compared with the reference."),
    Figure(
        "annotators", "count", "annotations compared", "Annotations compared, reference included."
    ),
    _s(
        "compared_s",
        "time compared",
        "Length of the compared region (collars left out).",
        headline=True,
    ),
    _s("frame_s", "frame length (kappa, alpha)", "Frame length of the grid for kappa and alpha."),
    _s("collar_s", "collar", "Time around each reference boundary left out of the comparison."),
    _s(
        "reference_speech_s",
        "reference speech",
        "Time in which the reference has any compared class speaking.",
    ),
    _s(
        "false_alarm_s",
        "false alarm (detection)",
        "Time the hypothesis has speech and the reference none.",
    ),
    _s(
        "missed_detection_s",
        "missed speech (detection)",
        "Time the reference has speech and the hypothesis none.",
    ),
    _rate(
        "detection_error_rate",
        "detection error rate",
        "(false_alarm_s + missed_detection_s) / reference_speech_s (pyannote DetectionErrorRate).",
        headline=True,
    ),
    _s(
        "reference_s",
        "reference class time",
        "Sum over classes of the time each is speaking in the reference (overlap counts each).",
    ),
    _s("correct_s", "correctly identified", "Time of reference classes the hypothesis also has."),
    _s(
        "confusion_s",
        "confused",
        "Time of reference classes given another class: min(|R \\ H|, |H \\ R|) per instant.",
    ),
    _s(
        "identification_missed_s",
        "missed (identification)",
        "max(0, |R| - |H|) per instant: reference classes left without any label.",
    ),
    _s(
        "identification_false_alarm_s",
        "false alarm (identification)",
        "max(0, |H| - |R|) per instant: hypothesis classes beyond the reference's.",
    ),
    _rate(
        "identification_error_rate",
        "identification error rate",
        "(confusion_s + identification_false_alarm_s + identification_missed_s) / reference_s "
        "(pyannote IdentificationErrorRate).",
        headline=True,
    ),
    Figure(
        "krippendorff_alpha",
        "number",
        "Krippendorff's alpha (nominal, frames)",
        "1 - observed / expected disagreement of the frame labels (class, overlap or none) of "
        "every annotation.",
        KRIPPENDORFF,
        headline=True,
    ),
    _s(
        "confusion_matrix_s",
        "confusion matrix (s)",
        "Reference class x hypothesis class in seconds, with none for misses and false alarms.",
        shape="detail",
    ),
    Figure(
        "per_class",
        "share",
        "per class: precision, recall, F1",
        "Each class as a detection task: precision, recall, f1, reference_s, hypothesis_s.",
        f"{PYANNOTE}; {VTC}",
        shape="detail",
    ),
    Figure(
        "kappa",
        "number",
        "Cohen's kappa per class (frames)",
        "Kappa of the 2 x 2 table of frames with the class active or not on each side.",
        COHEN,
        shape="detail",
    ),
    Figure(
        "absent",
        "text",
        "classes absent",
        "Per side (reference, hypothesis), the compared classes it never has.",
        shape="detail",
    ),
    Figure(
        "others",
        "text",
        "further annotations against the reference",
        "With three or more annotations: each further one compared with the reference.",
        shape="detail",
    ),
)

FAMILY = Family(
    name="agree",
    title="Agreement between annotations",
    summary="detection and identification error rates, confusion matrix, per-class F1, kappa, "
    "alpha",
    input="annotations",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source=f"{PYANNOTE}; {COHEN}; {KRIPPENDORFF}",
)
