"""Apply an error model to an annotation: what an automatic system would have made of it.

For every segment of a compared class c (vocal kinds), independently: with probability
``miss_rate[c]`` it is dropped; otherwise it is labelled k with probability ``confusion[c][k]``,
and its onset and offset each move by a normal shift of SD ``boundary_jitter_s`` (kept at least
10 ms long and inside the recording). Then, for each class k, Poisson(``false_alarm_ratio[k]`` x
the reference segments of k) false alarms are placed uniformly in the time where the reference
has no compared class speaking, each exponentially long (mean ``false_alarm_duration_s[k]``,
or the mean length of the reference's k segments), cut at the end of its silence. Segments of
other classes and kinds pass through unchanged. Seeded: the same seed gives the same copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from attunement import segments as seg
from attunement.measures.agreement.error_model import ErrorModel
from attunement.measures.agreement.timeline import VOCAL_KINDS, merge, subtract
from attunement.recording import Recording

MIN_MS = 10


@dataclass(frozen=True)
class Stream:
    """Segments as arrays: onset, offset (ms), class index; ``keep`` marks rows that survived
    and ``source`` the input row of each output row (-1 for a false alarm)."""

    onset: np.ndarray
    offset: np.ndarray
    cls: np.ndarray
    source: np.ndarray


def corrupt_arrays(
    onset: np.ndarray,
    offset: np.ndarray,
    cls: np.ndarray,
    spans: np.ndarray,
    model: ErrorModel,
    rng: np.random.Generator,
) -> Stream:
    """The corrupted stream of ``(onset, offset, cls)`` (cls indexes ``model.classes``);
    ``spans`` (ms) is where the recording exists: false alarms go into its silent part."""
    n_cls = len(model.classes)
    miss = np.array([model.miss_rate[c] for c in model.classes])
    cumulative = np.cumsum(model.matrix(), axis=1)
    n = len(onset)
    kept = rng.random(n) >= miss[cls]
    draw = rng.random(n)
    label = np.minimum((draw[:, None] > cumulative[cls]).sum(axis=1), n_cls - 1)
    sd = model.boundary_jitter_s * 1000
    new_on = onset + np.round(rng.normal(0, sd, n)) if sd > 0 else onset.astype(float)
    new_off = offset + np.round(rng.normal(0, sd, n)) if sd > 0 else offset.astype(float)
    lo, hi = float(spans[:, 0].min()), float(spans[:, 1].max())
    new_on = np.clip(new_on, lo, hi - MIN_MS)
    new_off = np.clip(np.maximum(new_off, new_on + MIN_MS), lo + MIN_MS, hi)
    counts = np.bincount(cls, minlength=n_cls)
    lengths = np.bincount(cls, weights=offset - onset, minlength=n_cls)
    silence = subtract(spans, np.column_stack([onset, offset]))
    fa_on, fa_off, fa_cls = _false_alarms(silence, counts, lengths, model, rng)
    source = np.concatenate([np.flatnonzero(kept), np.full(len(fa_on), -1)])
    return Stream(
        np.concatenate([new_on[kept], fa_on]).astype(np.int64),
        np.concatenate([new_off[kept], fa_off]).astype(np.int64),
        np.concatenate([label[kept], fa_cls]).astype(np.int64),
        source,
    )


def _false_alarms(silence, counts, lengths, model, rng):
    width = silence[:, 1] - silence[:, 0] if len(silence) else np.empty(0)
    total = width.sum()
    ons, offs, labels = [], [], []
    for k, c in enumerate(model.classes):
        n = rng.poisson(model.false_alarm_ratio[c] * counts[k]) if total > 0 else 0
        if not n:
            continue
        mean = model.false_alarm_duration_s.get(c)
        mean_ms = mean * 1000 if mean else (lengths[k] / counts[k] if counts[k] else 1000.0)
        at = rng.uniform(0, total, n)
        edges = np.cumsum(width)
        g = np.minimum(np.searchsorted(edges, at, side="right"), len(width) - 1)
        start = silence[g, 0] + (at - (edges[g] - width[g]))
        end = np.minimum(start + np.maximum(rng.exponential(mean_ms, n), MIN_MS), silence[g, 1])
        good = end - start >= 1
        ons.append(np.round(start[good]))
        offs.append(np.round(end[good]))
        labels.append(np.full(int(good.sum()), k))
    if not ons:
        return np.empty(0), np.empty(0), np.empty(0, np.int64)
    return np.concatenate(ons), np.concatenate(offs), np.concatenate(labels)


def corrupt(recording: Recording, model: ErrorModel, *, seed: int = 0) -> Recording:
    """A copy of ``recording`` as the error model would have annotated it (module doc)."""
    frame = recording.segments
    is_class = (
        pl.col("segment_onset").is_not_null()
        & pl.col("kind").cast(pl.String).is_in(VOCAL_KINDS)
        & pl.col("speaker_type").cast(pl.String).is_in(model.classes)
        & (pl.col("segment_offset") > pl.col("segment_onset"))
    )
    target = frame.filter(is_class)
    rest = frame.filter(~is_class)
    index = {c: n for n, c in enumerate(model.classes)}
    cls = np.array([index[c] for c in target["speaker_type"].cast(pl.String)], dtype=np.int64)
    end = max(int(recording.duration_ms or 0), int(frame["segment_offset"].max() or 0))
    stream = corrupt_arrays(
        target["segment_onset"].to_numpy().astype(float),
        target["segment_offset"].to_numpy().astype(float),
        cls,
        merge(np.array([[0.0, float(end)]])),
        model,
        np.random.default_rng(seed),
    )
    names = np.array(model.classes)[stream.cls]
    kept = stream.source >= 0
    base = target[stream.source[kept].tolist()]
    relabelled = names[kept] != base["speaker_type"].cast(pl.String).to_numpy()
    base = base.with_columns(
        segment_onset=pl.Series(stream.onset[kept]),
        segment_offset=pl.Series(stream.offset[kept]),
        speaker_type=pl.Series(names[kept]).cast(seg.SpeakerType),
        speaker_id=pl.when(pl.Series(relabelled))
        .then(pl.Series(names[kept]))
        .otherwise(pl.col("speaker_id")),
        kind=pl.when(pl.Series(relabelled))
        .then(pl.lit("vocal"))
        .otherwise(pl.col("kind").cast(pl.String)),
    )
    alarms = pl.DataFrame(
        {
            "segment_onset": stream.onset[~kept],
            "segment_offset": stream.offset[~kept],
            "speaker_type": names[~kept],
            "speaker_id": names[~kept],
            "kind": ["vocal"] * int((~kept).sum()),
        }
    )
    table = pl.concat(
        [rest.with_columns(pl.col("kind").cast(pl.String)), base, alarms], how="diagonal_relaxed"
    )
    return Recording(
        id=f"{recording.id}-degraded",
        path="",
        format=recording.format,
        segments=seg.build(table.with_columns(pl.col("speaker_type").cast(pl.String))),
        start=recording.start,
        duration_ms=recording.duration_ms,
        child_age_days=recording.child_age_days,
        participants=list(recording.participants),
        extra={**recording.extra, "error_model_source": model.source, "seed": seed},
    )
