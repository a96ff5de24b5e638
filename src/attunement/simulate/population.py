"""Populations of simulated children, run in chunks, locally or on a Dask cluster.

Child i's caregiver and development depend only on (seed, i) through counter-based random
streams, so the result is identical for every chunk size, thread count and cluster layout.
``simulate_population`` returns one frame; ``write_population`` streams the chunks to one
Parquet file (one row group per chunk) and keeps only running sums for the summary, so memory
stays at a few chunks however many children there are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from attunement.errors import ParameterError
from attunement.outputs import atomic
from attunement.simulate.caregiver import Caregiver, CaregiverPopulation
from attunement.simulate.development import (
    CLASSES,
    WEEKS_PER_YEAR,
    DevelopmentParams,
    simulate_development,
)
from attunement.simulate.specs import DEFAULT_CHUNK

DIMENSIONS = ("avoidance", "anxiety", "disorganisation")


def weeks_of(years: float) -> int:
    """Model weeks in ``years`` (52 weeks a year; 18 years = 936 weeks)."""
    return round(years * WEEKS_PER_YEAR)


def default_snapshot_ages(weeks: int) -> list[int]:
    """Ages 1, 5 and 10 years and the end of the run, in weeks, those within the run."""
    return sorted({a for a in (52, 260, 520) if a < weeks} | {weeks})


def simulate_chunk(
    first_child: int,
    n: int,
    weeks: int,
    seed: int,
    snapshot_ages: list[int],
    population: CaregiverPopulation,
    params: DevelopmentParams,
) -> pl.DataFrame:
    """Children ``first_child .. first_child + n - 1``: sample caregivers, run the model."""
    caregiver = Caregiver.sample(n, seed, population, first_child=first_child)
    return simulate_development(caregiver, weeks, seed, snapshot_ages=snapshot_ages, params=params)


def _chunks(
    n_children: int,
    weeks: int,
    seed: int,
    chunk_size: int,
    snapshot_ages: list[int],
    population: CaregiverPopulation,
    params: DevelopmentParams,
    client: Any,
) -> Iterator[pl.DataFrame]:
    """The chunks' frames in child order, computed here or with ``client.map``."""
    if seed < 0:
        raise ParameterError(f"seed must be >= 0, got {seed}")
    if n_children < 1:
        raise ParameterError(f"n_children must be >= 1, got {n_children}")
    if chunk_size < 1:
        raise ParameterError(f"chunk_size must be >= 1, got {chunk_size}")
    starts = list(range(0, n_children, chunk_size))
    sizes = [min(chunk_size, n_children - s) for s in starts]
    common = dict(
        weeks=weeks,
        seed=seed,
        snapshot_ages=snapshot_ages,
        population=population,
        params=params,
    )
    if client is None:
        for start, size in zip(starts, sizes, strict=True):
            yield simulate_chunk(start, size, **common)
        return
    futures = client.map(simulate_chunk, starts, sizes, **common)
    for future in futures:
        frame = future.result()
        future.release()
        yield frame


def simulate_population(
    n_children: int,
    years: float,
    seed: int,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    snapshot_ages: list[int] | None = None,
    population: CaregiverPopulation | None = None,
    params: DevelopmentParams | None = None,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """Simulate ``n_children`` from birth for ``years`` years (weekly steps).

    One row per child and snapshot age (weeks; default :func:`default_snapshot_ages`), as
    :func:`attunement.simulate.development.simulate_development`. ``client``: a
    ``distributed.Client`` to run the chunks on (identical results). ``progress(children_done)``
    is called after each chunk.
    """
    weeks = weeks_of(years)
    ages = default_snapshot_ages(weeks) if snapshot_ages is None else list(snapshot_ages)
    population = population or CaregiverPopulation()
    params = params or DevelopmentParams()
    frames = []
    for frame in _chunks(n_children, weeks, seed, chunk_size, ages, population, params, client):
        frames.append(frame)
        if progress is not None:
            progress(len(frame) // len(ages))
    return pl.concat(frames)


@dataclass
class PopulationSummary:
    """What a population run produced: class base rates per snapshot age, and stability.

    ``stability[dimension][age]`` is the Pearson correlation across children between the
    dimension at the first snapshot age and at ``age``; ``class_agreement[age]`` is the share of
    children whose class at ``age`` equals their class at the first snapshot age.
    """

    n_children: int
    years: float
    weeks: int
    seed: int
    chunk_size: int
    snapshot_ages: list[int]
    class_rates: dict[int, dict[str, float]]
    stability: dict[str, dict[int, float]]
    class_agreement: dict[int, float]
    seconds: float
    population: dict[str, Any] = field(default_factory=dict)
    params: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.__dict__.items() if k not in ("class_rates",)},
            "class_rates": {str(a): r for a, r in self.class_rates.items()},
            "stability": {d: {str(a): r for a, r in s.items()} for d, s in self.stability.items()},
            "class_agreement": {str(a): r for a, r in self.class_agreement.items()},
        }


