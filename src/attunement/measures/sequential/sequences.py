"""``Sequences``: coded event sequences, the input of every event-sequence statistic.

One int array holds the code index of every event of every sequence (session, dyad,
recording), back to back; ``starts`` marks where each sequence begins, so that tallies never
cross a sequence boundary. ``codes`` names the indices and fixes the row/column order of every
table. When ``codes`` is not given it is the sorted set of observed codes (numerically sorted
when the codes are numbers), so that every sequence and every dyad of a study gets the same
order whatever the order of its events; pass ``codes=`` to choose the order (for example the
published one) or to include codes that never occur.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from attunement.errors import DataError, ParameterError


@dataclass(frozen=True, eq=False)
class Sequences:
    """Event sequences: ``values[starts[s]:starts[s + 1]]`` are the code indices of sequence
    ``s`` (named ``ids[s]``); ``codes[i]`` is the name of index ``i``. ``warnings`` count
    anything a constructor left out, in words."""

    codes: tuple[str, ...]
    values: np.ndarray
    starts: np.ndarray
    ids: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if len(set(self.codes)) != len(self.codes):
            raise ParameterError(f"codes must be unique, got {list(self.codes)}")
        starts = self.starts
        if starts.ndim != 1 or len(starts) < 1 or starts[0] != 0 or starts[-1] != len(self.values):
            raise ParameterError(
                f"starts must run from 0 to the number of events ({len(self.values)}), got "
                f"{starts.ravel()[:1].tolist()} ... {starts.ravel()[-1:].tolist()}"
            )
        if np.any(np.diff(starts) < 0):
            drop = int(np.argmax(np.diff(starts) < 0))
            raise ParameterError(
                f"starts must be non-decreasing, got {starts[drop]} then {starts[drop + 1]}"
            )
        if len(self.ids) != len(starts) - 1:
            raise ParameterError(
                f"ids must have one id per sequence ({len(starts) - 1}), got {len(self.ids)}"
            )
        if len(self.values) and (self.values.min() < 0 or self.values.max() >= len(self.codes)):
            raise ParameterError(
                f"values must be code indices in 0..{len(self.codes) - 1}, got "
                f"{self.values.min()}..{self.values.max()}"
            )

    @property
    def n_codes(self) -> int:
        return len(self.codes)

    @property
    def n_events(self) -> int:
        return len(self.values)

    @property
    def n_sequences(self) -> int:
        return len(self.starts) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.starts)

    def sequence_index(self) -> np.ndarray:
        """The sequence number of every event."""
        return np.repeat(np.arange(self.n_sequences), self.lengths)

    def event_totals(self) -> np.ndarray:
        """How many events carry each code (all sequences together)."""
        return np.bincount(self.values, minlength=self.n_codes)

    def one(self, s: int) -> Sequences:
        """Sequence ``s`` alone, with the same code list."""
        lo, hi = self.starts[s], self.starts[s + 1]
        return Sequences(self.codes, self.values[lo:hi], np.array([0, hi - lo]), (self.ids[s],))

    def collapse_repeats(self) -> Sequences:
        """The same sequences with immediate repeats of a code merged into one event (A A B ->
        A B), within each sequence: the form for data where a code cannot follow itself."""
        v = self.values
        keep = np.ones(len(v), dtype=bool)
        keep[1:] = v[1:] != v[:-1]
        firsts = self.starts[:-1][self.lengths > 0]
        keep[firsts] = True
        kept = np.concatenate(([0], np.cumsum(keep)))
        return Sequences(self.codes, v[keep], kept[self.starts], self.ids, self.warnings)

    def has_repeats(self) -> bool:
        """Whether any code immediately follows itself within a sequence."""
        return len(self.collapse_repeats().values) != self.n_events

    @classmethod
    def from_lists(
        cls,
        sequences: Iterable[Sequence[Hashable]],
        *,
        codes: Sequence[Hashable] | None = None,
        ids: Sequence[str] | None = None,
    ) -> Sequences:
        """From a list of sequences, each a list of codes (strings or numbers)."""
        sequences = [list(s) for s in sequences]
        flat = [c for s in sequences for c in s]
        starts = np.concatenate(([0], np.cumsum([len(s) for s in sequences]))).astype(np.int64)
        names = _code_order(flat, codes)
        index = {name: i for i, name in enumerate(names)}
        unknown = sorted({str(c) for c in flat} - set(index))
        if unknown:
            raise DataError(_unknown_message(unknown, names))
        values = np.fromiter((index[str(c)] for c in flat), dtype=np.int32, count=len(flat))
        seq_ids = tuple(ids) if ids is not None else tuple(str(i) for i in range(len(sequences)))
        return cls(names, values, starts, seq_ids)

    @classmethod
    def from_frame(
        cls,
        frame: pl.DataFrame,
        *,
        codes: Sequence[Hashable] | None = None,
        code: str = "code",
        sequence: str | None = "sequence",
    ) -> Sequences:
        """From a table with one event per row: column ``code`` and, when present, column
        ``sequence`` (one sequence per distinct value, in order of first appearance). Rows keep
        their file order within a sequence. A null code or sequence is an error."""
        if code not in frame.columns:
            raise ParameterError(
                f"code must name a column of the frame ({frame.columns}), got {code!r}"
            )
        for column in (code, sequence):
            if column in frame.columns and frame[column].null_count():
                rows = frame.with_row_index().filter(pl.col(column).is_null())["index"]
                raise DataError(
                    f"column {column!r} is empty in {len(rows)} row(s) "
                    f"(first data rows: {[int(r) + 1 for r in rows[:5]]})"
                )
        keys = frame[sequence] if sequence in frame.columns else None
        return _from_series(frame[code], keys, codes, ())

    @classmethod
    def from_segments(
        cls,
        frame: pl.DataFrame,
        *,
        codes: Sequence[Hashable] | None = None,
        by: str | None = None,
        recording: str = "recording_id",
    ) -> Sequences:
        """From a segments table: one sequence per value of ``recording`` (one sequence when
        that column is absent), events ordered by onset (stable, so ties keep table order).

        The code of an event is column ``by``; by default ``code`` when that column has any
        value, else ``speaker_type``. Rows without a code, and untimed rows of a recording that
        has timed rows (their place in time is unknown), are left out and counted in
        ``warnings``; a recording with no timed row keeps its table order.
        """
        has_code = "code" in frame.columns and frame["code"].null_count() < frame.height
        by = by or ("code" if has_code else "speaker_type")
        if by not in frame.columns:
            raise ParameterError(
                f"by must name a column of the frame ({frame.columns}), got {by!r}"
            )
        rec = pl.col(recording) if recording in frame.columns else pl.lit("0")
        onset = pl.col("segment_onset")
        work = frame.select(
            rec.cast(pl.String).alias("_rec"),
            onset.alias("_onset"),
            pl.col(by).cast(pl.String).alias("_code"),
        ).with_columns(
            (pl.col("_onset").is_not_null() | pl.col("_onset").is_null().all().over("_rec")).alias(
                "_placed"
            )
        )
        warnings = []
        no_code = work.filter(pl.col("_code").is_null()).height
        if no_code:
            warnings.append(f"{no_code} segment(s) without a {by} left out of the sequences")
        unplaced = work.filter(~pl.col("_placed")).height
        if unplaced:
            warnings.append(f"{unplaced} untimed segment(s) left out (their order is unknown)")
        work = work.filter(pl.col("_code").is_not_null() & pl.col("_placed"))
        # recordings in order of first appearance, events by onset within each (stable)
        rank = work["_rec"].unique(maintain_order=True).to_list()
        work = work.with_columns(
            pl.col("_rec").cast(pl.Enum(rank)).to_physical().alias("_rank")
        ).sort(["_rank", "_onset"], nulls_last=True, maintain_order=True)
        return _from_series(work["_code"], work["_rec"], codes, tuple(warnings))


def _from_series(
    code: pl.Series,
    keys: pl.Series | None,
    codes: Sequence[Hashable] | None,
    warnings: tuple[str, ...],
) -> Sequences:
    names = _series_code_order(code, codes)
    as_text = code.cast(pl.String)
    try:
        enum = as_text.cast(pl.Enum(list(names)))
    except pl.exceptions.InvalidOperationError:
        unknown = as_text.filter(~as_text.is_in(list(names))).unique().sort().to_list()
        raise DataError(_unknown_message(unknown, names)) from None
    values = enum.to_physical().to_numpy().astype(np.int32)
    if keys is None:
        return Sequences(names, values, np.array([0, len(values)], np.int64), ("0",), warnings)
    key_text = keys.cast(pl.String)
    ids = key_text.unique(maintain_order=True)
    seq = key_text.cast(pl.Enum(ids.to_list())).to_physical().to_numpy()
    order = np.argsort(seq, kind="stable")
    counts = np.bincount(seq, minlength=len(ids))
    starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return Sequences(names, values[order], starts, tuple(ids.to_list()), warnings)


def _series_code_order(code: pl.Series, codes: Sequence[Hashable] | None) -> tuple[str, ...]:
    if codes is not None:
        return _explicit(codes)
    unique = code.drop_nulls().unique()
    unique = unique.sort() if unique.dtype.is_numeric() else unique.cast(pl.String).sort()
    return tuple(unique.cast(pl.String).to_list())


def _code_order(flat: list[Hashable], codes: Sequence[Hashable] | None) -> tuple[str, ...]:
    if codes is not None:
        return _explicit(codes)
    unique = set(flat)
    numeric = all(isinstance(c, int | float) and not isinstance(c, bool) for c in unique)
    return tuple(str(c) for c in sorted(unique, key=None if numeric else str))


def _explicit(codes: Sequence[Hashable]) -> tuple[str, ...]:
    names = tuple(str(c) for c in codes)
    if len(set(names)) != len(names):
        raise ParameterError(f"codes must be unique, got {list(names)}")
    return names


def _unknown_message(unknown: list, names: tuple[str, ...]) -> str:
    shown = ", ".join(map(str, unknown[:10])) + (" ..." if len(unknown) > 10 else "")
    return f"code(s) {shown} not in the declared codes ({', '.join(names)})"
