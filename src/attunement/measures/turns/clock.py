"""Where a recording's milliseconds fall on the clock, and clock-aligned bins.

A recording is one or more *pieces* (LENA's recorder can be paused: each ``<Recording>`` is a
piece with its own clock start; readers put them in ``extra["recordings"]`` as dicts with
``start_ms``, ``end_ms`` and ``start_clock``). Time inside a piece runs with the clock, so
multi-day recordings never fold into one another. Without a known clock, bins count elapsed time
from the start of the recording and are labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from attunement import limits
from attunement.errors import DataError
from attunement.limits import DAY_MS
from attunement.recording import Recording


@dataclass(frozen=True)
class Piece:
    start_ms: int
    end_ms: int
    clock: datetime | None


def pieces(rec: Recording) -> list[Piece]:
    """The recorded stretches of ``rec`` on its own timeline, with their clock starts."""
    listed = rec.extra.get("recordings") or []
    out = []
    for item in listed:
        clock = item.get("start_clock")
        if isinstance(clock, str):
            clock = datetime.fromisoformat(clock.replace("Z", "+00:00"))
        out.append(Piece(int(item["start_ms"]), int(item["end_ms"]), clock))
    if not out:
        out = [Piece(0, int(rec.duration_ms or 0), rec.start)]
    return sorted(out, key=lambda p: p.start_ms)


def recorded_ms(rec: Recording) -> int:
    """Audio actually recorded (the sum of the pieces), the denominator of per-hour rates."""
    return sum(p.end_ms - p.start_ms for p in pieces(rec))


def _bases(ps: list[Piece]) -> tuple[np.ndarray, np.ndarray, bool]:
    """Piece starts and, per piece, what to add to a recording time to get local clock ms
    (or 0 when the clock is unknown); and whether the clock is known."""
    starts = np.array([p.start_ms for p in ps], dtype=np.int64)
    known = all(p.clock is not None for p in ps)
    if not known:
        return starts, np.zeros(len(ps), np.int64), False
    bases = []
    for p in ps:
        offset = p.clock.utcoffset() or timedelta(0)
        local_ms = round((p.clock.timestamp() + offset.total_seconds()) * 1000)
        bases.append(local_ms - p.start_ms)
    return starts, np.array(bases, dtype=np.int64), True


def bins(rec: Recording, times_ms: dict[str, np.ndarray], minutes: int) -> pl.DataFrame:
    """Counts of each event series in ``times_ms`` per clock-aligned bin of ``minutes``.

    Columns: ``bin_start`` (local clock time, naive, or null when the clock is unknown),
    ``elapsed_s`` (the bin's start on the recording's own timeline when the clock is unknown,
    else null), ``recorded_s`` (audio inside the bin), then one count column per series. Bins
    with no audio and no event are left out.

    Work and memory follow the recorded pieces and the events, never the clock span between
    them; pieces needing more bins than the ``max_span_days`` budget allows are a ``DataError``
    (a reader refuses such a recording before it gets here).
    """
    width_ms = minutes * 60_000
    ps = pieces(rec)
    starts, bases, known = _bases(ps)
    lo = starts + bases
    hi = np.array([p.end_ms for p in ps], dtype=np.int64) + bases
    lo, hi = lo[hi > lo], hi[hi > lo]
    first, last = lo // width_ms, (hi - 1) // width_ms
    _check_budget(rec, int((last - first + 1).sum()), len(lo), width_ms)
    keys = np.concatenate([np.arange(a, b + 1) for a, b in zip(first, last, strict=True)] or [[]])
    piece = np.repeat(np.arange(len(lo)), last - first + 1)
    keys = keys.astype(np.int64)
    audio = np.minimum((keys + 1) * width_ms, hi[piece]) - np.maximum(keys * width_ms, lo[piece])
    counts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, times in times_ms.items():
        times = np.asarray(times, dtype=np.int64)
        at = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(starts) - 1)
        counts[name] = np.unique((times + bases[at]) // width_ms, return_counts=True)
    all_keys = np.unique(np.concatenate([keys, *(k for k, _ in counts.values())]))
    recorded_ms = np.bincount(np.searchsorted(all_keys, keys), audio, len(all_keys))
    starts_ms = pl.Series(all_keys * width_ms, dtype=pl.Int64)
    nothing = pl.repeat(None, len(all_keys), eager=True)
    return pl.DataFrame(
        {
            "bin_start": starts_ms.cast(pl.Datetime("ms")) if known else nothing,
            "elapsed_s": nothing if known else starts_ms / 1000,
            "recorded_s": recorded_ms / 1000,  # whole ms summed exactly, then to seconds
            **{name: _spread(k, n, all_keys) for name, (k, n) in counts.items()},
        },
        schema_overrides={"bin_start": pl.Datetime("ms"), "elapsed_s": pl.Float64},
    )


def _spread(keys: np.ndarray, n: np.ndarray, all_keys: np.ndarray) -> np.ndarray:
    """Counts ``n`` at ``keys`` laid out over ``all_keys`` (0 elsewhere)."""
    out = np.zeros(len(all_keys), dtype=np.int64)
    out[np.searchsorted(all_keys, keys)] = n
    return out


def _check_budget(rec: Recording, n_bins: int, n_pieces: int, width_ms: int) -> None:
    budget = limits.current()
    if n_bins > budget.max_span_ms // width_ms + 2 * n_pieces:
        found = f"{rec.id}: recorded pieces spanning {n_bins * width_ms / DAY_MS:,.4g} days"
        raise DataError(budget.over("max_span_days", found, limits.USING))
