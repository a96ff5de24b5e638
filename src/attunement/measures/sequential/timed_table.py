"""The time-unit 2×2 table of time-window sequential analysis and the ``timed`` family's figures.

``Table2x2`` holds the counts a, b, c, d and their indices (definitions: ``timewindow``);
``pooled`` sums tables cell by cell (Bakeman & Quera 2011: pooling sums tallies, it never
averages indices). ``TimedFigures`` is the base of every time-window result: it reads the
``timed`` family's figures (``measures/families/timed.py``) from the result's ``table`` and from
``test``, the Monte Carlo test of its Yule's Q against a null (None when no null was drawn).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from attunement.measures.base import Result, jsonable

if TYPE_CHECKING:
    from attunement.measures.nulls import MonteCarloP


def yules_q(a: float, b: float, c: float, d: float) -> float:
    """(ad − bc) / (ad + bc) from the raw counts; NaN when ad + bc = 0."""
    ad, bc = a * d, b * c
    return (ad - bc) / (ad + bc) if ad + bc > 0 else math.nan


def odds_ratio(a: float, b: float, c: float, d: float) -> tuple[float, float, bool]:
    """Odds ratio, log odds ratio, and whether the zero-cell rule (+0.5 to all cells) applied."""
    corrected = min(a, b, c, d) == 0
    if corrected:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    ratio = (a * d) / (b * c)
    return ratio, math.log(ratio), corrected


@dataclass
class Table2x2:
    """A time-unit 2×2 table and its indices (``timewindow`` defines each)."""

    a: int
    b: int
    c: int
    d: int
    yules_q: float = field(init=False)
    odds_ratio: float = field(init=False)
    log_odds_ratio: float = field(init=False)
    zero_cell_corrected: bool = field(init=False)

    def __post_init__(self) -> None:
        self.yules_q = yules_q(self.a, self.b, self.c, self.d)
        self.odds_ratio, self.log_odds_ratio, self.zero_cell_corrected = odds_ratio(
            self.a, self.b, self.c, self.d
        )

    @property
    def n_units(self) -> int:
        return self.a + self.b + self.c + self.d

    @property
    def window_units(self) -> int:
        return self.a + self.b

    @property
    def target_units(self) -> int:
        return self.a + self.c


def pooled(tables: Iterable[Table2x2]) -> Table2x2:
    """The cell-wise sum of ``tables`` (all zero for none)."""
    cells = np.array([[t.a, t.b, t.c, t.d] for t in tables], np.int64).reshape(-1, 4)
    return Table2x2(*(int(x) for x in cells.sum(axis=0)))


class TimedFigures(Result):
    """The ``timed`` family's figures of a result holding ``table`` (a ``Table2x2``) and ``test``
    (a ``MonteCarloP`` of its Yule's Q, or None). Subclasses give ``recordings``,
    ``antecedents``, ``targets``, ``duration_s`` and ``mean_q``."""

    family: ClassVar[str] = "timed"
    table: Table2x2
    test: MonteCarloP | None

    a_window_target = property(lambda self: self.table.a)
    b_window_no_target = property(lambda self: self.table.b)
    c_outside_target = property(lambda self: self.table.c)
    d_outside_no_target = property(lambda self: self.table.d)
    n_units = property(lambda self: self.table.n_units)
    yules_q = property(lambda self: self.table.yules_q)
    odds_ratio = property(lambda self: self.table.odds_ratio)
    log_odds_ratio = property(lambda self: self.table.log_odds_ratio)
    zero_cell_corrected = property(lambda self: self.table.zero_cell_corrected)
    null_mean_q = property(lambda self: None if self.test is None else self.test.null_mean)
    null_sd_q = property(lambda self: None if self.test is None else self.test.null_sd)
    null_n = property(lambda self: None if self.test is None else self.test.n)
    p = property(lambda self: None if self.test is None else self.test.p)
    mc_se = property(lambda self: None if self.test is None else self.test.se)

    def details(self) -> dict[str, Any]:
        """The detail figures this result has: one recording's table has no per-recording list,
        and a null that was not drawn has no entry."""
        out = {}
        for f in self.spec().figures:
            value = getattr(self, f.name, None) if f.shape == "detail" else None
            if value is not None and value != []:
                out[f.name] = jsonable(value)
        return out
