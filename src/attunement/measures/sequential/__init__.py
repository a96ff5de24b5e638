"""Sequential analysis: does B follow A more often than chance?

``sequential(data, lag=1, ...)`` analyses event sequences (lag-sequential tables, structural
zeros, permutation nulls; see ``lag``, ``structural``, ``permutation``). ``sequential_timed(
recordings, antecedent, target, window_s=W, unit_s=Δ, ...)`` analyses timed events (time-window
tables per dyad and pooled, circular-shift and pseudo-dyad nulls; see ``timewindow``,
``timed_nulls``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np
import polars as pl

from attunement import limits
from attunement.errors import DataError
from attunement.measures.base import Result, jsonable
from attunement.measures.sequential.lag import LagResult, counts_by_sequence, lag_table, rows
from attunement.measures.sequential.permutation import PermutationResult, permutation_test
from attunement.measures.sequential.sequences import Sequences
from attunement.measures.sequential.timed_nulls import (
    CircularShiftResult,
    PseudoDyadResult,
    circular_shift,
    null_source,
    pooled_test,
    pseudo_dyads,
)
from attunement.measures.sequential.timewindow import (
    Selector,
    TimeWindowSummary,
    time_window_many,
)
from attunement.recording import Recording

__all__ = ["Sequences", "SequentialResult", "TimedResult", "sequential", "sequential_timed"]

EventData = Sequences | pl.DataFrame | Recording | Sequence[Recording] | Sequence[Sequence[Any]]


@dataclass
class SequentialResult(Result):
    """The pooled lag table (``lag``), its permutation null when asked for, each sequence's own
    indices (``per_sequence``: Yule's Q and adjusted residuals per dyad or session), and the
    average transition matrix across sequences (the mean of each sequence's transitional
    probabilities, sequences without a given code left out of that row's mean). The figures
    (``measures/families/sequential.py``) read the pooled table."""

    family: ClassVar[str] = "sequential"

    lag: LagResult
    permutation: PermutationResult | None
    per_sequence: list[dict[str, Any]] = field(default_factory=list)
    average_probabilities: np.ndarray | None = None

    @property
    def parameters(self) -> dict[str, Any]:
        perm = self.permutation.parameters if self.permutation is not None else {}
        return {
            **self.lag.parameters,
            "n_resamples": perm.get("n_resamples", 0),
            "seed": perm.get("seed"),
        }

    @property
    def source(self) -> str:
        return "; ".join(f"{name}: {text}" for name, text in self.lag.source.items())

    @property
    def definition(self) -> str:
        return (
            f"Lag-{self.lag.parameters['lag']} pairs (event t, event t + lag) tallied within "
            "sequences, never across them; every statistic from that table (see source)."
        )

    @property
    def warnings(self) -> list[str]:
        return self.lag.warnings

    n_events = property(lambda self: self.lag.n_events)
    n_sequences = property(lambda self: self.lag.n_sequences)
    n_pairs = property(lambda self: self.lag.n_pairs)
    g2 = property(lambda self: self.lag.g2)
    df = property(lambda self: self.lag.df)
    p = property(lambda self: self.lag.p)
    codes = property(lambda self: list(self.lag.codes))
    frequencies = property(lambda self: self.lag.frequencies)
    expected = property(lambda self: self.lag.expected)
    probabilities = property(lambda self: self.lag.probabilities)
    adjusted_residuals = property(lambda self: self.lag.adjusted_residuals)
    yules_q = property(lambda self: self.lag.yules_q)
    odds_ratio = property(lambda self: self.lag.odds_ratio)
    log_odds_ratio = property(lambda self: self.lag.log_odds_ratio)
    or_corrected = property(lambda self: self.lag.or_corrected)
    kappa = property(lambda self: self.lag.kappa)
    kappa_z = property(lambda self: self.lag.kappa_z)
    structural = property(lambda self: self.lag.structural)
    ipf = property(lambda self: self.lag.ipf)

    @property
    def permutation_p(self) -> np.ndarray | None:
        return None if self.permutation is None else self.permutation.p_upper

    def details(self) -> dict[str, Any]:
        """The tables as lists of rows (NaN as None); the permutation null in full (every field
        of the ``PermutationResult``)."""
        out = super().details()
        if self.permutation is not None:
            out["permutation"] = jsonable(asdict(self.permutation))
        return out

    def to_frame(self) -> pl.DataFrame:
        """One row per cell of the pooled table (with permutation p when computed)."""
        frame = self.lag.to_frame()
        if self.permutation is not None:
            frame = frame.with_columns(
                permutation_p=pl.Series(self.permutation.p_upper.ravel()),
                permutation_se=pl.Series(self.permutation.se_upper.ravel()),
            )
        return frame

    def tables(self) -> dict[str, pl.DataFrame]:
        """The detail table a corpus stores: ``sequential_cells``, one row per cell."""
        return {"sequential_cells": self.lag.to_frame()}


def as_sequences(
    data: EventData, *, codes: Sequence[str] | None = None, by: str | None = None
) -> Sequences:
    """Event sequences from any supported input: a ``Sequences``; a frame with a ``code``
    column (and optional ``sequence``); a segments table or Recordings (one sequence per
    recording, events by onset, code from ``by``, default ``code`` else ``speaker_type``); or a
    list of lists of codes."""
    if isinstance(data, Sequences):
        return data
    if isinstance(data, Recording):
        data = [data]
    if isinstance(data, pl.DataFrame):
        if "segment_onset" in data.columns:
            return Sequences.from_segments(data, codes=codes, by=by)
        return Sequences.from_frame(data, codes=codes)
    items = list(data)
    if items and all(isinstance(item, Recording) for item in items):
        columns = list(
            dict.fromkeys(["segment_onset", "speaker_type", "code", *filter(None, [by])])
        )
        frame = pl.concat(
            [r.segments.select(columns).with_columns(recording_id=pl.lit(r.id)) for r in items],
            how="diagonal_relaxed",
        )
        return Sequences.from_segments(frame, codes=codes, by=by)
    return Sequences.from_lists(items, codes=codes)


def _check_size(seqs: Sequences, lag: int) -> None:
    """Refuse a table larger than the ``max_codes`` budget, and a lag no sequence reaches."""
    budget = limits.current()
    k = len(seqs.codes)
    if k > budget.max_codes:
        raise DataError(
            budget.over("max_codes", f"{k:,} codes (a {k:,} x {k:,} table)", limits.USING)
        )
    longest = int(seqs.lengths.max()) if seqs.n_sequences else 0
    if isinstance(lag, int | np.integer) and lag >= longest:
        raise DataError(
            f"lag {lag} is not shorter than the longest sequence ({longest} events): "
            "no pair of events is that far apart"
        )


def sequential(
    data: EventData,
    *,
    lag: int = 1,
    codes: Sequence[str] | None = None,
    by: str | None = None,
    no_repeats: bool = False,
    structural: str | Iterable[tuple[str, str]] | None = None,
    n_resamples: int = 0,
    seed: int = 0,
    sweeps: int = 10,
    kappa_expected: str = "oconnor1999",
) -> SequentialResult:
    """Lag-``lag`` sequential analysis of event sequences (see ``lag.lag_table``), with
    ``n_resamples`` seeded permutations within sequences when > 0 (respecting the no-repeat
    constraint when ``no_repeats``), per-sequence indices and the average transition matrix;
    ``kappa_expected``: Wampold's kappa with O'Connor's (1999) expected counts or the exact
    permutation ones (``indices.wampold_kappa``)."""
    seqs = as_sequences(data, codes=codes, by=by)
    _check_size(seqs, lag)
    pooled = lag_table(
        seqs, lag=lag, no_repeats=no_repeats, structural=structural, kappa_expected=kappa_expected
    )
    perm = (
        permutation_test(
            seqs,
            lag=lag,
            n_resamples=n_resamples,
            seed=seed,
            no_repeats=no_repeats,
            sweeps=sweeps,
        )
        if n_resamples > 0
        else None
    )
    per_sequence, average = [], None
    if seqs.n_sequences > 1:
        work = seqs.collapse_repeats() if no_repeats else seqs
        tables = counts_by_sequence(work, lag).astype(float)
        totals = tables.sum(axis=2, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            probs = np.where(totals > 0, tables / totals, np.nan)
            average = np.nanmean(probs, axis=0) if len(probs) else None
        mask = pooled.structural if pooled.structural.any() else None
        for i, sid in enumerate(work.ids):
            res = lag_table(work.one(i), lag=lag, structural=mask)
            per_sequence.append(
                {
                    "sequence": sid,
                    "events": int(work.lengths[i]),
                    "pairs": res.n_pairs,
                    "frequencies": rows(res.frequencies),
                    "yules_q": rows(res.yules_q),
                    "adjusted_residuals": rows(res.adjusted_residuals),
                }
            )
    return SequentialResult(pooled, perm, per_sequence, average)


@dataclass(kw_only=True)
class TimedResult(TimeWindowSummary):
    """Time-window tables per dyad and pooled (``TimeWindowSummary``), with the nulls that were
    asked for: each dyad against circular shifts of its own target stream (``circular_shift``;
    ``test`` is then the pooled table against the pooled shifts) and every real dyad against
    the pseudo-dyads (``pseudo_dyads``)."""

    circular_shift: list[CircularShiftResult] = field(default_factory=list)
    pseudo_dyads: PseudoDyadResult | None = None


def sequential_timed(
    recordings: Recording | Sequence[Recording],
    antecedent: Selector,
    target: Selector,
    *,
    window_s: float,
    unit_s: float = 1.0,
    antecedent_mode: str = "onset",
    target_mode: str = "onset",
    n_resamples: int = 0,
    pseudo: bool = False,
    seed: int = 0,
) -> TimedResult:
    """Time-window sequential analysis of each recording (one dyad each) and pooled, with
    ``n_resamples`` circular shifts of the target stream per dyad (dyad i seeded ``seed + i``)
    and, with ``pseudo``, every pseudo-dyad (antecedent of one recording with the target of
    another)."""
    recs = [recordings] if isinstance(recordings, Recording) else list(recordings)
    common = {
        "window_s": window_s,
        "unit_s": unit_s,
        "antecedent_mode": antecedent_mode,
        "target_mode": target_mode,
    }
    summary = time_window_many(recs, antecedent, target, **common)
    shifts = [
        circular_shift(rec, antecedent, target, n_resamples=n_resamples, seed=seed + i, **common)
        for i, rec in enumerate(recs)
        if n_resamples > 0
    ]
    pd_result = pseudo_dyads(recs, antecedent, target, seed=seed, **common) if pseudo else None
    nulls = [name for name, used in (("circular_shift", shifts), ("pseudo_dyads", pseudo)) if used]
    return TimedResult(
        summary.per_recording,
        summary.pooled,
        {**summary.parameters, "n_resamples": n_resamples, "seed": seed, "pseudo_dyads": pseudo},
        pooled_test(shifts) if shifts else None,
        null_source(*nulls),
        warnings=summary.warnings,
        circular_shift=shifts,
        pseudo_dyads=pd_result,
    )
