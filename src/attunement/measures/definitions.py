"""The definitions version: one number that changes whenever a figure's definition does.

Numbers from two releases are comparable when their definitions are the same. ``VERSION`` is
raised by hand when the meaning of any built-in figure changes: its unit, its one-line
definition, or a parameter default that the measure uses. ``definitions.json`` pins, for the
current version, a short fingerprint of every figure (``family.figure``: unit, shape,
definition) and parameter default (``family.parameter``) of the built-in families;
``tests/test_definitions.py`` fails when a pinned fingerprint no longer matches the catalogue, so a
changed definition cannot ship under the old number. New figures and families need no new
version (they change no existing number); re-pin to cover them:

    python -m attunement.measures.definitions --pin

``digest()`` fingerprints the whole catalogue in force, a lab's own families included; every
export records it beside ``VERSION`` and the package version.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

VERSION = 1
PINNED = Path(__file__).with_name("definitions.json")


def _short(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def fingerprints(builtin_only: bool = True) -> dict[str, str]:
    """``family.figure`` and ``family.parameter`` -> fingerprint, for every registered family
    (the built-in ones only, by default)."""
    from attunement.measures.registry import BUILTIN, families

    out = {}
    for family in families():
        if builtin_only and family.name not in BUILTIN:
            continue
        for f in family.figures:
            out[f"{family.name}.{f.name}"] = _short([f.unit, f.shape, f.definition])
        for p in family.parameters:
            out[f"{family.name}.{p.name}"] = _short(["default", p.default])
    return out


def digest() -> str:
    """A fingerprint of the whole catalogue in force (every registered family)."""
    return _short(sorted(fingerprints(builtin_only=False).items()))


def pinned() -> dict:
    """The pinned fingerprints: ``{"version": n, "fingerprints": {...}}``."""
    return json.loads(PINNED.read_text(encoding="utf-8"))


def changed() -> list[str]:
    """Pinned figures and parameters whose fingerprint differs from the catalogue's, or that are
    gone: each needs a new ``VERSION``."""
    now = fingerprints()
    return sorted(k for k, v in pinned()["fingerprints"].items() if now.get(k) != v)


def pin() -> None:
    """Write ``definitions.json`` for ``VERSION`` from the catalogue in force."""
    body = {"version": VERSION, "fingerprints": fingerprints()}
    PINNED.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    if sys.argv[1:] == ["--pin"]:
        pin()
        print(f"pinned {len(fingerprints())} definitions for version {VERSION} in {PINNED}")
    else:
        print(f"definitions version {VERSION}; changed since pinned: {changed() or 'none'}")
