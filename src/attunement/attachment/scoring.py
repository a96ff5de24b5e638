"""Score questionnaire responses: validation, reverse keying, subscale means, response-style flags.

Definitions (one code path for every instrument and scale length):

- **Missing**: an empty cell, or a value equal to one of the declared ``missing`` codes (e.g.
  ``missing=(0,)`` for the Open-Source Psychometrics ECR file). Codes are never guessed.
- **Invalid**: any other cell that is not a whole number in ``[scale_min, scale_max]`` (text,
  decimals, out-of-range numbers). Every invalid cell is collected as a :class:`Problem` naming
  the respondent (1-based data row, file line and id when known), the item column and the value.
  ``invalid="raise"`` (default) raises one :class:`ResponseError` whose message is one summary
  (counts, values, observed range and the options that fix it; ``scale_fit``) and whose
  ``problems`` lists every cell; ``invalid="missing"`` scores them as missing and returns them in
  ``ScoreResult.problems``.
- **Scale ends**: in a sample of 30 or more respondents whose answers never reach an end of the
  declared scale, scoring stops the same way (the form probably had a shorter scale, and reverse
  keying would be wrong); ``range_check=False`` accepts it. Fewer respondents: a warning.
- **Columns**: items are read from ``items_prefix`` + item number in administration order, or by
  name for instruments whose items are named (the RQ's prototypes); ``item_map`` declares which
  data column holds which item column (``{"A": "secure", ...}``). Output rows keep ``row`` (the
  1-based data row), the id column and any ``keep`` columns, so scores join back to the data.
- **Reverse keying**: ``x' = scale_min + scale_max - x``, so a 5-point and a 7-point version
  share the same key.
- **Subscale score**: the mean of the subscale's answered (keyed) items, provided at most
  ``max_missing`` (a fraction, default 0.2) of its items are missing; otherwise null. At exactly
  20 % missing the score is kept. ``<subscale>_n`` counts the answered items. This is prorating
  (person-mean imputation), as in Fraley's and most labs' scoring of the ECR family.
- **Straight-lining** (``straight_line``): at least two items answered and every answered raw
  value identical. With reverse-keyed items in the key this is inconsistent responding.
- **Long-string index** (``longstring``): the longest run of identical consecutive raw answers in
  administration order, a missing answer breaking the run (Johnson 2005, J Res Pers 39, 103-129;
  Meade & Craig 2012, Psychol Methods 17, 437-455). No cut-off is applied: it is reported.

The sample's figures (``summary``: counts, descriptives, reliability; ``items``: the item
analysis and the mis-keying guard) are the ``score`` family's catalogue
(``measures/families/score.py``); with ``styles`` the categories of ``styles`` too. An instrument
whose key is not verified says so in the warnings of every result.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import polars as pl

from attunement.attachment.instruments import Instrument, load
from attunement.attachment.items import item_analysis, miskeyed
from attunement.attachment.scale_fit import Problem, ResponseError, ScaleFit, check
from attunement.attachment.styles import StyleResult, check_method, classify
from attunement.attachment.summary import DEFINITION, sample_figures
from attunement.errors import DataError, ParameterError, ReadError
from attunement.measures.base import Result

__all__ = ["Problem", "ResponseError", "ScoreResult", "read_responses", "score"]

SOURCE = (
    "Subscale means of reverse-keyed items (Brennan, Clark & Shaver 1998; Fraley, Waller & "
    "Brennan 2000); long-string index: Johnson (2005), Meade & Craig (2012)."
)


@dataclass
class ScoreResult(Result):
    """Scores of one instrument for every respondent and the sample's figures, with every
    parameter used.

    ``scores`` has one row per respondent: the id (if any), each subscale score and its
    ``_n`` (items answered), derived scores, ``n_answered`` (all items), ``complete``,
    ``straight_line`` and ``longstring``, after ``row`` (the 1-based data row), the id column
    and the ``keep`` columns. ``keyed`` is the respondents x items matrix after reverse keying
    (NaN = missing), in administration order, for reliability analysis. ``items`` is the item
    analysis (``attachment.items``). The figures (``summary``) are attributes; ``styles`` holds
    the categories when asked for.
    """

    family: ClassVar[str] = "score"

    instrument: Instrument = field(repr=False)
    parameters: dict[str, Any]
    source: str
    definition: str
    scores: pl.DataFrame = field(repr=False)
    keyed: np.ndarray = field(repr=False)
    respondents: int
    complete_cases: int
    scored: int
    missing_answers: int
    invalid_answers: int
    straight_lined: int
    longstring_max: int
    items_negative_r: int
    instrument_version: str
    verification: str
    anxiety_mean: float | None
    anxiety_sd: float | None
    anxiety_alpha: float | None
    anxiety_alpha_low: float | None
    anxiety_alpha_high: float | None
    anxiety_omega: float | None
    avoidance_mean: float | None
    avoidance_sd: float | None
    avoidance_alpha: float | None
    avoidance_alpha_low: float | None
    avoidance_alpha_high: float | None
    avoidance_omega: float | None
    anxiety_avoidance_r: float | None
    subscales: dict[str, dict[str, Any]]
    correlations: dict[str, float | None]
    items: pl.DataFrame = field(repr=False)
    problems: list[Problem] = field(default_factory=list)
    styles: StyleResult | None = None
    path: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> np.ndarray:
        """Respondents with every item answered (validly)."""
        return self.scores["complete"].to_numpy()

    def subscale_items(self, subscale: str, complete_only: bool = True) -> np.ndarray:
        """The keyed item matrix of one subscale (rows: complete cases of the whole instrument
        if ``complete_only``)."""
        block = self.keyed[:, self.instrument.positions(subscale)]
        return block[self.complete] if complete_only else block

    def to_frame(self) -> pl.DataFrame:
        """One row per respondent: ``scores``, ``instrument`` and ``verification`` (so that the
        file says what it holds), with ``style`` and ``style_method`` when classified."""
        frame = self.scores.with_columns(
            instrument=pl.lit(self.instrument.id), verification=pl.lit(self.verification)
        )
        if self.styles is None:
            return frame
        return frame.with_columns(self.styles.labels, style_method=pl.lit(self.styles.method))


def read_responses(path: str | Path) -> pl.DataFrame:
    """Read a delimited response file with every column as text; the delimiter (comma, tab,
    semicolon or bar) is sniffed from the first 64 kB."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(65536)
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(path, f"cannot read the file ({exc})") from None
    if not sample.strip():
        raise ReadError(path, "the file is empty")
    try:
        separator = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        header = sample.splitlines()[0]
        separator = max(",\t;|", key=header.count)
    try:
        return pl.read_csv(path, separator=separator, infer_schema_length=0)
    except pl.exceptions.PolarsError as exc:
        raise ReadError(path, f"not a delimited table ({str(exc).splitlines()[0]})") from None


