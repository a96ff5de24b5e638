"""Shared helpers for the benchmarks: timing, the machine description, the results table."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "real"
RESULTS = ROOT / "benchmarks" / "results"
PACKAGES = (
    "attunement",
    "polars",
    "childproject",
    "pylangacq",
    "rustling",
    "pandas",
    "numpy",
    "lxml",
)


@dataclass
class Comparison:
    """One side-by-side measurement: our reader against a peer on the same input.

    ``ours`` and ``peer`` are wall-clock seconds of each timed run; ``target`` is the speed-up
    the issue asks for (ratio = peer median / our median).
    """

    name: str
    data: str
    ours_label: str
    peer_label: str
    target: float
    ours: list[float]
    peer: list[float]
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return statistics.median(self.peer) / statistics.median(self.ours)

    @property
    def met(self) -> bool:
        return self.ratio >= self.target

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "data": self.data,
            "ours": self.ours_label,
            "peer": self.peer_label,
            "ours_s": summary(self.ours),
            "peer_s": summary(self.peer),
            "ratio_median": round(self.ratio, 2),
            "target_ratio": self.target,
            "target_met": self.met,
            "notes": self.notes,
        }


def summary(times: list[float]) -> dict[str, Any]:
    return {
        "median": round(statistics.median(times), 4),
        "best": round(min(times), 4),
        "runs": [round(t, 4) for t in times],
    }


def race(
    ours: Callable[[], object], peer: Callable[[], object], repeats: int, warmup: int = 1
) -> tuple[list[float], list[float]]:
    """Time both callables in alternating rounds so that machine noise hits both sides alike.

    ``warmup`` untimed rounds come first (imports, caches, file system cache). A full garbage
    collection before each timed call keeps one side's garbage out of the other side's time.
    """
    for _ in range(warmup):
        ours()
        peer()
    ours_times, peer_times = [], []
    for _ in range(repeats):
        for fn, times in ((ours, ours_times), (peer, peer_times)):
            gc.collect()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return ours_times, peer_times


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    """Where and with what the figures were measured."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "packages": versions,
    }


def table(comparisons: list[Comparison]) -> str:
    """A plain-text table, one row per comparison (median seconds, best in brackets)."""
    head = ("benchmark", "ours s", "peer s", "peer", "ratio", "target", "met")
    rows = [
        (
            c.name,
            f"{statistics.median(c.ours):.3f} ({min(c.ours):.3f})",
            f"{statistics.median(c.peer):.3f} ({min(c.peer):.3f})",
            c.peer_label,
            f"{c.ratio:.2f}x",
            f">= {c.target:g}x",
            "yes" if c.met else "NO",
        )
        for c in comparisons
    ]
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(head), line(tuple("-" * w for w in widths)), *map(line, rows)])
