"""The figure catalogue's entry type: one named figure a measure family reports.

Every scalar (and every table) a family reports is a ``Figure``: its ``name`` is the one field
name used in the API, the command line's JSON and CSV, the report's tables, the dashboard and
the corpus store; ``unit``, ``label`` (a short phrase for people), ``definition`` (one line) and
``source`` say what it is. Families declare their figures once (``measures.registry``); faces
never spell a figure's name or label themselves.

``unit`` drives how a value is shown to people (``display``): ``count`` as a whole number with
thousands separators, ``share`` as a percentage, ``per_hour`` to one decimal, ``s`` in seconds,
minutes or hours as the size asks, ``ratio`` with two decimals and ``x``, ``p`` with three
decimals, ``number`` with three decimals below 10, two below 100, one above, ``text`` as is.
``shape`` is ``scalar`` (one value per result, a column in tables and exports) or ``detail`` (a
list, mapping or table: in ``to_dict`` and the JSON, never a CSV column).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from attunement.errors import ParameterError

UNITS = {
    "count": "",
    "share": "",
    "per_hour": "per hour",
    "per_min": "per minute",
    "s": "s",
    "min": "min",
    "ratio": "",
    "p": "",
    "number": "",
    "text": "",
    "days": "days",
}
SHAPES = ("scalar", "detail")


@dataclass(frozen=True)
class Figure:
    """One figure of a family (see the module docstring)."""

    name: str
    unit: str
    label: str
    definition: str
    source: str = ""
    shape: str = "scalar"
    headline: bool = False  # shown in short views (dashboard, corpus summaries)

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ParameterError(f"figure {self.name}: unknown unit {self.unit!r}")
        if self.shape not in SHAPES:
            raise ParameterError(f"figure {self.name}: unknown shape {self.shape!r}")

    @property
    def dtype(self) -> str:
        """``int``, ``float`` or ``str``: the column type in tables and the store."""
        if self.unit == "count":
            return "int"
        return "str" if self.unit == "text" else "float"

    def display(self, value: Any) -> str:
        """``value`` for people, with the precision its unit deserves ("n/a" when missing)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        unit = self.unit
        if unit == "count":
            return f"{round(value):,}"
        if unit == "share":
            return f"{100 * value:.1f}%"
        if unit in ("per_hour", "per_min"):
            return f"{value:,.1f} {UNITS[unit]}"
        if unit == "s":
            if abs(value) >= 3600:
                return f"{value / 3600:,.2f} h"
            return f"{value / 60:.1f} min" if abs(value) >= 120 else f"{value:.2f} s"
        if unit == "min":
            return f"{value:,.2f} min"
        if unit == "ratio":
            return f"{value:.2f}x"
        if unit == "p":
            return "< 0.001" if value < 0.001 else f"{value:.3f}"
        if unit == "days":
            return f"{round(value):,} days"
        if unit == "number":
            digits = 1 if abs(value) >= 100 else 2 if abs(value) >= 10 else 3
            return f"{value:,.{digits}f}"
        return str(value)

    def to_dict(self) -> dict[str, str]:
        """The catalogue entry as JSON (``attunement measures --json``)."""
        return {
            "name": self.name,
            "unit": self.unit,
            "label": self.label,
            "definition": self.definition,
            "source": self.source,
            "shape": self.shape,
        }
