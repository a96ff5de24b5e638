"""Shared pieces of the report tests: a CLI with the report command, HTML parsing helpers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from attunement.cli import report
from attunement.cli.common import App
from attunement.simulate.coded_dyad import Phase, coded_dyad

DENYLIST = (
    "disorder",
    "abnormal",
    "deficit",
    "risk",
    "fail",
    "poor",
    "bad",
    "insecure",
    "disorganis",
    "disorganiz",
    "diagnos",
    "worry",
    "concern",
    "problem",
    "delay",
)


def report_app() -> App:
    """A local CLI with the report command registered as ``report`` (the callback keeps it a
    subcommand, as in the real CLI)."""
    app = App()
    app.callback()(lambda: None)
    app.command("report")(report.command)
    return app


def still_face_dyad():
    """A simulated coded dyad with FF, SF and RE phases (seeded)."""
    phases = [Phase("FF", 120, 0.7, 0.3), Phase("SF", 120, 0.3, 0.1), Phase("RE", 120, 0.6, 0.2)]
    return coded_dyad(phases=phases, seed=1, recording_id="dyad")


class Page(HTMLParser):
    """Every tag with its attributes, figure captions and the text of the coach section."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.captions: list[str] = []
        self.coach: list[str] = []
        self._caption: list[str] | None = None
        self._depth = 0  # depth inside <section id="coach">
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "figcaption":
            self._caption = []
        if self._depth:
            self._depth += tag == "section"
        elif tag == "section" and attributes.get("id") == "coach":
            self._depth = 1

    def handle_endtag(self, tag):
        if tag == "figcaption" and self._caption is not None:
            self.captions.append("".join(self._caption))
            self._caption = None
        if self._depth and tag == "section":
            self._depth -= 1

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        if self._depth:
            self.coach.append(data)

    @property
    def coach_text(self) -> str:
        return " ".join(self.coach)

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)

    def figures(self) -> list[str]:
        return [a["data-figure"] for t, a in self.tags if t == "figure"]


URL_IN_CSS = re.compile(r"url\(\s*['\"]?([^)'\"]*)")


def external_references(text: str) -> list[str]:
    """Every src/href/xlink:href value and CSS url() target that does not point inside the page
    (``#id``) or carry its content inline (``data:``, as matplotlib embeds a heat map)."""
    page = Page(text)
    found = [
        value or ""
        for _, attrs in page.tags
        for name, value in attrs.items()
        if name in ("src", "href", "xlink:href", "action", "data")
    ]
    found += URL_IN_CSS.findall(text)
    return [v for v in found if not v.startswith(("#", "data:"))]
