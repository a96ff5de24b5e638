"""What the attachment commands show before anything is scored (no polars): the ids of the
shipped instruments and the moderator tests of ``classification_change``."""

from __future__ import annotations

import csv
from importlib.resources import files

MODERATOR_TESTS = ("fisher", "chi2", "chi2_yates")


def available() -> list[str]:
    """The ids of every shipped instrument (``instruments/instruments.csv``)."""
    text = (files("attunement.attachment") / "instruments" / "instruments.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return [row["id"] for row in rows]
