"""Attachment Q-Set scores: the correlation of each child's sort with named criterion sorts.

The Attachment Q-Set (Waters & Deane 1985; version 3.0, Waters 1995) has 90 items, sorted by an
observer into 9 piles of 10 (pile 9 = most characteristic of the child). A child's *security*
score is the Pearson correlation, across items, of the child's pile placements with the
criterion sort of a prototypically secure child; a *dependency* score uses the dependency
criterion the same way. The items and criterion sorts are the authors': we ship none, the user
supplies them (any number of named criteria, e.g. ``security`` and ``dependency``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attunement.errors import DataError

__all__ = ["QSortError", "QSortScores", "qsort_scores", "validate_sorts"]

SOURCE = (
    "Waters, E., & Deane, K. E. (1985). Defining and assessing individual differences in "
    "attachment relationships: Q-methodology and the organization of behavior in infancy and "
    "early childhood. Monographs of the Society for Research in Child Development, 50(1-2), "
    "41-65; Waters, E. (1995). Appendix A: The Attachment Q-Set (Version 3.0). Monographs of the "
    "Society for Research in Child Development, 60(2-3), 234-246"
)
DEFINITION = (
    "score(child, criterion) = Pearson r over items between the child's pile numbers and the "
    "criterion's item values; invariant to any positive linear rescaling of the criterion"
)


class QSortError(DataError):
    """Invalid Q-sorts: ``problems`` lists each as 'child X, item Y: what is wrong'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n  ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the Q-sorts:\n  {shown}{more}")


@dataclass(frozen=True)
class QSortScores:
    """One row per child (``id_column``) with one column per criterion (Pearson r); the
    parameters used, the source and the definition."""

    scores: pl.DataFrame
    criteria: tuple[str, ...]
    n_items: int
    parameters: dict[str, Any]
    source: str = SOURCE
    definition: str = DEFINITION

    def to_frame(self) -> pl.DataFrame:
        return self.scores

    def to_dict(self) -> dict[str, Any]:
        return {
            "criteria": list(self.criteria),
            "n_items": self.n_items,
            "parameters": self.parameters,
            "source": self.source,
            "definition": self.definition,
            "scores": self.scores.to_dicts(),
        }


def _criteria_frame(
    criteria: pl.DataFrame | Mapping[str, Mapping[Any, float]], item_column: str
) -> tuple[list[str], list[str], np.ndarray]:
    """(items, criterion names, items × criteria matrix) from a frame with ``item_column`` and
    one column per criterion, or from ``{name: {item: value}}``."""
    if not isinstance(criteria, pl.DataFrame):
        names = list(criteria)
        items = sorted({str(i) for c in criteria.values() for i in c}, key=_item_key)
        values = np.full((len(items), len(names)), np.nan)
        index = {item: i for i, item in enumerate(items)}
        for j, name in enumerate(names):
            for item, value in criteria[name].items():
                values[index[str(item)], j] = float(value)
        missing = [
            f"criterion {names[j]!r} has no value for item {items[i]!r}"
            for i, j in zip(*np.nonzero(np.isnan(values)), strict=True)
        ]
        if missing:
            raise QSortError(missing)
        return items, names, values
    if item_column not in criteria.columns:
        raise QSortError([f"the criterion table has no {item_column!r} column"])
    names = [c for c in criteria.columns if c != item_column]
    if not names:
        raise QSortError(["the criterion table has no criterion column"])
    items = [str(i) for i in criteria[item_column].to_list()]
    duplicates = sorted({i for i in items if items.count(i) > 1})
    if duplicates:
        raise QSortError([f"criterion item {i!r} appears more than once" for i in duplicates])
    values = criteria.select(pl.col(names).cast(pl.Float64, strict=False)).to_numpy()
    bad = [
        f"criterion {names[j]!r}, item {items[i]!r}: missing or not a number"
        for i, j in zip(*np.nonzero(~np.isfinite(values)), strict=True)
    ]
    if bad:
        raise QSortError(bad)
    return items, names, values


def _item_key(item: str) -> tuple[int, str]:
    return (int(item), "") if item.isdigit() else (1 << 30, item)


