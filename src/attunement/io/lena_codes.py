"""LENA's segment codes, shared by the .its reader and the table reader (ChildProject's LENA CSV).

Speaker codes (LENA Foundation, "The LENA Research Foundation Technical Report LTR-03-2"; Xu,
Yapanel & Gray 2009): CH key child, FA female adult, MA male adult, CX other child, OL overlap,
TV electronic media, NO noise, SI silence; a final N is near (clear), F far (faint).
"""

from __future__ import annotations

import polars as pl

ROLES: dict[str, str] = {
    "CHN": "CHI",
    "CHF": "CHI",
    "FAN": "FEM",
    "FAF": "FEM",
    "MAN": "MAL",
    "MAF": "MAL",
    "CXN": "OCH",
    "CXF": "OCH",
    "OLN": "OVL",
    "OLF": "OVL",
    "TVN": "ELE",
    "TVF": "ELE",
    "NON": "NOI",
    "NOF": "NOI",
    "SIL": "SIL",
}


def kinds(
    speaker_type: pl.Series, utterances: pl.Series, has_cry: pl.Series, has_vfx: pl.Series
) -> pl.Series:
    """Kind of each LENA segment: a key-child segment with at least one utterance is ``vocal``;
    one with none is ``cry`` when it has cry time, else ``vegetative`` (LENA's VFX, fixed signals);
    every other segment is ``vocal`` (its speaker_type says whether it is speech, noise or
    silence)."""
    frame = pl.DataFrame(
        {
            "t": speaker_type.cast(pl.String),
            "u": utterances.cast(pl.Float64),
            "c": has_cry.cast(pl.Boolean).fill_null(False),
            "v": has_vfx.cast(pl.Boolean).fill_null(False),
        }
    )
    return frame.select(
        pl.when(pl.col("t") != "CHI")
        .then(pl.lit("vocal"))
        .when(pl.col("u") > 0)
        .then(pl.lit("vocal"))
        .when(pl.col("c"))
        .then(pl.lit("cry"))
        .otherwise(pl.lit("vegetative"))
        .alias("kind")
    ).to_series()
