"""The repair-latency survival curve of a ``RepairResult``: the Kaplan-Meier estimate of the share
of mismatch episodes still unrepaired t seconds after they began (``repair_latency_km``, from
lifelines), a mark at each censored episode (it ended without a match: neutral or uncoded time,
an episode change or the recording's end; with ``neutral="end"`` an episode closed by neutral
time is not censored but never repaired, and gets no mark) and the median latency when it is
reached."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from attunement.measures.repair import RepairResult


def survival_figure(result: RepairResult) -> Figure:
    """The step curve S(t) (gid ``km``), censored episodes as ``+`` on the curve (gid
    ``censored``) and the median as a dashed line (when reached)."""
    curve = np.asarray(result.repair_latency_km, dtype=float).reshape(-1, 2)
    times, share = curve[:, 0], curve[:, 1]
    fig, ax = plt.subplots(figsize=(6.5, 3.4), constrained_layout=True)
    (line,) = ax.step(times, share, where="post", color="#4C72B0", label="Kaplan-Meier")
    line.set_gid("km")
    censored = result.mismatches.filter(result.mismatches["censored"])["duration_s"].to_numpy()
    at = np.searchsorted(times, censored, side="right") - 1
    marks = ax.scatter(
        censored,
        share[np.clip(at, 0, None)] if times.size else censored * 0,
        marker="+",
        color="black",
        s=50,
        zorder=3,
        label=f"censored ({censored.size})",
    )
    marks.set_gid("censored")
    median = result.repair_latency_median_s
    if median is not None:
        ax.axvline(median, color="black", lw=1, ls="--", label=f"median {median:.1f} s")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel("seconds since the mismatch began")
    ax.set_ylabel("share not yet repaired")
    ax.set_title(
        f"{result.mismatch_episodes} mismatch episodes, {result.repairs} repaired",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    return fig
