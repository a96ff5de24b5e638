"""The coach view's languages: every word it shows is data (``coach_lang/<lang>.json``), and
every number, date, time and duration is formatted for the locale with Babel (CLDR data).

A language file holds ``words`` (titles, headings, captions, alt texts, table heads: format
strings with ``{field}`` placeholders), ``sentences`` (lists of templates with ``needs`` and
``needs_none`` conditions, as ``report.coach``), ``sources`` (general knowledge, cited as such)
and ``figures``: the catalogue's label of each figure shown, by figure name. English takes its
figure labels from the catalogue itself (``attunement measures``); another language translates
them, keyed by the catalogue's names (a test checks the keys). Adding a language is adding one
file with the same keys (``tests/test_coach_i18n.py`` fails on a missing or English string).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from babel.units import format_unit

from attunement.errors import ParameterError
from attunement.measures.registry import family

LANGUAGES = ("en", "es")


@cache
def _file(lang: str) -> dict[str, Any]:
    folder = resources.files(__package__).joinpath("coach_lang")
    return json.loads(folder.joinpath(f"{lang}.json").read_text("utf-8"))


@dataclass(frozen=True)
class Language:
    """One language's words and the locale's formats."""

    lang: str
    data: dict[str, Any]

    def word(self, key: str, **fields: Any) -> str:
        """The text ``key`` of ``words``, its ``{fields}`` filled in."""
        return self.data["words"][key].format(**fields)

    def sentences(self, kind: str) -> list[dict[str, Any]]:
        return self.data["sentences"][kind]

    def source(self, key: str) -> str:
        return self.data["sources"][key]

    def label(self, figure: str) -> str:
        """The label of a catalogue figure (the catalogue's own in English)."""
        if self.lang == "en":
            return family("turns").figure(figure).label
        return self.data["figures"][figure]

    def number(self, value: float, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, pattern, locale=self.lang)

    def percent(self, share: float) -> str:
        """A share as a whole percentage number (the ``%`` is in the template)."""
        return format_decimal(round(100 * share), "#,##0", locale=self.lang)

    def date(self, day: date) -> str:
        return format_date(day, "long", locale=self.lang)

    def time(self, moment: datetime) -> str:
        return format_time(moment, "short", locale=self.lang)

    def hours(self, seconds: float) -> str:
        """Recorded time: "6.3 hours", "45 minutes" below one hour."""
        if seconds < 3600:
            return self.unit(round(seconds / 60), "duration-minute")
        return format_unit(seconds / 3600, "duration-hour", "long", "#,##0.#", locale=self.lang)

    def duration(self, seconds: float) -> str:
        """A moment's length: seconds below 90 s, else whole minutes."""
        if seconds < 90:
            return self.unit(max(1, round(seconds)), "duration-second")
        return self.unit(round(seconds / 60), "duration-minute")

    def age(self, days: int) -> str:
        """A child's age: weeks below 8 weeks, months below 2 years, then years and months."""
        if days < 56:
            return self.unit(days // 7, "duration-week")
        months = int(days / 30.4375)
        if months < 24:
            return self.unit(months, "duration-month")
        years, rest = divmod(months, 12)
        text = self.unit(years, "duration-year")
        return (
            text
            if not rest
            else self.word("years_months", years=text, months=self.unit(rest, "duration-month"))
        )

    def unit(self, value: float, unit: str) -> str:
        return format_unit(value, unit, "long", "#,##0", locale=self.lang)


def language(lang: str) -> Language:
    """The language ``lang`` (one of ``LANGUAGES``)."""
    if lang not in LANGUAGES:
        raise ParameterError(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return Language(lang, _file(lang))
