"""The rupture-and-repair numbers of one stretch of coded time (a whole recording or one phase).

- ``matching_proportion`` = matched time / (matched + mismatched time) (Tronick & Cohn 1989,
  Child Dev 60:85-92: the share of coordinated time among coordinated and miscoordinated time);
  ``matching_proportion_total`` = matched time / all time in the stretch (neutral and uncoded
  time included). Both are reported because studies use both.
- ``mismatch_episodes``, ``repairs``: see ``episodes``; ``reparation_rate`` = repairs / mismatch
  episodes; ``repairs_per_min`` = repairs per minute of all time in the stretch.
- ``repair_latency_median_s`` and ``repair_latency_km``: Kaplan-Meier (``latency``);
  ``repair_hazard_per_s``: repairs / time at risk; ``repair_latency_mean_repaired_s``: the naive
  mean over repaired episodes only, reported for comparison with studies that use it and
  **biased low** whenever episodes are censored.
- ``censored`` and, by end reason, ``censored_neutral``, ``censored_uncoded``,
  ``censored_episode_end``, ``censored_recording_end``; ``ended_unrepaired``: episodes closed by
  neutral time with ``neutral="end"``, which enter the Kaplan-Meier curve as never repaired (at
  risk until the longest episode: the curve is then one minus the cumulative incidence of
  repair, with closing as a competing end); who repaired: ``repaired_by_child``,
  ``repaired_by_caregiver``, ``repaired_by_both``; ``left_truncated`` episodes.

Each is a figure of the ``repair`` family (``measures/families/repair.py``), under these names.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from attunement.measures.repair.latency import kaplan_meier

CENSOR_REASONS = ("neutral", "uncoded", "episode_end", "recording_end")
REPAIRERS = ("child", "caregiver", "both")


def summarise(seconds: dict[str, float], episodes: pl.DataFrame, ignored: int) -> dict[str, Any]:
    """The figures of one stretch, by name: ``seconds`` per relation, its mismatch ``episodes``
    and the count of mismatch runs ignored as shorter than the threshold."""
    match, mismatch = seconds["match"], seconds["mismatch"]
    total = sum(seconds.values())
    n = episodes.height
    repairs = int(episodes["repaired"].sum())
    censored = episodes["censored"].to_numpy()
    repaired_flag = episodes["repaired"].to_numpy()
    durations = episodes["duration_s"].to_numpy()
    closed = ~repaired_flag & ~censored
    at_risk = np.where(closed, durations.max(), durations) if closed.any() else durations
    km = kaplan_meier(at_risk, repaired_flag)
    exposure = float(durations.sum())  # time at risk: the episodes' own durations
    repaired = episodes.filter(pl.col("repaired"))["duration_s"]
    ends = dict(episodes.filter(pl.col("censored"))["end"].value_counts().iter_rows())
    who = dict(episodes["who_repaired"].drop_nulls().value_counts().iter_rows())
    return {
        "total_s": round(total, 6),
        "match_s": round(match, 6),
        "mismatch_s": round(mismatch, 6),
        "neutral_s": round(seconds["neutral"], 6),
        "uncoded_s": round(seconds["uncoded"], 6),
        "matching_proportion": match / (match + mismatch) if match + mismatch > 0 else None,
        "matching_proportion_total": match / total if total > 0 else None,
        "mismatch_episodes": n,
        "mismatch_runs_ignored": ignored,
        "repairs": repairs,
        "reparation_rate": repairs / n if n else None,
        "repairs_per_min": repairs / (total / 60) if total > 0 else None,
        "repair_latency_median_s": km["median_s"],
        "repair_hazard_per_s": repairs / exposure if exposure > 0 else None,
        "repair_latency_mean_repaired_s": float(repaired.mean()) if len(repaired) else None,
        "censored": int(censored.sum()),
        "ended_unrepaired": int(closed.sum()),
        **{f"censored_{reason}": int(ends.get(reason, 0)) for reason in CENSOR_REASONS},
        **{f"repaired_by_{who_}": int(who.get(who_, 0)) for who_ in REPAIRERS},
        "left_truncated": int(episodes["left_truncated"].sum()),
        "repair_latency_km": km["curve"],
    }
