"""The result contract every measure family shares.

A result names its family (``family``, a key of ``measures.registry``), carries ``parameters``
(every parameter it used), ``source`` (the literature or reference implementation of its
definition), ``definition`` (in words) and ``warnings``, and holds each of its figures as a
typed attribute named as in the figure catalogue. From these the base derives:

- ``figures()``: the scalar figures, ``{name: value}``, in catalogue order;
- ``details()``: the detail figures (lists, mappings, tables), JSON-ready;
- ``to_dict()``: everything, JSON-ready (the command line's ``--json``);
- ``to_frame()``: the result's natural table (one row per turn, per cell, per window ...);
  by default one row of identity and scalar figures;
- ``summary()``: the scalar figures for people, one ``label: value`` line each, with the
  precision each unit deserves.

No face spells a figure's name: they all come from here and the catalogue.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import polars as pl

    from attunement.measures.registry import Family

META = ("family", "path", "recording_id", "parameters", "source", "definition", "warnings")


class Result:
    """Mixin for every result type (see the module docstring); subclasses are dataclasses that
    declare ``parameters``, ``source``, ``definition``, ``warnings`` and one attribute per
    figure of their family."""

    family: ClassVar[str]
    parameters: dict[str, Any]
    source: str
    definition: str
    warnings: list[str]

    @classmethod
    def spec(cls) -> Family:
        """This result's family in the registry (its parameters and figures)."""
        from attunement.measures.registry import family

        return family(cls.family)

    def identity(self) -> dict[str, Any]:
        """Which data the result is about (``path``, ``recording_id`` when it has them) and the
        family's key parameters (for example the turn ``rule``)."""
        out = {
            name: getattr(self, name) for name in ("path", "recording_id") if hasattr(self, name)
        }
        out.update({p: self.parameters.get(p) for p in self.spec().key_parameters})
        return out

    def figures(self) -> dict[str, Any]:
        """The scalar figures, ``{name: value}`` in catalogue order."""
        return {f.name: getattr(self, f.name) for f in self.spec().figures if f.shape == "scalar"}

    def details(self) -> dict[str, Any]:
        """The detail figures (lists, mappings, tables), JSON-ready."""
        return {
            f.name: jsonable(getattr(self, f.name))
            for f in self.spec().figures
            if f.shape == "detail"
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready: family, identity, figures, details, parameters, source,
        definition and warnings."""
        return {
            "family": self.family,
            **self.identity(),
            **jsonable(self.figures()),
            **self.details(),
            "parameters": jsonable(self.parameters),
            "source": self.source,
            "definition": self.definition,
            "warnings": list(self.warnings),
        }

    def to_frame(self) -> pl.DataFrame:
        """One row: identity and scalar figures (families with a natural table override this)."""
        import polars as pl

        return pl.DataFrame([{**self.identity(), **self.figures()}])

    def summary(self) -> str:
        """The scalar figures for people: a title line, then ``label: value`` per figure."""
        spec = self.spec()
        title = " ".join(str(v) for v in self.identity().values() if v not in (None, ""))
        lines = [f"{spec.title}: {title}" if title else spec.title]
        values = self.figures()
        for f in spec.figures:
            if f.shape == "scalar" and values[f.name] is not None:
                lines.append(f"  {f.label}: {f.display(values[f.name])}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays, polars frames, tuples, dates, NaN and objects with
    a ``to_dict()`` (nested results, problems) made JSON-ready (NaN and infinities become None)."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    kind = type(value).__module__.split(".")[0]
    if kind == "numpy":
        return jsonable(value.tolist())
    if kind == "polars":
        return jsonable(value.to_dicts())
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    return value
