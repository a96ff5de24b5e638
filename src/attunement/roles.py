"""Role maps are data: a label -> speaker_type table per reader, overridable from a file.

A map file is JSON or YAML holding one object ``{label: speaker_type}``, for example
``{"Mother": "FEM", "Grandpa": "MAL"}``. A user map is laid over the reader's default map; labels
found in neither are mapped to ``UNK`` and counted in the Recording's warnings, never dropped.
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
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RoleMapError(f"{origin}: cannot read role map ({exc})") from exc
        try:
            data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise RoleMapError(f"{origin}: not valid JSON/YAML ({exc})") from exc
    if not isinstance(data, Mapping):
        raise RoleMapError(f"{origin}: a role map must be one object of label: speaker_type")
    out: RoleMap = {}
    for label, value in data.items():
        kind = str(value).strip().upper()
        if kind not in SPEAKER_TYPES:
            raise RoleMapError(
                f"{origin}: label {label!r} maps to {value!r}; speaker_type must be one of "
                f"{', '.join(SPEAKER_TYPES)}"
            )
        out[str(label).strip()] = kind
    return out


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
