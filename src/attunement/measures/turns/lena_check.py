"""Agreement with LENA's own turn tags, block by block.

LENA marks the response of every counted turn (``TIFR``, female adult responds; ``TIMR``, male
adult; and the child's responses to adult initiations carry the same tags), so the number of
segments tagged TIFR or TIMR in a conversation block is LENA's turn count for it. Where a
recording has those tags (``lena_conv_turn_type``) and blocks (``lena_block_number``), the
``lena`` rule's count is compared with it in every block.
"""

from __future__ import annotations

import numpy as np
import polars as pl

RESPONSE_TAGS = ("TIFR", "TIMR")


def block_agreement(frame: pl.DataFrame, response_rows: np.ndarray) -> pl.DataFrame | None:
    """Per conversation block: LENA's count, ours, and whether they agree; ``None`` without tags.

    ``frame`` is the timed segments table the rule ran on and ``response_rows`` the row index
    of each counted turn's response.
    """
    if not {"lena_conv_turn_type", "lena_block_number"} <= set(frame.columns):
        return None
    ours = np.zeros(frame.height, np.int64)
    ours[response_rows] = 1
    table = (
        frame.select(
            block=pl.col("lena_block_number"),
            lena=pl.col("lena_conv_turn_type").is_in(RESPONSE_TAGS).cast(pl.Int64),
            ours=pl.Series(ours),
            conversation=pl.col("lena_conv_turn_type").is_not_null(),
        )
        .group_by("block")
        .agg(pl.col("lena").sum(), pl.col("ours").sum(), pl.col("conversation").any())
        .filter(pl.col("conversation") | (pl.col("ours") > 0))
        .drop("conversation")
        .sort("block")
    )
    return table.with_columns(agree=pl.col("lena") == pl.col("ours"))