class _Accumulator:
    """Running sums for class counts and first-age-vs-later correlations."""

    def __init__(self, ages: list[int]) -> None:
        m = len(ages)
        self.ages = ages
        self.n = 0
        self.classes = np.zeros((m, len(CLASSES)), dtype=np.int64)
        self.agree = np.zeros(m, dtype=np.int64)
        self.sums = {d: np.zeros((5, m)) for d in DIMENSIONS}  # x, y, xx, yy, xy

    def add(self, frame: pl.DataFrame) -> None:
        m = len(self.ages)
        codes = frame["attachment_class"].to_physical().to_numpy().reshape(-1, m)
        self.n += codes.shape[0]
        for j in range(m):
            self.classes[j] += np.bincount(codes[:, j], minlength=len(CLASSES))
        self.agree += (codes == codes[:, :1]).sum(axis=0)
        for d in DIMENSIONS:
            y = frame[d].to_numpy().astype(np.float64).reshape(-1, m)
            x = y[:, :1]
            s = self.sums[d]
            s[0] += x.sum()
            s[1] += y.sum(0)
            s[2] += (x * x).sum()
            s[3] += (y * y).sum(0)
            s[4] += (x * y).sum(0)

    def correlations(self, d: str) -> dict[int, float]:
        sx, sy, sxx, syy, sxy = self.sums[d]
        n = self.n
        cov = sxy / n - sx / n * sy / n
        var = (sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = cov / np.sqrt(var)
        return {a: round(float(v), 4) for a, v in zip(self.ages, r, strict=True)}


def write_population(
    path: str | Path,
    n_children: int,
    years: float,
    seed: int,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    snapshot_ages: list[int] | None = None,
    population: CaregiverPopulation | None = None,
    params: DevelopmentParams | None = None,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> PopulationSummary:
    """As :func:`simulate_population`, streamed to the Parquet file ``path`` (zstd, one row
    group per chunk; renamed into place when complete); returns the :class:`PopulationSummary`."""
    start = time.perf_counter()
    weeks = weeks_of(years)
    ages = default_snapshot_ages(weeks) if snapshot_ages is None else list(snapshot_ages)
    population = population or CaregiverPopulation()
    params = params or DevelopmentParams()
    totals = _Accumulator(ages)
    writer = None
    with atomic(path) as temp:
        try:
            chunks = _chunks(n_children, weeks, seed, chunk_size, ages, population, params, client)
            for frame in chunks:
                table = frame.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(str(temp), table.schema, compression="zstd")
                writer.write_table(table)
                totals.add(frame)
                if progress is not None:
                    progress(len(frame) // len(ages))
        finally:
            if writer is not None:
                writer.close()
    rates = {
        a: {c: round(float(totals.classes[j, k] / totals.n), 5) for k, c in enumerate(CLASSES)}
        for j, a in enumerate(ages)
    }
    return PopulationSummary(
        n_children=n_children,
        years=years,
        weeks=weeks,
        seed=seed,
        chunk_size=chunk_size,
        snapshot_ages=ages,
        class_rates=rates,
        stability={d: totals.correlations(d) for d in DIMENSIONS},
        class_agreement={
            a: round(float(totals.agree[j] / totals.n), 5) for j, a in enumerate(ages)
        },
        seconds=round(time.perf_counter() - start, 3),
        population=population.to_dict(),
        params=params.to_dict(),
    )
