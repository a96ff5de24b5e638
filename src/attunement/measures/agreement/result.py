"""Result types of the agreement families: ``AgreementResult`` (two or more annotations of the
same audio, segment by segment) and ``CountAgreement`` (counts per clip, across clips).

Each figure is defined once, in its family's catalogue entry (``measures/families/agree.py``,
``measures/families/agree_counts.py``; ``attunement measures agree`` prints them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import polars as pl

from attunement.measures.base import Result


@dataclass
class AgreementResult(Result):
    """How far a hypothesis annotation agrees with a reference annotation of the same audio."""

    family: ClassVar[str] = "agree"

    path: str
    recording_id: str
    parameters: dict[str, Any]
    source: str
    definition: str
    hypothesis: str
    annotators: int
    compared_s: float
    frame_s: float
    collar_s: float
    reference_speech_s: float
    false_alarm_s: float
    missed_detection_s: float
    detection_error_rate: float
    reference_s: float
    correct_s: float
    confusion_s: float
    identification_missed_s: float
    identification_false_alarm_s: float
    identification_error_rate: float
    krippendorff_alpha: float | None
    confusion_matrix_s: dict[str, dict[str, float]]
    per_class: dict[str, dict[str, float]]
    kappa: dict[str, float | None]
    absent: dict[str, list[str]]
    others: list[AgreementResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class CountAgreement(Result):
    """Agreement of one count (``count``) between two annotations, clip by clip."""

    family: ClassVar[str] = "agree_counts"

    path: str
    recording_id: str
    parameters: dict[str, Any]
    source: str
    definition: str
    count: str
    clips: int
    reference_mean: float | None
    hypothesis_mean: float | None
    pearson_r: float | None
    spearman_rho: float | None
    icc_a1: float | None
    icc_a1_low: float | None
    icc_a1_high: float | None
    icc_c1: float | None
    icc_c1_low: float | None
    icc_c1_high: float | None
    mean_absolute_error: float | None
    bias: float | None
    loa_low: float | None
    loa_high: float | None
    per_clip: pl.DataFrame = field(repr=False, default_factory=pl.DataFrame)
    warnings: list[str] = field(default_factory=list)

    def to_frame(self) -> pl.DataFrame:
        """One row per clip: recording, onset and offset (s), reference and hypothesis counts."""
        return self.per_clip
