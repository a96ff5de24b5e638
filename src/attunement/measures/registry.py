"""The registry of measure families: the one place that says which measures exist.

A ``Family`` declares its name, what it takes (``input``: ``recording`` for families that run
on one ``Recording``; ``sequences``, ``signals``, ``responses``, ``annotations`` (several
annotations of the same audio) for the others), its parameters
(``measures.params``), its figures (``measures.figures``: the figure catalogue is the union of
every family's figures), the parameters that identify a result (``key_parameters``, e.g. the
turn rule), the detail tables it stores in a corpus, and where its runner lives
(``"module:function"``, imported only when it runs, so listing families stays instant).

The corpus store, the report, the dashboard and the command line iterate over ``families()``;
none of them names a family's figures. The built-in families are declared in
``measures/families/``; ``register`` adds one more (a test's toy family, a lab's own measure).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from attunement.errors import ParameterError
from attunement.measures.figures import Figure
from attunement.measures.params import Param, validate

if TYPE_CHECKING:
    from attunement.measures.base import Result
    from attunement.recording import Recording

INPUTS = ("recording", "sequences", "signals", "responses", "annotations")
BUILTIN = (
    "turns",
    "sequential",
    "timed",
    "repair",
    "grid",
    "score",
    "styles",
    "wcc",
    "peaks",
    "recurrence",
    "agree",
    "agree_counts",
)


@dataclass(frozen=True)
class Family:
    """One measure family (see the module docstring).

    ``runner`` is ``"module:function"``; for ``input == "recording"`` the function is called as
    ``function(recording, **parameters)`` with validated parameters and returns a ``Result``, or
    raises ``DataError`` saying why the recording cannot support the measure. ``tables`` maps
    each detail table the family stores in a corpus to its columns and their types (``int``,
    ``float``, ``str``, ``bool``, ``datetime``); the result's ``tables()`` fills them.
    """

    name: str
    title: str
    summary: str
    input: str
    parameters: tuple[Param, ...]
    figures: tuple[Figure, ...]
    runner: str | Callable[..., Result]
    source: str = ""
    key_parameters: tuple[str, ...] = ()
    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.input not in INPUTS:
            raise ParameterError(f"family {self.name}: input must be one of {', '.join(INPUTS)}")
        names = [f.name for f in self.figures]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ParameterError(f"family {self.name}: figure(s) declared twice: {twice}")

    def parameter(self, name: str) -> Param:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters)
        raise ParameterError(f"{self.name}: unknown parameter {name}; its parameters are {known}")

    def figure(self, name: str) -> Figure:
        for f in self.figures:
            if f.name == name:
                return f
        raise ParameterError(f"{self.name}: no figure {name!r}")

    @property
    def scalars(self) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if f.shape == "scalar")

    def configure(self, values: Mapping[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """Every parameter validated, defaults filled in: the family's configuration."""
        return validate(self.parameters, {**(values or {}), **kw}, self.name)

    def run(self, recording: Recording, **values: Any) -> Result:
        """Run the family on one recording with validated parameters."""
        if self.input != "recording":
            raise ParameterError(f"{self.name} does not run on a recording (it takes {self.input})")
        return self.function()(recording, **self.configure(values))

    def function(self) -> Callable[..., Result]:
        """The runner, imported on first use."""
        if callable(self.runner):
            return self.runner
        module, _, name = self.runner.partition(":")
        return getattr(importlib.import_module(module), name)

    def to_dict(self) -> dict[str, Any]:
        """The declaration as JSON (``attunement measures --json``)."""
        return {
            "family": self.name,
            "title": self.title,
            "summary": self.summary,
            "input": self.input,
            "source": self.source,
            "parameters": [p.to_dict() for p in self.parameters],
            "figures": [f.to_dict() for f in self.figures],
        }


