"""Lazy public names (PEP 562), so that ``import attunement`` and ``attunement --help`` load no
numerical library: a package maps each public name to where it lives, and the module holding it
is imported on first use.

``attributes(package, names)`` returns the package's module-level ``__getattr__`` and
``__dir__``. ``names`` maps a public name to ``"module:attribute"``, or to ``"module"`` for a
subpackage exposed whole (``attunement.attachment``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def attributes(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` (see the module docstring)."""

    def __getattr__(name: str) -> Any:
        where = names.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attribute = where.partition(":")
        value = importlib.import_module(module)
        if attribute:
            value = getattr(value, attribute)
        setattr(sys.modules[package], name, value)  # later look-ups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
