"""The family view (``attunement report FILE... --coach``): one page per visit and a progress
page, in the coach's language, for a home visitor to go through with a parent; and the same
content as data (``FamilyReport.data``, the ``--json`` output).

A visit page: the child's age, the audio recorded, the coach's sentences (``report.i18n``
templates, filled with rounded facts and ranges), the three figures with their catalogue labels
and likely ranges, the hour-by-hour picture and the strength moments (``report.strengths``). A
visit below the data-quality minimum (``report.visits``) gets one gentle sentence instead of
figures. The progress page compares each later visit with the first (``report.progress``).
Sources are listed for what was said: general knowledge is cited as general knowledge,
rupture-and-repair only where coded affect was measured. The researcher's numbers follow in a
``<details>`` element (English) that is not printed.

Print: each visit and the progress page fill one A4 or Letter page (``PRINT_CSS``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from babel.lists import format_list

from attunement.recording import Recording
from attunement.report import coach, figures, progress
from attunement.report import html as h
from attunement.report.build import REPORT_SETTINGS
from attunement.report.family_plots import hourly_figure, progress_figure
from attunement.report.i18n import Language, language
from attunement.report.recording_section import render
from attunement.report.strengths import above_chance
from attunement.report.visits import MIN_HOURS, Visit, visits

SHOWN = ("recorded_s", "turns", "turns_per_hour", "child_serves", "response_rate", "chance_ratio")
EXCERPT_LINES = 3
PRINT_CSS = """
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1em; top: 1em; background: #fff; padding: 0.3em; }
section.page { border-top: 3px solid #1f3f66; margin-top: 2em; }
section.page h2 { border: 0; margin-top: 0.6em; }
.facts td:first-child { max-width: 28em; }
ol.moments li { margin: 0.3em 0; }
blockquote { margin: 0.2em 0 0.2em 1em; color: #333; font-size: 0.9em; }
.quality { background: #fff8e6; border: 1px solid #e0c98a; border-radius: 8px; padding: 0.6em 1em; }
@media (max-width: 480px) { body { padding: 0.5em 0.8em 3em; font-size: 14px; } }
@media print {
  @page { size: A4; margin: 10mm 12mm; }
  body { font-size: 10pt; line-height: 1.35; max-width: none; padding: 0; }
  h1 { font-size: 14pt; margin: 0; }
  h2 { font-size: 12.5pt; }
  h3 { font-size: 10.5pt; margin: 0.5em 0 0.2em; }
  .meta { margin: 0.2em 0; }
  section.page { break-after: page; border: 0; margin: 0; }
  section.page:last-of-type { break-after: auto; }
  section.page figure { margin: 0.3em 0; break-inside: avoid; }
  section.page svg { max-height: 58mm; width: auto; max-width: 100%; }
  section.progress svg { max-height: 72mm; }
  figcaption { font-size: 8.5pt; }
  .coach { padding: 0.2em 0.8em; }
  .coach p { margin: 0.25em 0; font-size: 10pt; }
  .research, .skip { display: none; }
  table { font-size: 8.5pt; margin: 0.3em 0; }
  ol.moments li { margin: 0.1em 0; }
}
"""


@dataclass
class FamilyReport:
    """The family view's HTML and its data (``--json``)."""

    html: str
    data: dict[str, Any]


def family_report(
    recordings: Sequence[Recording],
    *,
    lang: str = "en",
    child_name: str | None = None,
    dates: Mapping[str, date] | None = None,
    birth_date: date | None = None,
    min_hours: float = MIN_HOURS,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    common: Mapping[str, Any] | None = None,
    words: bool = True,
) -> FamilyReport:
    """The family view of ``recordings`` (the visits of one child; see the module docstring)."""
    words_ = language(lang)
    seen, ordered_by = visits(
        recordings,
        settings=REPORT_SETTINGS if settings is None else settings,
        common=common,
        dates=dates,
        birth_date=birth_date,
        min_hours=min_hours,
    )
    cited: dict[str, None] = {}
    pages, data_visits, said = [], [], []
    for n, visit in enumerate(seen, 1):
        lines = _visit_sentences(visit, words_, min_hours)
        said += lines
        pages.append(_visit_page(n, visit, lines, words_, words=words))
        data_visits.append(_visit_data(visit, lines))
        if visit.moments:
            cited["moments"] = None
        if "repair" in visit.analysis.results and visit.quality == "ok":
            cited["repair"] = None
    progress_lines = _progress_sentences(seen, words_)
    general = coach.sentences(
        {"turns": "yes"} if any(v.turns is not None for v in seen) else {},
        "general",
        {"general": words_.sentences("general")},
    )
    if general:
        cited = {"research": None, **cited}
    if len(seen) > 1:
        cited["change"] = None
    order = words_.word("order_date" if ordered_by == "date" else "order_file")
    said += [order, *progress_lines, *general]
    pages.append(_progress_page(seen, words_, order, progress_lines, general, list(cited)))
    title = (
        words_.word("page_title_named", child_name=child_name)
        if child_name
        else words_.word("page_title")
    )
    research = _research(seen, words_, words=words)
    html = _document(title, _subtitle(len(seen), words_), "".join(pages) + research, words_)
    data = {
        "lang": lang,
        "child_name": child_name,
        "ordered_by": ordered_by,
        "min_hours": min_hours,
        "visits": data_visits,
        "sentences": said,
    }
    return FamilyReport(html=html, data=data)


# -- sentences -------------------------------------------------------------------------------


def _visit_sentences(visit: Visit, lang: Language, min_hours: float) -> list[str]:
    if visit.quality != "ok":
        facts = {
            visit.quality: "yes",
            "hours": lang.hours(visit.hours * 3600),
            "min_hours": lang.hours(min_hours * 3600),
        }
        return coach.sentences(facts, "quality", {"quality": lang.sentences("quality")})
    t = visit.turns
    facts: dict[str, str] = {
        "hours": lang.hours(t.recorded_s),
        "child_serves": lang.number(t.child_serves),
        "window_s": lang.number(t.parameters["window_s"], 0),
    }
    tph = visit.estimates["turns_per_hour"]
    if tph.value is not None:
        facts["tph"] = lang.number(_round(tph.value, 5))
        span = tph.range()
        if span is not None:
            low, high = _outward(span, 5, floor=0)
            facts["tph_low"], facts["tph_high"] = lang.number(low), lang.number(high)
    rate = visit.estimates["response_rate"]
    if rate.value is not None:
        facts["answered"] = lang.number(_round(100 * rate.value, 5))
        span = rate.range()
        if span is not None:
            low, high = _outward((100 * span[0], 100 * span[1]), 5, floor=0, ceiling=100)
            facts["answered_low"], facts["answered_high"] = lang.number(low), lang.number(high)
    if t.chance_ratio is not None:
        facts["above_chance" if above_chance(t) else "near_chance"] = "yes"
    r = visit.analysis.results.get("repair")
    if r is not None:
        facts |= {
            "repairs": lang.number(r.repairs),
            "mismatch_episodes": lang.number(r.mismatch_episodes),
        }
        if r.matching_proportion is not None:
            facts["in_step_pct"] = lang.percent(r.matching_proportion)
    return coach.sentences(facts, "visit", {"visit": lang.sentences("visit")})


def _progress_sentences(seen: list[Visit], lang: Language) -> list[str]:
    """One sentence per later visit listing its changes, then notes on "fewer" and "not
    enough data" when either was said."""
    templates = {"progress": lang.sentences("progress")}
    out, kinds = [], set()
    for n, visit in enumerate(seen[1:], 2):
        items = [
            lang.word("change_item", figure=lang.label(name), change=lang.word(f"change_{c}"))
            for name, c in visit.changes.items()
        ]
        kinds |= set(visit.changes.values())
        facts = {"changes": format_list(items, locale=lang.lang), "n": str(n)}
        out += coach.sentences(facts, "progress", templates)
    notes = {k: "yes" for k in kinds & {"fewer", "not_enough_data"}}
    return out + coach.sentences(notes, "progress", templates)


def _round(value: float, step: int) -> int:
    return int(step * round(value / step)) if value >= 2 * step else round(value)


def _outward(span, step: int, floor: float | None = None, ceiling: float | None = None):
    """A range widened to multiples of ``step`` (never narrowed: no false precision)."""
    low, high = math.floor(span[0] / step) * step, math.ceil(span[1] / step) * step
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    return low, high


# -- pages -----------------------------------------------------------------------------------


def _visit_page(n: int, visit: Visit, said: list[str], lang: Language, *, words: bool) -> str:
    heading = (
        lang.word("visit_heading", n=n, date=lang.date(visit.date))
        if visit.date
        else lang.word("visit_heading_undated", n=n)
    )
    if visit.dated_by == "given":
        heading += " " + lang.word("dated_given")
    age = (
        lang.word("age", age=lang.age(visit.age_days))
        if visit.age_days is not None and visit.age_days >= 0
        else lang.word("age_unknown")
    )
    meta = " · ".join(
        (
            age,
            lang.word("recorded", hours=lang.hours(visit.hours * 3600)),
            lang.word("recording", name=visit.recording.id),
        )
    )
    parts = [
        f'<section class="page visit" id="visit-{n}" aria-labelledby="visit-{n}-h">',
        f'<h2 id="visit-{n}-h">{h.esc(heading)}</h2><p class="meta">{h.esc(meta)}</p>',
    ]
    box = "".join(h.paragraph(s) for s in said)
    if visit.quality != "ok":
        parts.append(f'<div class="coach quality">{box}</div>')
    else:
        parts.append(f'<div class="coach">{box}</div>')
        parts.append(_facts_table(visit, lang))
        parts.append(_hourly(visit, lang))
    parts.append(_moments(visit, lang, words=words))
    parts.append("</section>")
    return "".join(parts)


def _facts_table(visit: Visit, lang: Language) -> str:
    t = visit.turns
    rows = []
    for name in SHOWN:
        value = getattr(t, name)
        estimate = visit.estimates.get(name)
        span = estimate.range() if estimate is not None else None
        rows.append(
            (
                lang.label(name),
                _value(name, value, lang),
                lang.word(
                    "range", low=_value(name, span[0], lang), high=_value(name, span[1], lang)
                )
                if span
                else ("" if estimate is None else lang.word("no_range")),
            )
        )
    head = (lang.word("what_counted"), lang.word("this_visit"), lang.word("likely_range"))
    return h.table(head, rows).replace("<table>", '<table class="facts" tabindex="0">', 1)


def _value(name: str, value: float | None, lang: Language) -> str:
    if value is None:
        return "–"
    if name == "recorded_s":
        return lang.hours(value)
    if name == "response_rate":
        return f"{lang.percent(max(0.0, min(1.0, value)))} %"
    if name == "chance_ratio":
        return f"{lang.number(max(value, 0.0), 1)} ×"
    return lang.number(max(value, 0.0))


def _hourly(visit: Visit, lang: Language) -> str:
    t = visit.turns
    bins = t.bins_1h
    if bins is None or not bins.height:
        return ""
    best = bins.row(int(bins["turns"].arg_max()), named=True)
    when = (
        lang.time(best["bin_start"])
        if best["bin_start"] is not None
        else lang.word("axis_elapsed") + f" {int(best['elapsed_s'] // 3600) + 1}"
    )
    span = _hour_span(bins)
    alt = lang.word(
        "hourly_alt",
        best=lang.number(best["turns"]),
        when=when,
        gaps=lang.number(span - bins.height),
    )
    svg = _labelled(figures.svg(hourly_figure(t, lang)), alt)
    return f"<h3>{h.esc(lang.word('hourly_heading'))}</h3>" + h.figure(
        svg, lang.word("hourly_caption"), "coach-hourly"
    )


def _hour_span(bins: pl.DataFrame) -> int:
    """Hours from the first to the last bin (recorded or not)."""
    if bins["bin_start"].null_count() == 0:
        first, last = bins["bin_start"].min(), bins["bin_start"].max()
        return int((last - first).total_seconds() // 3600) + 1
    return int(bins["elapsed_s"].max() // 3600) + 1


def _moments(visit: Visit, lang: Language, *, words: bool) -> str:
    if visit.turns is None:
        return ""
    head = f"<h3>{h.esc(lang.word('moments_heading'))}</h3>"
    if not visit.moments:
        return head + h.paragraph(lang.word("moments_none"))
    items = []
    for m in visit.moments:
        fields = {"duration": lang.duration(m.duration_s), "turns": lang.number(m.turns)}
        text = (
            lang.word("moment_clock", time=lang.time(m.clock), **fields)
            if m.clock is not None
            else lang.word("moment_elapsed", time=m.to_dict()["start"], **fields)
        )
        items.append(f"<li>{h.esc(text)}{_excerpt(visit.recording, m, lang) if words else ''}</li>")
    return (
        head
        + h.paragraph(lang.word("moments_note"), "meta")
        + f'<ol class="moments">{"".join(items)}</ol>'
    )


def _excerpt(rec: Recording, moment, lang: Language) -> str:
    """A few transcript lines of the moment (only when the recording kept its words)."""
    if not rec.keep_text or "text" not in rec.segments.columns:
        return ""
    lo, hi = moment.start_s * 1000, (moment.start_s + moment.duration_s) * 1000
    lines = rec.segments.filter(
        pl.col("text").is_not_null()
        & (pl.col("text") != "")
        & pl.col("segment_onset").is_between(lo, hi)
    ).head(EXCERPT_LINES)
    if not lines.height:
        return ""
    said = "<br>".join(
        f"{h.esc(who)}: {h.esc(text)}"
        for who, text in lines.select("speaker_id", "text").iter_rows()
    )
    return f'<blockquote aria-label="{h.esc(lang.word("excerpt"))}">{said}</blockquote>'


def _progress_page(seen, lang: Language, order: str, said, general, cited) -> str:
    parts = [
        '<section class="page progress" id="progress" aria-labelledby="progress-h">',
        f'<h2 id="progress-h">{h.esc(lang.word("progress_heading"))}</h2>',
        h.paragraph(order, "meta"),
    ]
    interval = any(e.basis == "interval" for v in seen for e in v.estimates.values())
    if len(seen) > 1:
        parts.append(h.paragraph(lang.word("band_interval" if interval else "band_hours"), "meta"))
    svg = _labelled(figures.svg(progress_figure(seen, lang)), _progress_alt(seen, lang))
    parts.append(h.figure(svg, lang.word("progress_caption"), "coach-progress"))
    parts.append(_progress_table(seen, lang))
    parts.append(f'<div class="coach">{"".join(h.paragraph(s) for s in said)}</div>')
    if general:
        parts.append(f"<h3>{h.esc(lang.word('general_heading'))}</h3>")
        parts += [h.paragraph(s) for s in general]
    parts.append(f"<h3>{h.esc(lang.word('sources_heading'))}</h3>")
    parts.append(
        "<ul>"
        + "".join(f'<li class="source">{h.esc(lang.source(k))}</li>' for k in cited)
        + "</ul>"
    )
    parts.append("</section>")
    return "".join(parts)


def _progress_alt(seen, lang: Language) -> str:
    items = []
    for name in progress.FIGURES:
        changes = ", ".join(
            lang.word("progress_alt_visit", n=n, change=lang.word(f"change_{v.changes[name]}"))
            for n, v in enumerate(seen, 1)
        )
        items.append(lang.word("progress_alt_item", figure=lang.label(name), changes=changes))
    return lang.word("progress_alt", n=len(seen), summary=" ".join(items))


def _progress_table(seen, lang: Language) -> str:
    head = [lang.word("table_visit"), lang.word("table_date"), lang.word("table_age")]
    head += [lang.label(name) for name in progress.FIGURES]
    rows = []
    for n, v in enumerate(seen, 1):
        row = [
            str(n),
            lang.date(v.date) if v.date else lang.word("no_date"),
            lang.age(v.age_days)
            if v.age_days is not None and v.age_days >= 0
            else lang.word("not_known"),
        ]
        for name in progress.FIGURES:
            e = v.estimates.get(name)
            shown = _value(name, e.value, lang) if e is not None and e.value is not None else "–"
            row.append(f"{shown} ({lang.word('change_' + v.changes[name])})")
        rows.append(row)
    return h.table(head, rows).replace("<table>", '<table tabindex="0">', 1)  # it may scroll


def _research(seen, lang: Language, *, words: bool) -> str:
    if lang.lang != "en":
        inner = h.paragraph(lang.word("research_elsewhere"), "meta")
    else:
        parts = [
            f'<section class="recording">{render(v.analysis, words=words)[0]}</section>'
            for v in seen
        ]
        inner = h.details(lang.word("research_heading"), "".join(parts))
    return f'<section class="research">{inner}</section>'


def _labelled(svg: str, alt: str) -> str:
    """The SVG with its alt text (``aria-label``) stating the picture's message."""
    return svg.replace('<svg role="img" ', f'<svg role="img" aria-label="{h.esc(alt)}" ', 1)


def _subtitle(n: int, lang: Language) -> str:
    count = lang.word("visits_count_one") if n == 1 else lang.word("visits_count", n=n)
    return lang.word("subtitle", visits=count, date=lang.date(datetime.now(UTC).date()))


def _document(title: str, subtitle: str, body: str, lang: Language) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang.lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{h.esc(title)}</title><style>{h.CSS}{PRINT_CSS}</style></head><body>"
        f'<a class="skip" href="#progress">{h.esc(lang.word("skip_link"))}</a>'
        f'<main><h1>{h.esc(title)}</h1><p class="meta">{h.esc(subtitle)}</p>{body}</main>'
        "</body></html>\n"
    )


def _visit_data(visit: Visit, said: list[str]) -> dict[str, Any]:
    ok = visit.quality == "ok"

    def value(name: str):
        e = visit.estimates.get(name)
        return None if not ok or e is None or e.value is None else round(e.value, 4)

    def span(name: str):
        e = visit.estimates.get(name)
        r = e.range() if e is not None else None
        return None if not ok or r is None else [round(r[0], 4), round(r[1], 4)]

    return {
        "recording_id": visit.recording.id,
        "date": visit.date.isoformat() if visit.date else None,
        "age_days": visit.age_days,
        "hours": round(visit.hours, 2),
        "quality": visit.quality,
        "turns_per_hour": value("turns_per_hour"),
        "response_rate": value("response_rate"),
        "chance_ratio": value("chance_ratio"),
        "ranges": {name: span(name) for name in progress.FIGURES},
        "change": visit.changes.get("turns_per_hour", "not_enough_data"),
        "changes": dict(visit.changes),
        "strength_moments": [m.to_dict() for m in visit.moments],
        "sentences": said,
    }
