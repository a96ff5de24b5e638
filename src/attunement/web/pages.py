"""Page rendering: one Jinja2 environment with autoescaping always on (every value from a file,
a store or a form is escaped; only SVG that the server drew itself is marked safe)."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from attunement.report.html import number

TEMPLATES = Path(__file__).parent / "templates"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda value, digits=2: number(value, digits)
    env.filters["pct"] = percent
    return env


class Pages:
    """``render(request, name, status, **context)`` -> an HTML response."""

    def __init__(self) -> None:
        self.templates = Jinja2Templates(env=environment())

    def render(self, request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def text(self, name: str, **context) -> str:
        return self.templates.env.get_template(name).render(**context)


def trusted_svg(text: str | None) -> Markup | None:
    """SVG drawn by this server's own plotting code, to be inlined unescaped."""
    return None if text is None else Markup(text)


def size_text(n_bytes: int) -> str:
    """A size for people: "200 MB", "1.5 GB", "512 KB" (1 MB = 1,048,576 bytes, as the limit
    flag ``--max-upload-mb`` counts)."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n_bytes >= size:
            return f"{n_bytes / size:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{n_bytes:,} bytes"


def rule_meanings() -> list[tuple[str, str]]:
    """Each turn rule with its one-line meaning (the ``turns`` family's declaration)."""
    from attunement.measures.families.turns import RULE_MEANINGS, RULE_NAMES

    return [(name, RULE_MEANINGS[name]) for name in RULE_NAMES]
