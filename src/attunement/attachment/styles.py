"""Attachment categories from the two dimensions (anxiety, avoidance), as documented options.

The dimensions are the measurement; a category is a coarser summary and always names its method:

- ``brennan1998``: Brennan, Clark & Shaver's (1998) classification functions, as distributed with
  Fraley's ECR scoring notes (and reproduced in several public implementations):
  secure = 3.2893296 avo + 5.4725318 anx - 11.5307833; fearful = 7.2371075 avo + 8.1776448 anx
  - 32.3553266; preoccupied = 3.9246754 avo + 9.7102446 anx - 28.4573220; dismissing =
  7.3654621 avo + 4.9392039 anx - 22.2281088; the highest value wins (ties: first in that order).
  They were estimated on 7-point means of the 36-item ECR only. On any other instrument (ECR-R,
  ECR-S, ECR-12, ECR-RS ...) they are refused unless ``extrapolate=True`` (``--extrapolate``), and
  the result then says it is an extrapolation. Scores on another range ``[lo, hi]`` are first
  mapped linearly to 1-7 (``1 + 6 (x - lo) / (hi - lo)``): also an extrapolation, since the
  functions were never estimated on such data, and the result says so. (Public copies print
  the fearful anxiety weight as 8.1776448 or 8.1776446; we use the majority value, 8.1776448;
  the difference is below 1e-6 per point.)
- ``midpoint``: quadrants split at the scale midpoint ``(lo + hi) / 2``; a score equal to the cut
  counts as low. Low/low secure, high anxiety only preoccupied, high avoidance only dismissing,
  high/high fearful (Bartholomew & Horowitz 1991's four-category model).
- ``median``: the same quadrants split at the sample medians of the scored respondents.

Respondents without both dimension scores get no category (null). The counts are the figures of
the ``styles`` family (``measures/families/styles.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import polars as pl

from attunement.errors import DataError, ParameterError
from attunement.measures.base import Result
from attunement.measures.families.styles import METHODS

STYLES = ("secure", "fearful", "preoccupied", "dismissing")
BRENNAN_INSTRUMENTS = ("ecr",)  # the functions were estimated on the 36-item ECR only
BRENNAN_1998 = np.array(
    [
        # avoidance, anxiety, constant
        [3.2893296, 5.4725318, -11.5307833],
        [7.2371075, 8.1776448, -32.3553266],
        [3.9246754, 9.7102446, -28.4573220],
        [7.3654621, 4.9392039, -22.2281088],
    ]
)
SOURCES = {
    "brennan1998": "Brennan, Clark & Shaver (1998) classification functions (Fraley's ECR notes)",
    "midpoint": "Bartholomew & Horowitz (1991) quadrants, split at the scale midpoint",
    "median": "Bartholomew & Horowitz (1991) quadrants, split at the sample medians",
}


@dataclass
class StyleResult(Result):
    """One category per respondent (``labels``; null when a dimension is missing), every
    parameter (method, cuts, rescaling) and the count of each category."""

    family: ClassVar[str] = "styles"

    parameters: dict[str, Any]
    source: str
    definition: str
    labels: pl.Series = field(repr=False)
    secure: int
    fearful: int
    preoccupied: int
    dismissing: int
    unclassified: int
    warnings: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        return self.parameters["method"]

    def to_frame(self) -> pl.DataFrame:
        """One row per respondent: ``style`` (null when unclassified)."""
        return self.labels.to_frame()


def check_method(
    method: str, instrument: str | None, subscales: set[str], *, extrapolate: bool = False
) -> None:
    """Refuse a method the instrument cannot support: an unknown method, no anxiety and
    avoidance scores, or ``brennan1998`` on an instrument other than the 36-item ECR without
    ``extrapolate`` (``ParameterError``)."""
    if method not in METHODS:
        raise ParameterError(f"unknown style method {method!r}; choose one of {', '.join(METHODS)}")
    if not {"anxiety", "avoidance"} <= subscales:
        raise ParameterError(f"{instrument} has no anxiety and avoidance scores to classify")
    if method == "brennan1998" and instrument not in BRENNAN_INSTRUMENTS and not extrapolate:
        raise ParameterError(
            f"styles brennan1998: the classification functions were estimated on the 36-item "
            f"ECR only, not on {instrument or 'scores of an unnamed instrument'}; use midpoint "
            "or median, or pass --extrapolate (extrapolate=True) to apply them anyway, labelled "
            "an extrapolation"
        )


def classify(
    anxiety: np.ndarray,
    avoidance: np.ndarray,
    method: str,
    *,
    scale_min: float,
    scale_max: float,
    instrument: str | None = "ecr",
    extrapolate: bool = False,
) -> StyleResult:
    """Categories of each (anxiety, avoidance) pair by ``method`` (see the module docstring);
    ``instrument``: the id the scores come from (``brennan1998`` needs ``ecr`` or
    ``extrapolate``)."""
    check_method(method, instrument, {"anxiety", "avoidance"}, extrapolate=extrapolate)
    if scale_min >= scale_max:
        raise ParameterError(f"scale_min must be below scale_max, got {scale_min} and {scale_max}")
    anx = np.asarray(anxiety, dtype=np.float64)
    avo = np.asarray(avoidance, dtype=np.float64)
    scored = ~(np.isnan(anx) | np.isnan(avo))
    params: dict[str, Any] = {"method": method, "scale_min": scale_min, "scale_max": scale_max}
    warnings: list[str] = []
    if method == "brennan1998":
        params["instrument"] = instrument
        params["extrapolated_to_instrument"] = instrument not in BRENNAN_INSTRUMENTS
        if instrument not in BRENNAN_INSTRUMENTS:
            warnings.append(
                f"brennan1998 on {instrument}: an extrapolation; the classification functions "
                "were estimated on the 36-item ECR only"
            )
        rescale = (scale_min, scale_max) != (1, 7)
        if rescale:
            anx = 1 + 6 * (anx - scale_min) / (scale_max - scale_min)
            avo = 1 + 6 * (avo - scale_min) / (scale_max - scale_min)
            warnings.append(
                f"scores on {scale_min:g}-{scale_max:g} were mapped linearly to 1-7 before "
                "applying functions estimated on 7-point data (an extrapolation)"
            )
        params["rescaled_to_1_7"] = rescale
        params["coefficients"] = {
            s: dict(zip(("avoidance", "anxiety", "constant"), row.tolist(), strict=True))
            for s, row in zip(STYLES, BRENNAN_1998, strict=True)
        }
        values = np.column_stack([avo, anx, np.ones_like(anx)]) @ BRENNAN_1998.T
        index = np.argmax(np.nan_to_num(values, nan=-np.inf), axis=1)
    else:
        if method == "midpoint":
            cut_anx = cut_avo = (scale_min + scale_max) / 2
        else:
            if not scored.any():
                raise DataError("median split needs at least one respondent with both scores")
            cut_anx, cut_avo = float(np.median(anx[scored])), float(np.median(avo[scored]))
        params["cut_anxiety"], params["cut_avoidance"] = cut_anx, cut_avo
        high_anx, high_avo = anx > cut_anx, avo > cut_avo
        # STYLES order: secure 0, fearful 1, preoccupied 2, dismissing 3
        index = np.select([high_anx & high_avo, high_anx, high_avo], [1, 2, 3], default=0)
    labels = pl.Series("style", np.array(STYLES, dtype=object)[index], dtype=pl.String)
    labels = labels.set(pl.Series(~scored), None)
    found = dict(labels.drop_nulls().value_counts().iter_rows())
    return StyleResult(
        parameters=params,
        source=SOURCES[method],
        definition=__doc__.split("\n\n", 1)[1].strip(),
        labels=labels,
        **{style: int(found.get(style, 0)) for style in STYLES},
        unclassified=int(labels.null_count()),
        warnings=warnings,
    )
