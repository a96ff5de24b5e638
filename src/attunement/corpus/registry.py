"""The measure registry: each measure family is one entry.

A family names its result tables (with their column types) and computes them for one recording
under one configuration (a JSON-ready dict holding every parameter). The store keys results by
``(recording_id, config_key)``, where ``config_key`` is a hash of the family name and the
configuration, so a recording is recomputed only when its content hash or a parameter changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from attunement.recording import Recording


@dataclass(frozen=True)
class Family:
    """One measure family: ``compute(recording, config) -> {table: rows}``; every table also gets
    ``recording_id`` and ``config_key`` in front of the columns in ``tables``."""

    name: str
    tables: dict[str, dict[str, pl.DataType]]
    compute: Callable[[Recording, dict[str, Any]], dict[str, pl.DataFrame]]
    summary: str


def config_key(family: str, config: dict[str, Any]) -> str:
    text = json.dumps({"family": family, **config}, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def registry() -> dict[str, Family]:
    """Every family by name (imported here so that each stays its own module)."""
    from attunement.corpus.repair_family import REPAIR
    from attunement.corpus.sequential_family import SEQUENTIAL
    from attunement.corpus.turns_family import TURNS

    return {f.name: f for f in (TURNS, SEQUENTIAL, REPAIR)}
