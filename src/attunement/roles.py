"""Role maps are data: a label -> speaker_type table per reader, overridable from a file.

A map file is JSON or YAML holding one object ``{label: speaker_type}``, for example
``{"Mother": "FEM", "Grandpa": "MAL"}``. A user map is laid over the reader's default map; labels
found in neither are mapped to ``UNK`` and counted in the Recording's warnings, never dropped.
A map file is at most ``MAX_MAP_BYTES`` long, and YAML aliases (``*name``) are refused: 310 bytes
of nested aliases would otherwise expand to more memory than the machine has.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from attunement.errors import ParameterError
from attunement.segments import SPEAKER_TYPES

RoleMap = dict[str, str]
MAX_MAP_BYTES = 1_000_000  # a map of thousands of labels is a few tens of kB


class _NoAliases(yaml.SafeLoader):
    """YAML's safe loader, refusing aliases: a role map never needs them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
        return super().compose_node(parent, index)


class RoleMapError(ParameterError):
    """A role map file or object is malformed."""


def load(source: str | Path | Mapping[str, str] | None) -> RoleMap:
    """A role map from a mapping, a ``.json``/``.yaml``/``.yml`` file, or ``None`` (empty)."""
    if source is None:
        return {}
    if isinstance(source, Mapping):
        data, origin = dict(source), "role map"
    else:
        path = Path(source)
        origin = str(path)
        raw = _read(path)
        try:
            data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.load(raw, _NoAliases)
        except yaml.MarkedYAMLError as exc:
            where = f" at line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
            raise RoleMapError(f"{origin}: not valid YAML ({exc.problem}{where})") from None
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise RoleMapError(f"{origin}: not valid JSON/YAML ({exc})") from exc
    if not isinstance(data, Mapping):
        raise RoleMapError(f"{origin}: a role map must be one object of label: speaker_type")
    out: RoleMap = {}
    for label, value in data.items():
        kind = value.strip().upper() if isinstance(value, str) else None
        if kind not in SPEAKER_TYPES:
            raise RoleMapError(
                f"{origin}: label {str(label)[:60]!r} maps to {repr(value)[:60]}; speaker_type "
                f"must be one of {', '.join(SPEAKER_TYPES)}"
            )
        out[str(label).strip()] = kind
    return out


def _read(path: Path) -> str:
    """A map file's text: a regular file of at most ``MAX_MAP_BYTES``, in UTF-8."""
    if not path.is_file():
        what = "not a regular file" if path.exists() else "no such file"
        raise RoleMapError(f"{path}: cannot read role map ({what})")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_MAP_BYTES + 1)
        if len(raw) > MAX_MAP_BYTES:
            raise RoleMapError(f"{path}: a role map is at most {MAX_MAP_BYTES:,} bytes")
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RoleMapError(f"{path}: cannot read role map ({exc})") from exc


def merge(default: Mapping[str, str], user: Mapping[str, str] | None) -> RoleMap:
    """The reader's default map with the user's entries laid over it."""
    merged = dict(default)
    merged.update(user or {})
    return merged


def apply(labels: Iterable[str], role_map: Mapping[str, str]) -> tuple[list[str], Counter]:
    """Map each label to a speaker_type; unknown labels become ``UNK`` and are counted."""
    unknown: Counter = Counter()
    out = []
    for label in labels:
        kind = role_map.get(label)
        if kind is None:
            unknown[label] += 1
            kind = "UNK"
        out.append(kind)
    return out, unknown


def unknown_warning(unknown: Counter, reader: str) -> list[str]:
    """The warning lines for labels no map knew (empty when there are none)."""
    if not unknown:
        return []
    listed = ", ".join(f"{label!r} ×{n}" for label, n in unknown.most_common())
    return [
        f"{sum(unknown.values())} segment(s) with label(s) not in the {reader} role map, "
        f"kept as speaker_type UNK: {listed}. Pass roles={{label: TYPE}} or a map file to set them."
    ]
