"""Attachment: questionnaires (instruments as data, scoring, reliability, styles), child
attachment records (Strange Situation, Attachment Q-Set) and change over time (transitions,
stability, Cohen's kappa). Names load on first use (``attunement.lazy``)."""

from attunement.lazy import attributes

PUBLIC = {
    "Alpha": "attunement.attachment.reliability:Alpha",
    "ClassificationChange": "attunement.attachment.change:ClassificationChange",
    "Instrument": "attunement.attachment.instruments:Instrument",
    "InstrumentError": "attunement.attachment.instruments:InstrumentError",
    "Kappa": "attunement.attachment.agreement:Kappa",
    "METHODS": "attunement.attachment.styles:METHODS",
    "Omega": "attunement.attachment.reliability:Omega",
    "Problem": "attunement.attachment.scoring:Problem",
    "QSortError": "attunement.attachment.qsort:QSortError",
    "QSortScores": "attunement.attachment.qsort:QSortScores",
    "ResponseError": "attunement.attachment.scoring:ResponseError",
    "STYLES": "attunement.attachment.styles:STYLES",
    "ScoreResult": "attunement.attachment.scoring:ScoreResult",
    "StrangeSituation": "attunement.attachment.strange_situation:StrangeSituation",
    "StyleResult": "attunement.attachment.styles:StyleResult",
    "available": "attunement.attachment.specs:available",
    "base_rates": "attunement.attachment.strange_situation:base_rates",
    "classification_change": "attunement.attachment.change:classification_change",
    "classify": "attunement.attachment.styles:classify",
    "cohen_kappa": "attunement.attachment.agreement:cohen_kappa",
    "cohen_kappa_table": "attunement.attachment.agreement:cohen_kappa_table",
    "cronbach_alpha": "attunement.attachment.reliability:cronbach_alpha",
    "dimension_stability": "attunement.attachment.change:dimension_stability",
    "load": "attunement.attachment.instruments:load",
    "mcdonald_omega": "attunement.attachment.reliability:mcdonald_omega",
    "qsort_scores": "attunement.attachment.qsort:qsort_scores",
    "read_responses": "attunement.attachment.scoring:read_responses",
    "read_strange_situation": "attunement.attachment.strange_situation:read_strange_situation",
    "score": "attunement.attachment.scoring:score",
}
__all__ = sorted(PUBLIC)
__getattr__, __dir__ = attributes(__name__, PUBLIC)
