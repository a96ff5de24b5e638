"""The researcher's numbers of any result, from the figure catalogue: every scalar figure with
its label and value, the detail figures as tables, the parameters, the definition and the
source. Works for every registered family, a lab's own included, with no code per family."""

from __future__ import annotations

from typing import Any

from attunement.measures.base import Result, jsonable
from attunement.report import html as h

MAX_DETAIL_ROWS = 50  # longer details (5-minute bins, per-cell nulls) stay in --json


def section(result: Result) -> str:
    """One result's numbers as HTML."""
    spec = result.spec()
    keys = ", ".join(
        f"{p} {v}" for p, v in result.identity().items() if p not in ("path", "recording_id")
    )
    parts = [f"<h4>{h.esc(spec.title)}{f' ({h.esc(keys)})' if keys else ''}</h4>"]
    values = result.figures()
    parts.append(
        h.table(
            ("figure", "value", "name"),
            ((f.label, f.display(values[f.name]), f.name) for f in spec.scalars),
        )
    )
    details = result.details()
    for figure in spec.figures:
        value = details.get(figure.name)
        if figure.shape == "detail" and value not in (None, [], {}):
            parts.append(_detail(figure.label, value, getattr(result, "codes", None)))
    parts.append(h.key_values([("parameters", _plain(result.parameters))]))
    parts.append(h.paragraph(f"Definition: {result.definition}", "source"))
    parts.append(h.paragraph(f"Source: {result.source}", "source"))
    return "".join(parts)


def _plain(value: Any) -> str:
    """A parameters dict as ``name value`` pairs (no Python reprs)."""
    value = jsonable(value)
    if isinstance(value, dict):
        return "; ".join(f"{k} {_plain(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _detail(label: str, value: Any, codes: list[str] | None) -> str:
    """A detail figure as the table its shape suggests: rows of dicts, a dict of dicts (one
    row per key), a matrix over the result's codes, or name/value pairs."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        rows = value
    elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        rows = [{"": k, **v} for k, v in value.items()]
    elif isinstance(value, list) and codes and len(value) == len(codes):
        rows = [
            {"given \\ target": c, **dict(zip(codes, row, strict=False))}
            for c, row in zip(codes, value, strict=True)
        ]
    elif isinstance(value, dict):
        flat = {k: _plain(v) if isinstance(v, dict | list) else v for k, v in value.items()}
        return f"<h5>{h.esc(label)}</h5>" + h.key_values(flat.items())
    else:
        return f"<h5>{h.esc(label)}</h5>" + h.paragraph(_plain(value))
    if len(rows) > MAX_DETAIL_ROWS:
        return h.paragraph(f"{label}: {len(rows):,} rows (in the --json output)", "source")
    columns = list(dict.fromkeys(k for row in rows for k in row))
    cells = (
        [_plain(v) if isinstance(v, dict | list) else v for v in (row.get(c) for c in columns)]
        for row in rows
    )
    return f"<h5>{h.esc(label)}</h5>" + h.table(columns, cells)
