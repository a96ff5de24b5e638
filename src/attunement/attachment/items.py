"""Item analysis of a scored questionnaire, and the mis-keying guard.

For every item, within its subscale, on the complete cases (every item of the instrument
answered; the sample of the reliabilities):

- ``mean`` and ``sd`` (ddof = 1) of the keyed answers (after reverse keying, the values that
  enter the score);
- ``r_corrected``: the corrected item-total correlation, Pearson r of the item with the sum of
  the *other* items of its subscale (Nunnally & Bernstein 1994, ch. 8; SPSS RELIABILITY's
  "corrected item-total correlation"); none for a one-item subscale;
- ``alpha_if_deleted``: Cronbach's alpha of the subscale without the item; none when fewer than
  two items would remain.

**Mis-keying guard**: an item whose corrected item-total r is negative goes against the rest of
its subscale, which is what an item keyed in the wrong direction (or a column in the wrong place)
looks like. Every scoring run names each such item in a warning; it does not change the scores.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from attunement.attachment.instruments import Instrument

ITEM_SCHEMA = {
    "item": pl.Int64,
    "column": pl.String,
    "subscale": pl.String,
    "reversed": pl.Boolean,
    "n": pl.Int64,
    "mean": pl.Float64,
    "sd": pl.Float64,
    "r_corrected": pl.Float64,
    "alpha_if_deleted": pl.Float64,
}
WARNING = (
    "item {column} ({subscale}): corrected item-total r = {r:.2f}, against the rest of its "
    "subscale: reverse-keyed? check your item order and the instrument's key"
)


def item_analysis(
    inst: Instrument, keyed: np.ndarray, complete: np.ndarray, columns: list[str]
) -> pl.DataFrame:
    """One row per item in administration order (``ITEM_SCHEMA``; see the module docstring):
    ``keyed`` the respondents x items matrix after reverse keying, ``complete`` the rows with
    every item answered, ``columns`` the data column of each item."""
    rows = []
    data = keyed[complete]
    n = data.shape[0]
    for sub, items in inst.subscales.items():
        pos = inst.positions(sub)
        block = data[:, pos]
        r, alpha = _corrected(block)
        for j, item in enumerate(items):
            values = block[:, j]
            rows.append(
                {
                    "item": item,
                    "column": columns[pos[j]],
                    "subscale": sub,
                    "reversed": item in inst.reverse,
                    "n": n,
                    "mean": float(values.mean()) if n else None,
                    "sd": float(values.std(ddof=1)) if n > 1 else None,
                    "r_corrected": r[j],
                    "alpha_if_deleted": alpha[j],
                }
            )
    order = {item: i for i, item in enumerate(inst.items)}
    rows.sort(key=lambda row: order[row["item"]])
    return pl.DataFrame(rows, schema=ITEM_SCHEMA)


def miskeyed(items: pl.DataFrame) -> list[str]:
    """The mis-keying warning of every item with a negative corrected item-total r."""
    bad = items.filter(pl.col("r_corrected") < 0)
    return [
        WARNING.format(column=c, subscale=s, r=r)
        for c, s, r in bad.select("column", "subscale", "r_corrected").iter_rows()
    ]


def _corrected(block: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    """Corrected item-total r and alpha if deleted of each column of ``block`` (complete
    cases), from its covariance matrix C: with T = Σ C, s_j = Σ_k C_jk, the rest of item j has
    variance T - 2 s_j + C_jj and covariance s_j - C_jj with the item."""
    n, k = block.shape
    none: list[float | None] = [None] * k
    if k < 2 or n < 3:
        return none, list(none)
    c = np.cov(block, rowvar=False, ddof=1)
    total, sums, diag = c.sum(), c.sum(axis=1), np.diag(c)
    rest_var = total - 2 * sums + diag
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (sums - diag) / np.sqrt(diag * rest_var)
        alpha = (k - 1) / (k - 2) * (1 - (diag.sum() - diag) / rest_var) if k > 2 else None
    r_out = [float(v) if np.isfinite(v) else None for v in r]
    if alpha is None:
        return r_out, none
    return r_out, [float(v) if np.isfinite(v) else None for v in alpha]
