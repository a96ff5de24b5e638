"""Synthetic daylong recordings: LENA-like segment streams with a known contingency.

A day is a sequence of back-to-back segments whose speakers are drawn independently from
``SPEAKER_MIX``, except that after a key-child vocalisation the next segment is an adult with
probability ``contingency`` (the "return"), so contingency is a known ground truth that the turn
rules and their chance baselines should recover. Gaps are exponential (mean ``mean_gap_s``),
durations log-normal (median ~1 s). Everything is vectorised and seeded.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from attunement import segments as seg

SPEAKER_MIX: dict[str, float] = {
    "CHI": 0.20,
    "FEM": 0.22,
    "MAL": 0.10,
    "OCH": 0.05,
    "ELE": 0.10,
    "OVL": 0.08,
    "NOI": 0.15,
    "SIL": 0.10,
}
CRY_SHARE = 0.1  # of key-child segments


def day(
    n_segments: int = 50_000,
    hours: float = 16.0,
    *,
    contingency: float = 0.4,
    seed: int = 0,
    recording_id: str | None = None,
) -> pl.DataFrame:
    """One synthetic day as a segments table (plus ``recording_id`` when given)."""
    rng = np.random.default_rng(seed)
    names = np.array(list(SPEAKER_MIX))
    p = np.array(list(SPEAKER_MIX.values()))
    who = rng.choice(len(names), size=n_segments, p=p / p.sum())
    child = who == 0
    answered = np.zeros(n_segments, bool)
    answered[1:] = child[:-1] & (rng.random(n_segments - 1) < contingency)
    who[answered] = np.where(rng.random(int(answered.sum())) < 0.7, 1, 2)  # FEM or MAL
    durations = np.clip(rng.lognormal(0.0, 0.5, n_segments), 0.2, 10.0)
    total = hours * 3600
    mean_gap = max((total - durations.sum()) / n_segments, 0.0)
    gaps = rng.exponential(mean_gap, n_segments) if mean_gap > 0 else np.zeros(n_segments)
    onset_s = np.cumsum(gaps + durations) - durations
    onset = np.round(onset_s * 1000).astype(np.int64)
    offset = onset + np.round(durations * 1000).astype(np.int64)
    speaker = names[who]
    kind = np.where(child & (rng.random(n_segments) < CRY_SHARE), "cry", "vocal")
    columns = {
        "segment_onset": onset,
        "segment_offset": offset,
        "speaker_type": speaker,
        "speaker_id": speaker,
        "kind": kind,
        "words": np.where(
            np.isin(speaker, ["FEM", "MAL"]), np.round(rng.gamma(2.0, 2.0, n_segments), 2), np.nan
        ),
    }
    frame = seg.build(columns, sort=False).with_columns(pl.col("words").fill_nan(None))
    if recording_id is not None:
        frame = frame.with_columns(pl.lit(recording_id).alias("recording_id"))
    return frame