def score(
    data: pl.DataFrame | str | Path,
    instrument: Instrument | str,
    *,
    items_prefix: str = "Q",
    item_map: dict[str, str] | None = None,
    scale_min: int | None = None,
    scale_max: int | None = None,
    missing: tuple[float, ...] | list[float] = (),
    max_missing: float = 0.2,
    id_column: str | None = None,
    keep: tuple[str, ...] | list[str] = (),
    invalid: Literal["raise", "missing"] = "raise",
    range_check: bool = True,
    first_line: int | None = None,
    confidence: float = 0.95,
    styles: str | None = None,
    extrapolate: bool = False,
) -> ScoreResult:
    """Score responses to ``instrument`` (see the module docstring for every definition).

    ``data`` is a frame or a delimited file whose item columns are ``items_prefix`` + item
    number in the instrument's order, or the items' names for instruments read by name;
    ``item_map`` maps data columns to item columns (``{"A": "secure"}``). Other columns are
    ignored unless named in ``keep`` (passed through to every output row, as is ``id_column``).
    ``scale_min``/``scale_max`` default to the instrument's published range; ``missing`` lists
    the declared missing codes; ``range_check=False`` accepts answers that never reach the
    scale's ends. ``first_line`` is the file line of the first data row (2 below a header; set
    automatically when ``data`` is a path) so that problems name lines as well as rows.
    ``confidence``: level of alpha's interval; ``styles``: a ``styles`` method (``brennan1998``,
    ``midpoint``, ``median``) to classify respondents by anxiety and avoidance; ``extrapolate``
    allows ``brennan1998`` on instruments other than the 36-item ECR (labelled an extrapolation).
    """
    inst = load(instrument) if isinstance(instrument, str) else instrument
    if styles is not None:
        check_method(styles, inst.id, set(inst.subscales), extrapolate=extrapolate)
    source_name, where, path = "data", "", ""
    if not isinstance(data, pl.DataFrame):
        source_name, where, path = str(data), f"{data}: ", str(data)
        data = read_responses(data)
        first_line = 2 if first_line is None else first_line
    lo = inst.scale_min if scale_min is None else int(scale_min)
    hi = inst.scale_max if scale_max is None else int(scale_max)
    if lo >= hi:
        raise ParameterError(f"scale_min must be below scale_max, got {lo} and {hi}")
    if not 0 <= max_missing < 1:
        raise ParameterError(f"max_missing must be a fraction in [0, 1), got {max_missing}")
    if invalid not in ("raise", "missing"):
        raise ParameterError(f"invalid must be 'raise' or 'missing', got {invalid!r}")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be in (0, 1), got {confidence}")
    columns = inst.columns(items_prefix)
    data = _map_items(data, item_map or {}, columns, where)
    absent = [c for c in columns if c not in data.columns]
    if absent:
        raise DataError(where + _absent_message(inst, columns, absent))
    for name in (id_column, *keep):
        if name is not None and name not in data.columns:
            raise DataError(f"{where}no column {name!r} (the file has {', '.join(data.columns)})")
    clash = [n for n in (id_column, *keep) if n in _output_names(inst)]
    if clash:
        raise ParameterError(f"{', '.join(clash)}: a kept column may not share an output's name")
    missing_codes = tuple(float(m) for m in missing)

    raw, fit = _parse(data, columns, lo, hi, missing_codes, id_column, first_line)
    if fit.stops(invalid, range_check):
        raise ResponseError(fit, source_name, inst.id)
    warnings = [w for w in (inst.caution(), fit.warning()) if w]
    keyed = raw.copy()
    rev = [i for i, item in enumerate(inst.items) if item in inst.reverse]
    keyed[:, rev] = lo + hi - keyed[:, rev]

    out: dict[str, Any] = {"row": np.arange(1, data.height + 1, dtype=np.int64)}
    for name in dict.fromkeys(n for n in (id_column, *keep) if n is not None):
        out[name] = data[name]
    answered = ~np.isnan(keyed)
    sub_scores = {}
    for sub in inst.subscales:
        pos = inst.positions(sub)
        n_ok = answered[:, pos].sum(axis=1)
        allowed = (len(pos) - n_ok) <= max_missing * len(pos) + 1e-9
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(keyed[:, pos], axis=1) / n_ok
        sub_scores[sub] = np.where(allowed & (n_ok > 0), mean, np.nan)
        out[sub] = sub_scores[sub]
        out[f"{sub}_n"] = n_ok.astype(np.int32)
    for name, weights in inst.derived.items():
        out[name] = sum(w * sub_scores[s] for s, w in weights.items())
    n_answered = answered.sum(axis=1)
    out["n_answered"] = n_answered.astype(np.int32)
    out["complete"] = n_answered == len(columns)
    out["straight_line"] = _straight_line(raw)
    out["longstring"] = _longstring(raw)
    scores = pl.DataFrame(out).with_columns(
        [pl.col(s).fill_nan(None) for s in (*inst.subscales, *inst.derived)]
    )
    items = item_analysis(inst, keyed, scores["complete"].to_numpy(), columns)
    warnings += miskeyed(items)
    parameters = {
        "instrument": inst.id,
        "items_prefix": items_prefix,
        "item_map": dict(item_map or {}),
        "scale_min": lo,
        "scale_max": hi,
        "missing": list(missing_codes),
        "max_missing": max_missing,
        "id_column": id_column,
        "keep": list(keep),
        "invalid": invalid,
        "range_check": range_check,
        "confidence": confidence,
        "styles": styles,
        "extrapolate": extrapolate,
    }
    style_result = None
    if styles is not None:
        style_result = classify(
            scores["anxiety"].to_numpy(),
            scores["avoidance"].to_numpy(),
            styles,
            scale_min=lo,
            scale_max=hi,
            instrument=inst.id,
            extrapolate=extrapolate,
        )
    return ScoreResult(
        instrument=inst,
        parameters=parameters,
        source=(
            f"{inst.name} ({inst.version}): {inst.citation} Key ({inst.verification}): "
            f"{inst.key_source}. Scoring: {SOURCE}"
        ),
        definition=__doc__.split("\n\n", 1)[1].rsplit("\n\n", 1)[0].strip() + " " + DEFINITION,
        scores=scores,
        keyed=keyed,
        **sample_figures(inst, scores, keyed, len(fit.problems), confidence),
        items_negative_r=int((items["r_corrected"] < 0).sum()),
        items=items,
        problems=fit.problems,
        styles=style_result,
        path=path,
        warnings=warnings,
    )


