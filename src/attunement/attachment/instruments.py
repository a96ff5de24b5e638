"""Questionnaire instruments as data: items, subscales, reverse keys, scale range and source.

The keys live in ``instruments/*.csv`` (one file per instrument, one row per item: ``item``,
``position``, ``subscale``, ``reverse``, optionally ``original_item`` and ``name``), with one header
table ``instruments.csv`` (name, version, published scale range, relationship targets, how far the
key was verified and by which sources, citation) and ``derived.csv`` (weighted sums of subscale
scores, e.g. the RQ's model of self and model of other). Each file's ``#`` comment lines cite the
source of its key. No item wording is needed or shipped: scoring keys are facts, item texts belong
to their authors.

An instrument whose items have a ``name`` (the RQ's prototypes) is read by column name, never by
position: its data columns are the names, or columns declared to be them (``item_map``).
``verification`` is ``verified`` (two or more public sources agree, or reference figures are
reproduced), ``one-source`` or ``unverified``; ``caution()`` is the sentence every output of an
instrument that is not verified carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import polars as pl

from attunement.attachment.specs import available
from attunement.errors import ParameterError

DATA = files("attunement.attachment") / "instruments"
RENAMED = {"ecr-r-interleaved": "ecr-r-dependlab"}  # old id -> new id, named in the error


class InstrumentError(ParameterError):
    """An unknown instrument name or an inconsistent key file."""


@dataclass(frozen=True)
class Instrument:
    """One questionnaire's scoring key.

    ``items`` are the item numbers in administration order (the data columns ``PREFIX1 ..
    PREFIXk`` follow this order); ``subscales`` maps each subscale to its item numbers;
    ``reverse`` holds the reverse-keyed items; ``scale_min``/``scale_max`` are the published
    response range; ``derived`` maps a derived score to ``{subscale: weight}``; ``targets`` lists
    the relationship targets the items are answered for (ECR-RS), each scored separately;
    ``original_items`` maps a short form's items to their number in the parent instrument;
    ``names`` maps items to the column names they are read by (instruments read by name).
    """

    id: str
    name: str
    version: str
    scale_min: int
    scale_max: int
    citation: str
    verification: str
    key_source: str
    source_notes: str
    items: tuple[int, ...]
    subscales: dict[str, tuple[int, ...]]
    reverse: frozenset[int]
    derived: dict[str, dict[str, float]] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    original_items: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def columns(self, prefix: str) -> list[str]:
        """The data column of every item in administration order: its name for an instrument read
        by name, else ``prefix`` + item number."""
        if self.names:
            return [self.names[item] for item in self.items]
        return [f"{prefix}{item}" for item in self.items]

    def caution(self) -> str | None:
        """The warning every output of this instrument carries unless its key is verified."""
        if self.verification == "verified":
            return None
        return (
            f"the {self.id} scoring key is {self.verification}: {self.key_source}. Check the item "
            "order and the reverse-keyed items against the form you used"
        )

    def positions(self, subscale: str) -> list[int]:
        """0-based column positions of a subscale's items."""
        index = {item: i for i, item in enumerate(self.items)}
        return [index[item] for item in self.subscales[subscale]]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "scale": [self.scale_min, self.scale_max],
            "citation": self.citation,
            "verification": self.verification,
            "key_source": self.key_source,
            "subscales": {k: list(v) for k, v in self.subscales.items()},
            "reverse": sorted(self.reverse),
            "derived": self.derived,
            "targets": list(self.targets),
        }


def load(name: str) -> Instrument:
    """The instrument with this id (case-insensitive, ``_`` or ``-``: ``ECR_R`` = ``ecr-r``)."""
    key = name.strip().lower().replace("_", "-")
    header = _header().filter(pl.col("id") == key)
    if header.is_empty():
        renamed = f" ({key} is now {RENAMED[key]})" if key in RENAMED else ""
        raise InstrumentError(
            f"unknown instrument {name!r}{renamed}; choose one of {', '.join(available())}"
        )
    return _build(key)


@cache
def _header() -> pl.DataFrame:
    return _read("instruments.csv")


@cache
def _build(key: str) -> Instrument:
    row = _header().filter(pl.col("id") == key).row(0, named=True)
    table = _read(row["file"])
    if table["position"].to_list() != list(range(1, table.height + 1)):
        raise InstrumentError(f"{row['file']}: positions must run 1..{table.height} in order")
    if table["item"].n_unique() != table.height:
        raise InstrumentError(f"{row['file']}: an item is listed twice")
    subscales: dict[str, tuple[int, ...]] = {}
    for sub, item in table.select("subscale", "item").iter_rows():
        subscales[sub] = (*subscales.get(sub, ()), int(item))
    derived: dict[str, dict[str, float]] = {}
    rows = _read("derived.csv").filter(pl.col("instrument") == key)
    for score, sub, weight in rows.select("score", "subscale", "weight").iter_rows():
        if sub not in subscales:
            raise InstrumentError(f"derived.csv: {key} has no subscale {sub!r}")
        derived.setdefault(score, {})[sub] = float(weight)
    original, names = {}, {}
    if "original_item" in table.columns:
        original = dict(zip(table["item"].to_list(), table["original_item"].to_list(), strict=True))
    if "name" in table.columns:
        names = dict(zip(table["item"].to_list(), table["name"].to_list(), strict=True))
    return Instrument(
        id=key,
        name=row["name"],
        version=str(row["version"]),
        scale_min=int(row["scale_min"]),
        scale_max=int(row["scale_max"]),
        citation=row["citation"],
        verification=row["verification"],
        key_source=row["key_source"],
        source_notes=_comments(row["file"]),
        items=tuple(int(i) for i in table["item"]),
        subscales=subscales,
        reverse=frozenset(int(i) for i in table.filter(pl.col("reverse") == 1)["item"]),
        derived=derived,
        targets=tuple(t for t in (row["targets"] or "").split(";") if t),
        original_items=original,
        names=names,
    )


def _read(name: str) -> pl.DataFrame:
    return pl.read_csv((DATA / name).read_bytes(), comment_prefix="#")


def _comments(name: str) -> str:
    lines = (DATA / name).read_text().splitlines()
    return " ".join(line.lstrip("# ").rstrip() for line in lines if line.startswith("#"))