def validate_sorts(
    sorts: pl.DataFrame,
    items: Sequence[str],
    *,
    id_column: str = "child",
    piles: int = 9,
    per_pile: int | None = None,
) -> np.ndarray:
    """The children × items matrix of pile numbers, after checking that every item of
    ``items`` is a column, no other item column is present, every cell is a whole number
    1..``piles``, and (when ``per_pile`` is given, e.g. 10 for the AQS) each child put exactly
    ``per_pile`` items in each pile. Raises ``QSortError`` naming child and item."""
    if id_column not in sorts.columns:
        raise QSortError([f"the sorts have no {id_column!r} column; columns: {sorts.columns}"])
    ids = [str(i) for i in sorts[id_column].to_list()]
    problems: list[str] = []
    columns = [c for c in sorts.columns if c != id_column]
    wanted = set(items)
    problems += [
        f"item {c!r} of the sorts is not in the criterion sorts" for c in columns if c not in wanted
    ]
    problems += [
        f"item {i!r} is missing from the sorts (no column)" for i in items if i not in set(columns)
    ]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    problems += [f"child {i!r} appears more than once" for i in duplicates]
    if problems:
        raise QSortError(problems)
    raw = sorts.select(pl.col(list(items)).cast(pl.Float64, strict=False)).to_numpy()
    text = sorts.select(pl.col(list(items)).cast(pl.String)).to_numpy()
    invalid = ~np.isfinite(raw) | (raw != np.round(raw)) | (raw < 1) | (raw > piles)
    for r, c in zip(*np.nonzero(invalid), strict=True):
        value = text[r, c]
        empty = value is None or str(value).strip().lower() in ("", "nan")
        what = "missing" if empty else f"pile {value!r}"
        problems.append(f"child {ids[r]!r}, item {items[c]!r}: {what} (piles are 1-{piles})")
    if problems:
        raise QSortError(problems)
    placements = raw.astype(np.int64)
    if per_pile is not None:
        if per_pile * piles != len(items):
            raise QSortError(
                [f"{per_pile} items × {piles} piles = {per_pile * piles}, not {len(items)} items"]
            )
        counts = np.stack([(placements == p).sum(axis=1) for p in range(1, piles + 1)], axis=1)
        for r, p in zip(*np.nonzero(counts != per_pile), strict=True):
            problems.append(
                f"child {ids[r]!r}: pile {p + 1} holds {counts[r, p]} items, not {per_pile}"
            )
        if problems:
            raise QSortError(problems)
    return placements


def qsort_scores(
    sorts: pl.DataFrame,
    criteria: pl.DataFrame | Mapping[str, Mapping[Any, float]],
    *,
    id_column: str = "child",
    item_column: str = "item",
    piles: int = 9,
    per_pile: int | None = None,
) -> QSortScores:
    """Each child's correlation with each criterion sort (see ``DEFINITION``).

    ``sorts``: one row per child, ``id_column`` plus one column per item (named as the items of
    the criteria, e.g. ``"1"`` .. ``"90"``), values = pile numbers 1..``piles``. ``criteria``: a
    frame with ``item_column`` and one column per named criterion, or ``{name: {item: value}}``.
    ``per_pile`` turns on the forced-distribution check (10 for the AQS's 9 × 10). Computed for
    all children at once: row-standardised sorts times column-standardised criteria. A child who
    put every item in one pile has no variance: their score is NaN.
    """
    items, names, criterion = _criteria_frame(criteria, item_column)
    placements = validate_sorts(
        sorts, items, id_column=id_column, piles=piles, per_pile=per_pile
    ).astype(float)
    centred = placements - placements.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred**2).sum(axis=1, keepdims=True))
    crit = criterion - criterion.mean(axis=0, keepdims=True)
    crit_norms = np.sqrt((crit**2).sum(axis=0, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (centred / norms) @ (crit / crit_norms)
    scores = pl.DataFrame({id_column: sorts[id_column].cast(pl.String)}).with_columns(
        pl.Series(name, r[:, j]) for j, name in enumerate(names)
    )
    return QSortScores(
        scores=scores,
        criteria=tuple(names),
        n_items=len(items),
        parameters={
            "id_column": id_column,
            "item_column": item_column,
            "piles": piles,
            "per_pile": per_pile,
        },
    )
