"""Attachment: questionnaires (instruments as data, scoring, reliability, styles), child
attachment records (Strange Situation, Attachment Q-Set) and change over time (transitions,
stability, Cohen's kappa)."""

from attunement.attachment.agreement import Kappa, cohen_kappa, cohen_kappa_table
from attunement.attachment.change import (
    ClassificationChange,
    classification_change,
    dimension_stability,
)
from attunement.attachment.instruments import Instrument, InstrumentError, available, load
from attunement.attachment.qsort import QSortError, QSortScores, qsort_scores
from attunement.attachment.reliability import Alpha, Omega, cronbach_alpha, mcdonald_omega
from attunement.attachment.scoring import (
    Problem,
    ResponseError,
    ScoreResult,
    read_responses,
    score,
)
from attunement.attachment.strange_situation import (
    StrangeSituation,
    base_rates,
    read_strange_situation,
)
from attunement.attachment.styles import METHODS, STYLES, StyleResult, classify

__all__ = [
    "METHODS",
    "STYLES",
    "Alpha",
    "ClassificationChange",
    "Instrument",
    "InstrumentError",
    "Kappa",
    "Omega",
    "Problem",
    "QSortError",
    "QSortScores",
    "ResponseError",
    "ScoreResult",
    "StrangeSituation",
    "StyleResult",
    "available",
    "base_rates",
    "classification_change",
    "classify",
    "cohen_kappa",
    "cohen_kappa_table",
    "cronbach_alpha",
    "dimension_stability",
    "load",
    "mcdonald_omega",
    "qsort_scores",
    "read_responses",
    "read_strange_situation",
    "score",
]
