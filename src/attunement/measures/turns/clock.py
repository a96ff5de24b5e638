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
    """
    width_ms = minutes * 60_000
    ps = pieces(rec)
    starts, bases, known = _bases(ps)
    recorded: dict[int, float] = {}
    for piece, base in zip(ps, bases, strict=True):
        lo, hi = piece.start_ms + base, piece.end_ms + base
        if hi <= lo:
            continue
        keys = np.arange(lo // width_ms, (hi - 1) // width_ms + 1)
        left = np.maximum(keys * width_ms, lo)
        right = np.minimum((keys + 1) * width_ms, hi)
        for key, ms in zip(keys.tolist(), (right - left).tolist(), strict=True):
            recorded[key] = recorded.get(key, 0.0) + ms / 1000
    counts: dict[str, dict[int, int]] = {}
    for name, times in times_ms.items():
        times = np.asarray(times, dtype=np.int64)
        piece = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(starts) - 1)
        keys, n = np.unique((times + bases[piece]) // width_ms, return_counts=True)
        counts[name] = dict(zip(keys.tolist(), n.tolist(), strict=True))
    all_keys = sorted(set(recorded).union(*(c.keys() for c in counts.values())))
    epoch = datetime(1970, 1, 1)
    return pl.DataFrame(
        {
            "bin_start": [
                epoch + timedelta(milliseconds=k * width_ms) if known else None for k in all_keys
            ],
            "elapsed_s": [None if known else k * width_ms / 1000 for k in all_keys],
            "recorded_s": [round(recorded.get(k, 0.0), 3) for k in all_keys],
            **{name: [c.get(k, 0) for k in all_keys] for name, c in counts.items()},
        },
        schema_overrides={"bin_start": pl.Datetime("ms"), "elapsed_s": pl.Float64},
    )
