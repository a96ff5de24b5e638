"""The HTML page of a report: skeleton, inline CSS, and the pieces (sections, figures, tables,
``<details>`` toggles) that every report is made of.

Every value that comes from data (file names, speaker ids, codes, numbers) goes through ``esc``;
figures are inline SVG and the style sheet is inline, so a page needs no network and no script.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
  max-width: 1100px; margin: 0 auto; padding: 1em 1.5em 4em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 1.1em; margin-top: 1.5em; }
.meta { color: #555; }
figure { margin: 1.2em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #333; font-style: italic; margin-top: 0.3em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; display: block;
  overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
details { margin: 0.8em 0; }
details > summary { cursor: pointer; font-weight: 600; }
.coach { background: #f4f9f4; border: 1px solid #cfe3cf; border-radius: 8px;
  padding: 0.6em 1.2em; }
.coach p { font-size: 1.05em; }
.left-out { background: #fafafa; border-left: 4px solid #bbb; padding: 0.4em 1em; }
.source { color: #555; font-size: 0.85em; }
"""


_SHOWN_NUMBER = re.compile(
    r"^(< )?-?[\d.,]+(%|x| \w+)?$"
)  # a figure as ``Figure.display`` shows it


def esc(value: Any) -> str:
    """``value`` as text safe inside HTML elements and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def number(value: Any, digits: int = 3) -> str:
    """A number for a researcher's table: integers as they are, floats to ``digits`` places,
    ``None`` as an empty cell marker."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """An HTML table; numbers are right-aligned and every cell is escaped."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for value in row:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            shown = isinstance(value, str) and _SHOWN_NUMBER.match(value) is not None
            cls = ' class="num"' if numeric or shown or value is None else ""
            cells.append(f"<td{cls}>{esc(number(value))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def key_values(items: Iterable[tuple[str, Any]]) -> str:
    """A two-column table of names and values."""
    return table(("measure", "value"), items)


def figure(svg: str, caption: str, name: str) -> str:
    """An inline SVG figure with its one-line caption; ``name`` marks what it shows. A drawing
    without alt text (``aria-label``) gets the caption as its alt text."""
    head = svg[: svg.find(">")]
    if head.startswith('<svg role="img" ') and "aria-label" not in head:
        svg = svg.replace('<svg role="img" ', f'<svg role="img" aria-label="{esc(caption)}" ', 1)
    return (
        f'<figure data-figure="{esc(name)}">{svg}<figcaption>{esc(caption)}</figcaption></figure>'
    )


def details(summary: str, content: str, *, open_: bool = False) -> str:
    """A section the reader opens with one click (no script needed)."""
    state = " open" if open_ else ""
    return f"<details{state}><summary>{esc(summary)}</summary>{content}</details>"


def left_out(reasons: Sequence[tuple[str, str]]) -> str:
    """The list of sections not shown, each with the reason (escaped)."""
    if not reasons:
        return ""
    items = "".join(f"<li><b>{esc(what)}</b>: {esc(why)}</li>" for what, why in reasons)
    return f'<div class="left-out"><p>Not shown here:</p><ul>{items}</ul></div>'


def paragraph(text: str, cls: str | None = None) -> str:
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def page(title: str, subtitle: str, body: str) -> str:
    """The whole self-contained document."""
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{esc(title)}</h1><p class="meta">{esc(subtitle)} · made {made} by attunement</p>'
        f"{body}</body></html>\n"
    )