def _output_names(inst: Instrument) -> set[str]:
    """Every column name of ``ScoreResult.to_frame`` besides the id and kept columns."""
    fixed = {"row", "n_answered", "complete", "straight_line", "longstring", "instrument"}
    fixed |= {"verification", "style", "style_method"}
    return fixed | set(inst.subscales) | {f"{s}_n" for s in inst.subscales} | set(inst.derived)


def _map_items(
    data: pl.DataFrame, item_map: dict[str, str], columns: list[str], where: str
) -> pl.DataFrame:
    """``data`` with the columns of ``item_map`` renamed to the item columns they hold."""
    if not item_map:
        return data
    unknown = [c for c in item_map.values() if c not in columns]
    if unknown:
        raise ParameterError(
            f"item_map: {', '.join(unknown)} is not an item of this instrument; its items are "
            f"{', '.join(columns)}"
        )
    twice = sorted({c for c in item_map.values() if list(item_map.values()).count(c) > 1})
    if twice:
        raise ParameterError(f"item_map: {', '.join(twice)} is given more than one column")
    lacking = [c for c in item_map if c not in data.columns]
    if lacking:
        raise DataError(f"{where}item_map names column(s) the file lacks: {', '.join(lacking)}")
    taken = [c for c in columns if c in data.columns and c not in item_map]
    clash = [c for c in item_map.values() if c in taken]
    if clash:
        raise DataError(
            f"{where}the file already has column(s) {', '.join(clash)}; item_map would read two"
        )
    return data.rename(item_map)


