"""Shared helpers for the benchmarks: timing, the machine description, the results table."""

from __future__ import annotations

import gc
import math
import os
import platform
import statistics
import tempfile
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
    ours: Callable[[], object],
    peer: Callable[[], object],
    repeats: int,
    warmup: int = 1,
    min_run: float = 0.02,
) -> tuple[list[float], list[float]]:
    """Time both callables in alternating rounds so that machine noise hits both sides alike.

    ``warmup`` untimed rounds come first (imports, caches, file system cache); the last one also
    sets, per side, how many consecutive calls make one timed run: enough for the run to last
    ``min_run`` seconds, as ``timeit``'s autorange does (1 for anything slower). A full garbage
    collection before each timed run keeps one side's garbage out of the other side's time.
    Times are per call. Without the repetition a single sub-millisecond call after a collection
    mostly times the wake-up of polars' idle worker threads (our 0.5 ms turn count read 1.3 ms).
    """
    numbers = {}
    for round_ in range(max(warmup, 1)):
        for name, fn in (("ours", ours), ("peer", peer)):
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            if round_ == max(warmup, 1) - 1:
                numbers[name] = max(1, math.ceil(min_run / max(elapsed, 1e-9)))
    ours_times, peer_times = [], []
    for _ in range(repeats):
        for name, fn, times in (("ours", ours, ours_times), ("peer", peer, peer_times)):
            gc.collect()
            start = time.perf_counter()
            for _ in range(numbers[name]):
                fn()
            times.append((time.perf_counter() - start) / numbers[name])
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


def duration(seconds: float) -> str:
    """``0.072 s`` or ``0.54 ms``."""
    return f"{seconds:.3f} s" if seconds >= 0.01 else f"{seconds * 1000:.2f} ms"


def table(comparisons: list[Comparison]) -> str:
    """A plain-text table, one row per comparison (median time per call, best in brackets)."""
    head = ("benchmark", "ours", "peer", "peer", "ratio", "target", "met")
    rows = [
        (
            c.name,
            f"{duration(statistics.median(c.ours))} ({duration(min(c.ours))})",
            f"{duration(statistics.median(c.peer))} ({duration(min(c.peer))})",
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


def timed_simulation(
    write: Callable[[Path], Any], child_weeks: int, target_s: float
) -> tuple[Any, dict[str, Any], str]:
    """Run ``write(path)`` into a temporary Parquet file (numba kernels compiled beforehand by the
    caller): its return value, the result fields every simulation benchmark records (seconds,
    child-weeks per second, the target, the file's size, the load average before and after: the
    machine is shared) and the sentence that reports them."""
    import numba

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "simulated.parquet"
        load_before = os.getloadavg()
        start = time.perf_counter()
        out = write(path)
        seconds = time.perf_counter() - start
        load_after = os.getloadavg()
        size_mb = path.stat().st_size / 1e6
    fields = {
        "numba_threads": numba.get_num_threads(),
        "seconds": round(seconds, 2),
        "child_weeks_per_s": round(child_weeks / seconds),
        "target_s": target_s,
        "target_met": seconds < target_s,
        "parquet_mb": round(size_mb, 1),
        "load_average_before_after": [round(x, 2) for x in (*load_before, *load_after)],
    }
    sentence = (
        f"{seconds:.1f} s ({child_weeks / seconds / 1e6:.2f} M child-weeks/s; target < "
        f"{target_s:.0f} s: {'met' if seconds < target_s else 'NOT met'}); parquet "
        f"{size_mb:.0f} MB; load average {load_before[0]:.1f} -> {load_after[0]:.1f}"
    )
    return out, fields, sentence