@dataclass(frozen=True)
class Outcome:
    """One family on one recording: its result, or the reason the recording cannot support it."""

    family: Family
    result: Result | None
    reason: str | None = None


def run_all(
    recording: Recording,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    common: Mapping[str, Any] | None = None,
    allow_large: bool = False,
) -> list[Outcome]:
    """Every family that runs on a recording, in registry order: the one place that decides
    which measures a report, the dashboard or a simulation shows. ``settings`` holds parameters
    per family name; ``common`` holds parameters (e.g. ``seed``, ``n_resamples``) given to every
    family that declares them. A family the data cannot support (``DataError``) gets its reason."""
    from attunement.errors import DataError

    outcomes = []
    for f in families("recording"):
        declared = {p.name for p in f.parameters}
        values = {k: v for k, v in (common or {}).items() if k in declared}
        values.update((settings or {}).get(f.name, {}))
        config = validate(f.parameters, values, f.name, allow_large=allow_large)
        try:
            outcomes.append(Outcome(f, f.function()(recording, **config)))
        except DataError as exc:
            outcomes.append(Outcome(f, None, str(exc)))
    return outcomes


_FAMILIES: dict[str, Family] = {}


def _load_builtin() -> None:
    if not _FAMILIES:
        for name in BUILTIN:
            module = importlib.import_module(f"attunement.measures.families.{name}")
            _FAMILIES.setdefault(module.FAMILY.name, module.FAMILY)


def families(input: str | None = None) -> list[Family]:
    """Every registered family (those taking ``input`` when given), built-ins first."""
    _load_builtin()
    return [f for f in _FAMILIES.values() if input is None or f.input == input]


def family(name: str) -> Family:
    """The family called ``name``; ``ParameterError`` naming the known ones otherwise."""
    _load_builtin()
    if name not in _FAMILIES:
        raise ParameterError(
            f"unknown measure family {name!r}; known: {', '.join(_FAMILIES)} "
            "(attunement measures lists them)"
        )
    return _FAMILIES[name]


def request(spec: str, *, allow_large: bool = False) -> tuple[Family, dict[str, Any]]:
    """A family and its validated configuration from ``"family"`` or
    ``"family:param=value,param=value"`` (labels separated by ``|``), as the command line and
    configuration files write them."""
    name, _, rest = spec.partition(":")
    chosen = family(name.strip())
    values: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, text = item.partition("=")
        if not sep:
            raise ParameterError(f"{spec}: write {chosen.name}:PARAMETER=VALUE[,PARAMETER=VALUE]")
        values[key.strip()] = chosen.parameter(key.strip()).parse(text, chosen.name)
    return chosen, validate(chosen.parameters, values, chosen.name, allow_large=allow_large)


def register(new: Family) -> Family:
    """Add a family (for a lab's own measure or a test); its name must be new."""
    _load_builtin()
    if new.name in _FAMILIES:
        raise ParameterError(f"a measure family called {new.name!r} is already registered")
    _FAMILIES[new.name] = new
    return new


def ensure(known: Family) -> Family:
    """``known`` registered in this process (a worker receiving a family registered in its
    parent process); a different family of the same name is an error."""
    _load_builtin()
    present = _FAMILIES.setdefault(known.name, known)
    if _identity(present) != _identity(known):
        raise ParameterError(f"two different measure families are called {known.name!r}")
    return present


def _identity(f: Family) -> tuple:
    """What makes two declarations the same family, also across a re-import of its module:
    the runner's qualified name, the parameters and the figures."""
    runner = (
        f.runner if isinstance(f.runner, str) else f"{f.runner.__module__}:{f.runner.__qualname__}"
    )
    return (f.name, runner, f.parameters, f.figures, f.key_parameters)


def unregister(name: str) -> None:
    """Remove a family added with ``register`` (built-ins stay)."""
    if name in BUILTIN:
        raise ParameterError(f"{name} is a built-in family and cannot be removed")
    _FAMILIES.pop(name, None)
