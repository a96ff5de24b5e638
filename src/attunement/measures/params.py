"""Parameters of measure families and their one validator.

A ``Param`` declares a parameter once: its ``name`` (one vocabulary across the package:
``n_resamples`` for resample counts, ``seed`` for seeds, times in seconds with an ``_s``
suffix), its ``kind``, default, one-line help and bounds. ``validate`` checks a dict of values
against the declarations, fills the defaults and raises ``ParameterError`` with the same wording
everywhere: ``"<owner>: <name> must be <what>, got <value>"``.

Kinds: ``seconds`` (a finite number of seconds, >= ``minimum``, 0 by default), ``count`` (a
whole number >= ``minimum``), ``seed`` (a whole number from 0 to 2**63 - 1), ``fraction`` (a
number from 0 to 1), ``option`` (one of ``choices``), ``flag`` (true or false), ``labels`` (a
list of labels, or None), ``text`` (a string, or None), ``rate`` (a sampling rate in Hz > 0).

Expensive parameters carry a ``cap``: a value above it is refused unless the caller passes
``allow_large=True`` (the command line's ``--allow-large``), so a typo such as
``--n-resamples 1e8`` cannot occupy a machine for hours. Whatever the declared bounds, no value
is above its kind's ``CEILING`` (seconds become int64 milliseconds, counts int64 indices).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from attunement.errors import ParameterError

KINDS = ("seconds", "count", "seed", "fraction", "option", "flag", "labels", "text", "rate")
SEED_MAX = 2**63 - 1
CEILING = {"seconds": 1e9, "count": 2**62, "rate": 1e6}  # 1e9 s: 31 years


@dataclass(frozen=True)
class Param:
    """One parameter: name, kind, default and help (see the module docstring)."""

    name: str
    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: float = 0
    maximum: float | None = None
    cap: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ParameterError(f"parameter {self.name}: unknown kind {self.kind!r}")

    def requirement(self) -> str:
        """What a valid value is, in words (the help and every error use it)."""
        upper = "" if self.maximum is None else f" and <= {self.maximum:g}"
        return {
            "seconds": f"a number of seconds >= {self.minimum:g}{upper}",
            "count": f"a whole number >= {self.minimum:g}{upper}",
            "seed": "a whole number from 0 to 2**63 - 1",
            "fraction": "a number from 0 to 1",
            "option": "one of " + ", ".join(self.choices),
            "flag": "true or false",
            "labels": "a list of labels",
            "text": "a text",
            "rate": "a rate in Hz > 0",
        }[self.kind]

    def check(self, value: Any, owner: str, *, allow_large: bool = False) -> Any:
        """``value`` checked and normalised (tuples for labels, float seconds, int counts)."""
        if value is None and (self.default is None or self.kind in ("labels", "text")):
            return None
        ok, normal = _normalise(self, value)
        if not ok:
            raise ParameterError(
                f"{owner}: {self.name} must be {self.requirement()}, got {value!r}"
            )
        ceiling = CEILING.get(self.kind)
        if ceiling is not None and normal > ceiling:
            raise ParameterError(f"{owner}: {self.name} must be at most {ceiling:g}, got {value!r}")
        if self.cap is not None and not allow_large and normal > self.cap:
            raise ParameterError(
                f"{owner}: {self.name} = {normal:,} is above the default cap of {self.cap:,g}; "
                "pass --allow-large (allow_large=True) to run it anyway"
            )
        return normal

    def parse(self, text: str, owner: str) -> Any:
        """A value written as text (command line, spec strings) in this parameter's type: numbers
        for seconds, counts and seeds, ``true``/``yes``/``1`` for flags, ``|``-separated labels."""
        text = text.strip()
        if self.kind == "labels":
            return tuple(x.strip() for x in text.split("|") if x.strip())
        if self.kind == "flag":
            lowered = text.lower()
            if lowered not in ("true", "yes", "1", "false", "no", "0"):
                raise ParameterError(f"{owner}: {self.name} must be true or false, got {text!r}")
            return lowered in ("true", "yes", "1")
        if self.kind in ("seconds", "fraction", "count", "seed", "rate"):
            try:
                number = float(text)
            except ValueError:
                raise ParameterError(
                    f"{owner}: {self.name} must be {self.requirement()}, got {text!r}"
                ) from None
            return int(number) if self.kind in ("count", "seed") and number.is_integer() else number
        return text

    def to_dict(self) -> dict[str, Any]:
        """The declaration as JSON (``attunement measures --json``)."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "default": list(self.default) if isinstance(self.default, tuple) else self.default,
            "help": self.help,
            "requirement": self.requirement(),
        }
        if self.cap is not None:
            out["cap"] = self.cap
        return out


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _normalise(p: Param, value: Any) -> tuple[bool, Any]:
    upper = math.inf if p.maximum is None else p.maximum
    if p.kind == "seconds":
        return (_number(value) and p.minimum <= value <= upper), (
            float(value) if _number(value) else None
        )
    if p.kind == "count":
        whole = _number(value) and float(value).is_integer()
        return (whole and p.minimum <= value <= upper), (int(value) if whole else None)
    if p.kind == "seed":
        whole = _number(value) and float(value).is_integer()
        return (whole and 0 <= value <= SEED_MAX), (int(value) if whole else None)
    if p.kind == "fraction":
        return (_number(value) and 0 <= value <= 1), (float(value) if _number(value) else None)
    if p.kind == "rate":
        return (_number(value) and value > 0), (float(value) if _number(value) else None)
    if p.kind == "option":
        return value in p.choices, value
    if p.kind == "flag":
        return isinstance(value, bool), value
    if p.kind == "labels":
        if isinstance(value, str) or not isinstance(value, Iterable):
            return False, None
        labels = tuple(value)
        return all(isinstance(x, str) and x for x in labels), labels
    return isinstance(value, str), value


def validate(
    params: Iterable[Param],
    values: Mapping[str, Any],
    owner: str,
    *,
    allow_large: bool = False,
) -> dict[str, Any]:
    """Every declared parameter, from ``values`` where given (``None`` means "the default") and
    from its default otherwise; unknown names and invalid values raise ``ParameterError``."""
    declared = {p.name: p for p in params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ParameterError(
            f"{owner}: unknown parameter {', '.join(unknown)}; "
            f"its parameters are {', '.join(declared)}"
        )
    out = {}
    for name, p in declared.items():
        given = values.get(name)
        out[name] = p.check(p.default if given is None else given, owner, allow_large=allow_large)
    return out
