"""Families across generations: the parent's attachment representation shapes her caregiving,
her child's development follows, and the child's attachment at 18 years becomes the
representation it brings to parenting in the next generation.

Generation 0's parents are drawn from ``CaregiverPopulation.representation_shares``. In
generation g, family f's caregiver is sampled (``Caregiver.sample``) with the representation
its parent carries and the child develops for 18 years (``simulate_development``); the child's
class at 18 years maps to the representation of generation g + 1: B -> F (secure-autonomous),
A -> Ds (dismissing), C -> E (preoccupied), D -> U (unresolved), the correspondences of Main,
Kaplan & Cassidy (1985) and Hesse (2008). Each generation uses its own seed,
``generation_seed(seed, g)``, and family f's streams are keyed by f, so a family's history
depends only on (seed, f): identical for any chunking, thread count or Dask cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from attunement.errors import ParameterError
from attunement.outputs import atomic
from attunement.simulate import rng
from attunement.simulate.caregiver import REPRESENTATIONS, Caregiver, CaregiverPopulation
from attunement.simulate.development import CLASSES, DevelopmentParams, simulate_development
from attunement.simulate.transmission import transmission_measures

ADULT_WEEKS = 936
INFANT_WEEKS = 52
CLASS_TO_REPRESENTATION = np.array([1, 0, 2, 3])
"""Class code (A, B, C, D) -> representation code (Ds, F, E, U)."""


def generation_seed(seed: int, generation: int) -> int:
    """The seed of generation ``generation``: a splitmix64 hash of (seed, generation), 63 bits."""
    key = (seed + int(rng.GOLDEN) * (generation + 101)) % 2**64
    mixed = rng.mix(np.uint64(key))
    return int(mixed >> np.uint64(1))


def simulate_families(
    first_family: int,
    n: int,
    generations: int,
    seed: int,
    population: CaregiverPopulation | None = None,
    params: DevelopmentParams | None = None,
) -> pl.DataFrame:
    """Families ``first_family .. first_family + n - 1`` through ``generations`` generations.

    One row per family and generation: ``family``, ``generation``, ``parent_representation``
    (F / Ds / E / U), ``parent_sensitivity`` (her responsiveness in the child's first year,
    ``sensitivity`` at 52 weeks), ``matched_share``, ``susceptibility``, ``infant_class`` (the
    Strange Situation class at 1 year), ``adult_class`` (at 18 years) and
    ``adult_representation`` (the representation the child brings to the next generation).
    """
    population = population or CaregiverPopulation()
    params = params or DevelopmentParams()
    representation = None
    frames = []
    for g in range(generations):
        s = generation_seed(seed, g)
        cg = Caregiver.sample(
            n, s, population, first_child=first_family, representation=representation
        )
        frame = simulate_development(
            cg, ADULT_WEEKS, s, snapshot_ages=[INFANT_WEEKS, ADULT_WEEKS], params=params
        )
        infant = frame.filter(pl.col("age_weeks") == INFANT_WEEKS)
        adult = frame.filter(pl.col("age_weeks") == ADULT_WEEKS)
        adult_codes = adult["attachment_class"].to_physical().to_numpy().astype(np.int64)
        following = CLASS_TO_REPRESENTATION[adult_codes]
        frames.append(
            pl.DataFrame(
                {
                    "family": infant["child"],
                    "generation": np.full(n, g, dtype=np.int16),
                    "parent_representation": np.asarray(REPRESENTATIONS)[cg.representation],
                    "parent_sensitivity": infant["sensitivity"],
                    "matched_share": infant["matched_share"],
                    "susceptibility": infant["susceptibility"],
                    "infant_class": infant["attachment_class"].cast(pl.String),
                    "adult_class": adult["attachment_class"].cast(pl.String),
                    "adult_representation": np.asarray(REPRESENTATIONS)[following],
                }
            )
        )
        representation = following
    rep, cls = pl.Enum(list(REPRESENTATIONS)), pl.Enum(list(CLASSES))
    return (
        pl.concat(frames)
        .sort("family", "generation")
        .with_columns(
            pl.col("parent_representation").cast(rep),
            pl.col("adult_representation").cast(rep),
            pl.col("infant_class").cast(cls),
            pl.col("adult_class").cast(cls),
        )
    )


def _chunks(n_families, generations, seed, chunk_size, population, params, client) -> Iterator:
    if seed < 0:
        raise ParameterError(f"seed must be >= 0, got {seed}")
    if n_families < 1 or generations < 1 or chunk_size < 1:
        raise ParameterError(
            "families, generations and chunk_size must be >= 1, got "
            f"{n_families}, {generations}, {chunk_size}"
        )
    starts = list(range(0, n_families, chunk_size))
    sizes = [min(chunk_size, n_families - s) for s in starts]
    common = dict(generations=generations, seed=seed, population=population, params=params)
    if client is None:
        for start, size in zip(starts, sizes, strict=True):
            yield simulate_families(start, size, **common)
        return
    for future in client.map(simulate_families, starts, sizes, **common):
        frame = future.result()
        future.release()
        yield frame


def simulate_generations(
    n_families: int,
    generations: int,
    seed: int,
    *,
    chunk_size: int = 50_000,
    population: CaregiverPopulation | None = None,
    params: DevelopmentParams | None = None,
    client: Any = None,
) -> pl.DataFrame:
    """All families (``simulate_families``) in chunks, here or on ``client`` (identical)."""
    population = population or CaregiverPopulation()
    params = params or DevelopmentParams()
    chunks = _chunks(n_families, generations, seed, chunk_size, population, params, client)
    return pl.concat(list(chunks))


def write_generations(
    path: str | Path,
    n_families: int,
    generations: int,
    seed: int,
    *,
    chunk_size: int = 50_000,
    population: CaregiverPopulation | None = None,
    params: DevelopmentParams | None = None,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """As ``simulate_generations``, streamed to the Parquet file ``path`` (one row group per
    chunk, renamed into place when complete). Returns a summary per generation: the shares of
    parent representations and of infant classes, and the transmission figures
    (``transmission_measures``) computed over all families."""
    start = time.perf_counter()
    population = population or CaregiverPopulation()
    params = params or DevelopmentParams()
    writer, frames = None, []
    with atomic(path) as temp:
        try:
            chunks = _chunks(n_families, generations, seed, chunk_size, population, params, client)
            for frame in chunks:
                table = frame.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(str(temp), table.schema, compression="zstd")
                writer.write_table(table)
                frames.append(
                    frame.select(
                        "generation",
                        "parent_representation",
                        "parent_sensitivity",
                        "infant_class",
                    )
                )
                if progress is not None:
                    progress(frame.height // generations)
        finally:
            if writer is not None:
                writer.close()
    everyone = pl.concat(frames)
    per_generation = {}
    for g in range(generations):
        sub = everyone.filter(pl.col("generation") == g)
        per_generation[str(g)] = {
            "parent_representation": _shares(sub["parent_representation"], REPRESENTATIONS),
            "infant_class": _shares(sub["infant_class"], CLASSES),
            "transmission": {
                k: round(v, 4)
                for k, v in transmission_measures(
                    sub["parent_representation"].to_physical().to_numpy(),
                    sub["infant_class"].to_physical().to_numpy(),
                    sub["parent_sensitivity"].to_numpy(),
                ).items()
            },
        }
    return {
        "families": n_families,
        "generations": generations,
        "seed": seed,
        "chunk_size": chunk_size,
        "by_generation": per_generation,
        "seconds": round(time.perf_counter() - start, 3),
        "population": population.to_dict(),
        "params": params.to_dict(),
    }


def _shares(column: pl.Series, names: tuple[str, ...]) -> dict[str, float]:
    codes = column.to_physical().to_numpy()
    counts = np.bincount(codes, minlength=len(names))
    return {name: round(float(c / codes.size), 5) for name, c in zip(names, counts, strict=True)}
