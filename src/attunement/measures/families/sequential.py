"""The ``sequential`` family: does an adult vocalisation follow the child's more often than
chance? Lag-sequential tables of event sequences.

On a recording, the events are the timed vocal units of the key child (``CHI``) and of adults
(``FEM``, ``MAL``, ``ADU``, coded ``ADU``) in onset order, one sequence per recording; the
``sequential`` command also takes SDIS files and lists of codes. No time window: this is the
order of events only (the ``timed`` family has the time-window tables).
"""

from __future__ import annotations

from typing import Any

from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

SOURCE = "Bakeman & Quera (2011) Sequential Analysis and Observational Methods, Cambridge UP"
ADULTS = ("FEM", "MAL", "ADU")


def _run(recording, **config: Any):
    import polars as pl

    from attunement import segments as seg
    from attunement.errors import DataError
    from attunement.measures.sequential import sequential

    events = seg.timed(recording.segments).filter(
        pl.col("kind").cast(pl.String) == "vocal",
        pl.col("speaker_type").cast(pl.String).is_in(["CHI", *ADULTS]),
    )
    if events.height < 2:
        raise DataError(
            f"{events.height} timed child or adult vocal unit(s): a lag table needs at least two"
        )
    events = events.select(
        "segment_onset",
        "speaker_type",
        code=pl.when(pl.col("speaker_type") == "CHI").then(pl.lit("CHI")).otherwise(pl.lit("ADU")),
    )
    return sequential(
        events,
        lag=config["lag"],
        codes=["CHI", "ADU"],
        by="code",
        no_repeats=config["no_repeats"],
        n_resamples=config["n_resamples"],
        seed=config["seed"],
        kappa_expected=config["kappa_expected"],
    )


def _table(name: str, label: str, definition: str, source: str = SOURCE) -> Figure:
    return Figure(name, "number", label, definition, source, shape="detail")


FIGURES = (
    Figure("n_events", "count", "events", "Events in all sequences.", SOURCE, headline=True),
    Figure("n_sequences", "count", "sequences", "Sequences (dyads, sessions, recordings).", SOURCE),
    Figure(
        "n_pairs",
        "count",
        "lag pairs",
        "Pairs (event t, event t + lag) inside one sequence.",
        SOURCE,
    ),
    Figure(
        "g2",
        "number",
        "G² of the whole table",
        "Likelihood-ratio chi-square 2 sum x ln(x / e) against (quasi-)independence.",
        SOURCE,
        headline=True,
    ),
    Figure("df", "count", "degrees of freedom", "Of G²: (K - 1)² minus structural zeros.", SOURCE),
    Figure("p", "p", "p of G²", "Chi-square p of G² with df degrees of freedom.", SOURCE),
    Figure(
        "codes",
        "text",
        "codes",
        "Table order of the codes (rows: given; columns: target).",
        SOURCE,
        shape="detail",
    ),
    _table("frequencies", "lag counts", "Lag-k pairs (given, target) tallied within sequences."),
    _table("expected", "expected counts", "Under independence r_i c_j / N, or quasi-independence."),
    _table("probabilities", "transitional probabilities", "Count / row total."),
    _table(
        "adjusted_residuals",
        "adjusted residuals",
        "(x - e) / sqrt(e (1 - r/N)(1 - c/N)).",
        "Haberman (1973); Allison & Liker (1982)",
    ),
    _table(
        "yules_q", "Yule's Q", "(ad - bc) / (ad + bc) of each cell's 2x2 collapse.", "Yule (1912)"
    ),
    _table("odds_ratio", "odds ratio", "ad / bc of each cell's 2x2 collapse."),
    _table("log_odds_ratio", "log odds ratio", "ln(ad / bc)."),
    _table("or_corrected", "odds ratio, zero-corrected", "With 0.5 added to a 2x2 with a zero."),
    _table("kappa", "Wampold's kappa", "Transformed kappa of each cell.", "Wampold (1989)"),
    _table("kappa_z", "Wampold's z", "z of Wampold's kappa.", "Wampold (1989); O'Connor (1999)"),
    _table("structural", "structural zeros", "Cells that cannot occur (true) by design."),
    _table(
        "permutation_p",
        "permutation p per cell",
        "Monte Carlo p that the target follows the given code more often than when codes are "
        "permuted within sequences: (#{null count >= observed} + 1) / (n_resamples + 1).",
        "Bakeman, Robinson & Quera (1996); Phipson & Smyth (2010)",
    ),
    Figure(
        "permutation",
        "p",
        "permutation null in full",
        "Observed, null mean and SD, p upper and lower with Monte Carlo errors, per cell.",
        "Bakeman, Robinson & Quera (1996)",
        shape="detail",
    ),
    Figure(
        "ipf",
        "number",
        "iterative proportional fitting",
        "With structural zeros: iterations, largest change and whether the fit converged.",
        "Goodman (1968); Bishop, Fienberg & Holland (1975)",
        shape="detail",
    ),
    Figure(
        "per_sequence",
        "number",
        "tables per sequence",
        "Each sequence's own counts, Yule's Q and adjusted residuals.",
        SOURCE,
        shape="detail",
    ),
    _table(
        "average_probabilities",
        "average transition matrix",
        "Mean over sequences of each sequence's transitional probabilities.",
    ),
)

FAMILY = Family(
    name="sequential",
    title="Sequential analysis (lag tables)",
    summary="lag-k transition tables: counts, probabilities, residuals, Yule's Q, G², permutations",
    input="recording",
    parameters=(
        Param("lag", "count", 1, "Lag k in events.", minimum=1),
        Param("no_repeats", "flag", False, "Codes cannot repeat: collapse repeats, diagonal zero."),
        Param(
            "n_resamples",
            "count",
            0,
            "Permutations within sequences for per-cell p (0: none).",
            cap=100_000,
        ),
        Param("seed", "seed", 0, "Seed of the permutations."),
        Param(
            "kappa_expected",
            "option",
            "oconnor1999",
            "Expected counts of Wampold's kappa: oconnor1999 (n_i n_j / n in every cell, as "
            "O'Connor's 1999 programs) or exact (n_i (n_i - 1) / n on the diagonal: the "
            "permutation expectation).",
            ("oconnor1999", "exact"),
        ),
    ),
    figures=FIGURES,
    runner=_run,
    source=SOURCE,
    tables={
        "sequential_cells": {
            "given": "str",
            "target": "str",
            "count": "int",
            "expected": "float",
            "probability": "float",
            "adjusted_residual": "float",
            "yules_q": "float",
        }
    },
)
