"""Shared fixtures. Real third-party data live in ../shared/data and are never copied here:
tests that need them skip with a clear message when that folder is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(
    os.environ.get("ATTUNEMENT_DATA", Path(__file__).resolve().parents[1] / "../shared/data")
)
REAL = DATA / "real"
REFERENCE = DATA / "reference"


def need(path: Path) -> Path:
    """The path, or skip the test saying which shared data file is missing."""
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (clone ../shared next to the repo)")
    return path


@pytest.fixture
def real() -> Path:
    return need(REAL)
