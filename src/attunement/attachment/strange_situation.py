"""Strange Situation records: classifications, interactive scales, disorganisation, base rates.

Classification (Ainsworth, Blehar, Waters & Wall 1978): A (avoidant; subgroups A1, A2),
B (secure; B1-B4), C (resistant/ambivalent; C1, C2); D (disorganised/disoriented, Main & Solomon
1990), always given with a forced best-fitting organised alternative, written ``D/B2`` (``D``
alone is accepted and recorded without an alternative). A major class without subgroup (``B``)
is accepted.

Interactive scales (Ainsworth et al. 1978, Appendix III): proximity seeking, contact
maintaining, resistance, avoidance (and, optionally, search and distance interaction), each
rated 1-7 per episode; columns are named ``<scale>_<episode>`` (``avoidance_5``,
``resistance_8``: episodes 5 and 8 are the reunions). Disorganisation is rated 1-9 (Main &
Solomon 1990); by their convention a rating of 5 or more suggests a D classification
(``d_threshold``; we found this convention in secondary sources and could not check the chapter's
page here).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from attunement.errors import DataError, ReadError

__all__ = [
    "CLASSES",
    "SCALES",
    "SUBGROUPS",
    "VAN_IJZENDOORN_1999",
    "BaseRates",
    "StrangeSituation",
    "base_rates",
    "parse_classification",
    "read_strange_situation",
]

CLASSES = ("A", "B", "C", "D")
SUBGROUPS = {"A": ("A1", "A2"), "B": ("B1", "B2", "B3", "B4"), "C": ("C1", "C2")}
SCALES = (
    "proximity_seeking",
    "contact_maintaining",
    "resistance",
    "avoidance",
    "search",
    "distance_interaction",
)
SCALE_RANGE = (1.0, 7.0)
DISORGANISATION_RANGE = (1.0, 9.0)

VAN_IJZENDOORN_1999 = {"A": 15.0, "B": 62.0, "C": 9.0, "D": 15.0}
REFERENCE_SOURCE = (
    "van IJzendoorn, M. H., Schuengel, C., & Bakermans-Kranenburg, M. J. (1999). Disorganized "
    "attachment in early childhood: meta-analysis of precursors, concomitants, and sequelae. "
    "Development and Psychopathology, 11, 225-249 (normative North American middle-class "
    "samples: A 15%, B 62%, C 9%, D 15%; the published percentages sum to 101 by rounding)"
)
SOURCE = (
    "Ainsworth, M. D. S., Blehar, M. C., Waters, E., & Wall, S. (1978). Patterns of attachment. "
    "Erlbaum; Main, M., & Solomon, J. (1990). Procedures for identifying infants as "
    "disorganized/disoriented during the Ainsworth Strange Situation. In M. T. Greenberg, "
    "D. Cicchetti & E. M. Cummings (Eds.), Attachment in the preschool years (pp. 121-160). "
    "University of Chicago Press"
)

_ORGANISED = ("A", "B", "C", *(s for g in SUBGROUPS.values() for s in g))
_SCALE_COLUMN = re.compile(rf"^({'|'.join(SCALES)})_([1-8])$")


def parse_classification(text: str) -> tuple[str, str | None, str | None]:
    """``"B2"`` -> ``("B", "B2", None)``; ``"D/B2"`` -> ``("D", None, "B2")``; ``"A"`` ->
    ``("A", None, None)``: (major class, organised subgroup, D's forced alternative). Spaces and
    case are forgiven; anything else raises ``ValueError`` saying what is allowed."""
    code = re.sub(r"\s+", "", str(text)).upper()
    if code in _ORGANISED:
        return code[0], (code if len(code) > 1 else None), None
    if code == "D":
        return "D", None, None
    if code.startswith("D/") and code[2:] in _ORGANISED:
        return "D", None, code[2:]
    raise DataError(
        f"{text!r} is not a Strange Situation classification (allowed: "
        f"{', '.join(_ORGANISED)}, D, or D/<alternative> such as D/B2)"
    )


@dataclass
class StrangeSituation:
    """Validated Strange Situation records: one row per child with ``id``, ``classification``
    (A/B/C/D), ``subgroup`` (A1..C2 or null), ``forced_alternative`` (for D, or null), every
    scale column found, and ``disorganisation`` plus ``disorganisation_suggests_d`` (rating >=
    ``d_threshold``) when a disorganisation column was given."""

    records: pl.DataFrame
    path: str
    parameters: dict[str, Any]
    scale_columns: list[str]
    source: str = SOURCE

    def classes(self) -> list[str]:
        return self.records["classification"].to_list()

    def base_rates(self, **kwargs: Any) -> BaseRates:
        """``base_rates`` of these classifications (keywords as there)."""
        return base_rates(self.classes(), **kwargs)


class _Problems(list):
    """Problems as (place, text); the place is a file ``line`` for CSV input, else a ``row``."""

    def __init__(self, unit: str):
        super().__init__()
        self.unit = unit

    def add(self, row: int, column: str, message: str) -> None:
        self.append((row, f"{self.unit} {row}, column {column!r}: {message}"))


def read_strange_situation(
    source: str | Path | pl.DataFrame,
    *,
    id_column: str = "id",
    class_column: str = "classification",
    disorganisation_column: str | None = "disorganisation",
    d_threshold: float = 5.0,
) -> StrangeSituation:
    """Read and validate Strange Situation records from a CSV file or a polars frame.

    Places are named as a researcher sees them: for a CSV, ``line N`` of the file (header =
    line 1); for a frame, ``row N`` (1-based). Every invalid value (an unknown class such as
    ``B5``, a scale score outside 1-7 such as 8, a disorganisation rating outside 1-9, a missing
    or duplicate id) is listed in one ``ReadError`` naming its line or row and its column. Scale
    columns are those named ``<scale>_<episode>`` (see the module doc); ``disorganisation_column``
    is optional (``None`` or absent: not read).
    """
    if isinstance(source, pl.DataFrame):
        frame, path, first_row, unit = source, "<table>", 1, "row"
        frame = frame.with_columns(pl.all().cast(pl.String))
    else:
        path, first_row, unit = str(source), 2, "line"
        try:
            frame = pl.read_csv(source, infer_schema=False)
        except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
            raise ReadError(path, f"not a readable CSV table ({exc})") from None
    missing = [c for c in (id_column, class_column) if c not in frame.columns]
    if missing:
        raise ReadError(path, f"missing column(s) {missing}; the table has columns {frame.columns}")
    problems = _Problems(unit)
    rows = np.arange(frame.height) + first_row

    ids = frame[id_column].to_list()
    seen: dict[str, int] = {}
    for row, value in zip(rows.tolist(), ids, strict=True):
        if value is None or not str(value).strip():
            problems.add(row, id_column, "missing id")
        elif value in seen:
            problems.add(row, id_column, f"duplicate id {value!r} (first on {unit} {seen[value]})")
        else:
            seen[value] = row

    parsed: list[tuple[str | None, str | None, str | None]] = []
    for row, value in zip(rows.tolist(), frame[class_column].to_list(), strict=True):
        try:
            if value is None or not value.strip():
                raise DataError("missing classification")
            parsed.append(parse_classification(value))
        except ValueError as exc:
            problems.add(row, class_column, str(exc))
            parsed.append((None, None, None))

    scale_columns = [c for c in frame.columns if _SCALE_COLUMN.match(c)]
    numeric = {c: _numbers(frame[c], rows, c, SCALE_RANGE, problems) for c in scale_columns}
    use_d = disorganisation_column is not None and disorganisation_column in frame.columns
    if use_d:
        numeric[disorganisation_column] = _numbers(
            frame[disorganisation_column],
            rows,
            disorganisation_column,
            DISORGANISATION_RANGE,
            problems,
        )
    if problems:
        problems.sort(key=lambda p: p[0])
        shown = "\n  ".join(text for _, text in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise ReadError(
            path, f"{len(problems)} invalid value(s):\n  {shown}{more}", line=problems[0][0]
        )

    major, subgroup, forced = (list(x) for x in zip(*parsed, strict=True)) if parsed else ([],) * 3
    records = pl.DataFrame(
        {
            "id": ids,
            "classification": major,
            "subgroup": subgroup,
            "forced_alternative": forced,
            **{c: numeric[c] for c in scale_columns},
        },
        schema_overrides={
            "id": pl.String,
            "classification": pl.String,
            "subgroup": pl.String,
            "forced_alternative": pl.String,
        },
    )
    if use_d:
        rating = pl.Series("disorganisation", numeric[disorganisation_column], dtype=pl.Float64)
        records = records.with_columns(rating, disorganisation_suggests_d=rating >= d_threshold)
    return StrangeSituation(
        records=records,
        path=path,
        parameters={
            "id_column": id_column,
            "class_column": class_column,
            "disorganisation_column": disorganisation_column if use_d else None,
            "d_threshold": d_threshold,
            "scale_range": list(SCALE_RANGE),
            "disorganisation_range": list(DISORGANISATION_RANGE),
        },
        scale_columns=scale_columns,
    )


def _numbers(
    column: pl.Series,
    rows: np.ndarray,
    name: str,
    bounds: tuple[float, float],
    problems: _Problems,
) -> list[float | None]:
    """The column as floats (empty cells: None, allowed), recording non-numbers and values
    outside ``bounds`` as problems."""
    text = column.cast(pl.String).str.strip_chars()
    values = text.cast(pl.Float64, strict=False)
    empty = text.is_null() | (text == "")
    bad_number = values.is_null() & ~empty
    low, high = bounds
    out_of_range = values.is_not_null() & ((values < low) | (values > high) | values.is_nan())
    for i in np.flatnonzero(bad_number.to_numpy()):
        problems.add(int(rows[i]), name, f"{text[int(i)]!r} is not a number")
    for i in np.flatnonzero(out_of_range.fill_null(False).to_numpy()):
        problems.add(
            int(rows[i]),
            name,
            f"{text[int(i)]} is outside the scale range {low:g}-{high:g}",
        )
    return values.to_list()


@dataclass(frozen=True)
class BaseRates:
    """Counts and percentages of A/B/C/D, secure vs insecure, against a reference
    distribution: Pearson χ² goodness of fit (expected = n × reference share, the reference
    renormalised to sum to 1), df = k - 1, and per category the difference observed % -
    published reference %. ``warnings`` says when an expected count is below 5 (χ² unreliable)."""

    n: int
    categories: tuple[str, ...]
    counts: dict[str, int]
    percentages: dict[str, float]
    secure_classes: tuple[str, ...]
    secure: int
    insecure: int
    percent_secure: float
    reference: dict[str, float]
    reference_source: str
    expected: dict[str, float]
    difference: dict[str, float]
    chi2: float
    df: int
    p: float
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["chi2"], out["p"] = (None if x != x else x for x in (self.chi2, self.p))
        out["categories"] = list(self.categories)
        out["secure_classes"] = list(self.secure_classes)
        out["warnings"] = list(self.warnings)
        return out

    def to_frame(self) -> pl.DataFrame:
        """One row per category: count, %, reference %, expected count, difference."""
        return pl.DataFrame(
            {
                "classification": list(self.categories),
                "count": [self.counts[c] for c in self.categories],
                "percent": [self.percentages[c] for c in self.categories],
                "reference_percent": [self.reference[c] for c in self.categories],
                "expected": [self.expected[c] for c in self.categories],
                "difference": [self.difference[c] for c in self.categories],
            }
        )


def base_rates(
    classes: Sequence[str],
    *,
    reference: Mapping[str, float] = VAN_IJZENDOORN_1999,
    reference_source: str = REFERENCE_SOURCE,
    secure: Sequence[str] = ("B",),
) -> BaseRates:
    """Base rates of classifications (``A1``, ``D/B2`` ... count as their major class) compared
    with ``reference`` (percentages per class; default van IJzendoorn et al. 1999)."""
    major = [parse_classification(c)[0] for c in classes]
    categories = tuple(reference)
    unknown = sorted(set(major) - set(categories))
    if unknown:
        raise DataError(f"classes {unknown} are not in the reference distribution {categories}")
    n = len(major)
    counts = {c: major.count(c) for c in categories}
    total_ref = float(sum(reference.values()))
    share = {c: float(reference[c]) / total_ref for c in categories}
    expected = {c: n * share[c] for c in categories}
    percentages = {c: (100.0 * counts[c] / n if n else float("nan")) for c in categories}
    n_secure = sum(counts.get(c, 0) for c in secure)
    warnings = []
    if n == 0:
        chi2 = p = float("nan")
        warnings.append("no classifications: no test")
    else:
        obs = np.array([counts[c] for c in categories], dtype=float)
        exp = np.array([expected[c] for c in categories])
        chi2, p = (float(x) for x in stats.chisquare(obs, exp))
        small = [c for c in categories if expected[c] < 5]
        if small:
            warnings.append(
                f"expected count below 5 for {small}: the χ² approximation is unreliable"
            )
    return BaseRates(
        n=n,
        categories=categories,
        counts=counts,
        percentages=percentages,
        secure_classes=tuple(secure),
        secure=n_secure,
        insecure=n - n_secure,
        percent_secure=100.0 * n_secure / n if n else float("nan"),
        reference={c: float(reference[c]) for c in categories},
        reference_source=reference_source,
        expected=expected,
        difference={c: percentages[c] - float(reference[c]) for c in categories},
        chi2=chi2,
        df=len(categories) - 1,
        p=p,
        warnings=warnings,
    )