def _absent_message(inst: Instrument, columns: list[str], absent: list[str]) -> str:
    if inst.names:
        return (
            f"{inst.id} reads answers by name: it needs the columns {', '.join(columns)} "
            f"(missing: {', '.join(absent)}). If your columns are letters or numbers, declare "
            "which is which as your form letters them, e.g. item_map "
            "A=secure,B=fearful,C=preoccupied,D=dismissing (--item-map): published forms letter "
            "the paragraphs differently, so answers are never taken by position"
        )
    return (
        f"{inst.id} needs item columns {columns[0]}..{columns[-1]}; "
        f"missing: {', '.join(absent)} (set the item prefix?)"
    )


def _parse(
    data: pl.DataFrame,
    columns: list[str],
    lo: int,
    hi: int,
    missing_codes: tuple[float, ...],
    id_column: str | None,
    first_line: int | None,
) -> tuple[np.ndarray, ScaleFit]:
    """Item cells as floats (NaN = missing or invalid) and their fit to the scale (every invalid
    cell listed)."""
    text = data.select(
        [
            (
                pl.col(c).str.strip_chars()
                if data.schema[c] == pl.String
                else pl.col(c).cast(pl.String, strict=False)
            ).alias(c)
            for c in columns
        ]
    )
    text = text.with_columns(
        [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns]
    )
    values = text.select([pl.col(c).cast(pl.Float64, strict=False) for c in columns]).to_numpy()
    values = np.array(values, dtype=np.float64)  # a writable copy
    present = text.select([pl.col(c).is_not_null() for c in columns]).to_numpy()
    unparsed = present & np.isnan(values)
    for code in missing_codes:
        values[values == code] = np.nan
    parsed = ~np.isnan(values)
    finite = np.isfinite(values)
    out_of_range = parsed & ((values < lo) | (values > hi) | ~finite)
    fractional = parsed & finite & ~out_of_range & (values != np.round(values))
    bad = unparsed | out_of_range | fractional
    problems: list[Problem] = []
    raw_text = np.asarray(text.to_numpy(), dtype=object)
    if bad.any():
        rows, cols = np.nonzero(bad)
        ids = data[id_column].cast(pl.String) if id_column is not None else None
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            if unparsed[r, c]:
                what = f"is not a number (expected {lo}..{hi})"
            elif fractional[r, c]:
                what = f"is not a whole number on the {lo}..{hi} scale"
            else:
                what = f"is outside the scale {lo}..{hi}"
                if missing_codes:
                    what += f" and not a declared missing code {list(missing_codes)}"
            problems.append(
                Problem(
                    row=r + 1,
                    line=None if first_line is None else r + first_line,
                    respondent=None if ids is None else ids[r],
                    item=columns[c],
                    value=str(raw_text[r, c]),
                    problem=what,
                )
            )
    fit = check(values, raw_text, unparsed, lo, hi, missing_codes, problems)
    values[bad] = np.nan
    return values, fit


def _straight_line(raw: np.ndarray) -> np.ndarray:
    gap = np.isnan(raw)
    n = (~gap).sum(axis=1)
    if raw.shape[1] == 0:
        return n >= 2
    highest = np.where(gap, -np.inf, raw).max(axis=1)
    lowest = np.where(gap, np.inf, raw).min(axis=1)
    return (n >= 2) & (highest == lowest)


def _longstring(raw: np.ndarray) -> np.ndarray:
    """Longest run of identical consecutive answers per row (vectorised over rows)."""
    n_rows, n_cols = raw.shape
    if n_cols == 0:
        return np.zeros(n_rows, dtype=np.int32)
    run = (~np.isnan(raw[:, 0])).astype(np.int32)
    best = run.copy()
    for j in range(1, n_cols):
        here = ~np.isnan(raw[:, j])
        same = here & (raw[:, j] == raw[:, j - 1])
        run = np.where(same, run + 1, here.astype(np.int32))
        np.maximum(best, run, out=best)
    return best
