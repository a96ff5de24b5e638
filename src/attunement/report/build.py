"""Whole reports as one self-contained HTML string: of recordings, of a corpus store, of
questionnaire scores.

Every report has the coach view (``coach``): with ``coach=True`` it comes first and the
researcher's sections sit one click away in a ``<details>`` element; otherwise the researcher's
sections come first and the coach view is a ``<details>`` toggle at the top.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from attunement.corpus import queries, rebuild
from attunement.corpus.results import MEASURED
from attunement.corpus.store import guarded, open_store
from attunement.errors import DataError, ReadError
from attunement.io.privacy import private
from attunement.io.registry import reader_for
from attunement.measures.registry import family
from attunement.outputs import write_text
from attunement.recording import Recording
from attunement.report import coach, figures
from attunement.report import html as h
from attunement.report.corpus_hourly import corpus_hourly_figure, has_clock
from attunement.report.plane import plane_figure
from attunement.report.recording_section import analyse, coach_facts, coach_html, render
from attunement.report.specs import TOP_DEFAULT

# A report shows repair whenever a preset covers the codes (and names the table it chose).
REPORT_SETTINGS = {"repair": {"match_table": "auto"}}


def _settings(settings: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """The report's defaults with ``settings`` laid over them, family by family."""
    out = {name: dict(values) for name, values in REPORT_SETTINGS.items()}
    for name, values in (settings or {}).items():
        out.setdefault(name, {}).update(values)
    return out


def _assemble(
    title: str, subtitle: str, research: str, said: list[str], *, coach_first: bool, templates
) -> str:
    source = h.paragraph(templates["source"], "source")
    view = f'<div class="coach">{coach_html(said)}{source}</div>'
    heading = templates["title"]
    intro = h.paragraph(templates["intro"])
    if coach_first:
        body = f'<section id="coach"><h2>{h.esc(heading)}</h2>{intro}{view}</section>' + h.details(
            "The researcher's numbers: figures, tables, parameters, sources", research
        )
    else:
        body = (
            f'<section id="coach">{h.details(f"Coach view: {heading}", intro + view)}</section>'
            + research
        )
    return h.page(title, subtitle, body)


def recording_report(
    recordings: Recording | Sequence[Recording],
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    common: Mapping[str, Any] | None = None,
    coach_view: bool = False,
    words: bool = True,
    templates: coach.Templates | None = None,
) -> str:
    """The report of one or more recordings: per recording every measure family its data
    support (``settings`` per family, ``common`` parameters for all; see ``recording_section``),
    with the timeline, the families' plots and every number."""
    recs = [recordings] if isinstance(recordings, Recording) else list(recordings)
    templates = templates or coach.load_templates()
    research, said, measured = [], [], {}
    for rec in recs:
        analysis = analyse(rec, settings=_settings(settings), common=common)
        part, _ = render(analysis, words=words)
        research.append(f'<section class="recording">{part}</section>')
        lines = coach.sentences(coach_facts(analysis), "recording", templates)
        if len(recs) > 1 and lines:
            lines = [f"{rec.id}:", *lines]
        said += lines
        for o in analysis.outcomes:
            if o.result is not None:
                measured.setdefault(o.family.title, _keys(o.result))
    title = f"attunement report: {recs[0].id}" if len(recs) == 1 else "attunement report"
    return _assemble(
        title,
        _subtitle(len(recs), measured),
        "".join(research),
        said,
        coach_first=coach_view,
        templates=templates,
    )


def _keys(result) -> str:
    keys = [f"{p} {v}" for p, v in result.identity().items() if p not in ("path", "recording_id")]
    return f" ({', '.join(keys)})" if keys else ""


def _subtitle(n: int, measured: dict[str, str]) -> str:
    what = "; ".join(f"{title}{keys}" for title, keys in measured.items()) or "nothing measurable"
    return f"{n:,} recording{'' if n == 1 else 's'} · measured: {what}"


def corpus_report(
    db: str | Path,
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    common: Mapping[str, Any] | None = None,
    top: int = TOP_DEFAULT,
    coach_view: bool = False,
    words: bool = True,
    templates: coach.Templates | None = None,
) -> str:
    """The report of a corpus store (opened read-only): one summary table with the turns
    family's headline figures, turns per hour by recording, and a section for each of the
    ``top`` recordings with the most turns.

    Turn figures come from the store (the newest configuration with the report's turn rule per
    recording, as ``attunement measure`` wrote it); recordings without stored figures are
    measured here (nothing is written) and the report says how many."""
    templates = templates or coach.load_templates()
    turns_family = family("turns")
    turn_settings = turns_family.configure(
        {k: v for k, v in (common or {}).items() if k in ("n_resamples", "seed")}
        | dict((settings or {}).get("turns", {}))
    )
    rule = turn_settings["rule"]
    # an ingest lets readers in every 2 s; the report reads most of the store, so check all of it
    with guarded(db), closing(open_store(db, read_only=True, wait_s=30.0, verify=True)) as con:
        meta = queries.recordings(con)
        failures = queries.failures(con)
        stored = queries.latest(con, turns_family, {"rule": rule}).filter(
            pl.col("status") == MEASURED
        )
        bins = queries.detail(con, "turns_bins", stored, {"bin_minutes": 60})
        have = set(stored["recording_id"].to_list())
        missing = [r for r in meta["recording_id"].to_list() if r not in have]
        fresh, fresh_bins = _measure_missing(con, missing, turn_settings)
        summary = pl.concat([stored, fresh], how="diagonal_relaxed").sort("recording_id")
        all_bins = pl.concat([bins, fresh_bins], how="diagonal_relaxed")
        order = summary.sort(["turns", "recording_id"], descending=[True, False])
        chosen = order["recording_id"].head(top).to_list()
        sections = []
        for m, rows in rebuild.fetch(con, chosen):
            rec = rebuild.recording(m, rows)
            rank = order["recording_id"].to_list().index(rec.id)
            if not words and rec.keep_text:  # privacy mode's allow-list, as a reader applies it
                module = reader_for(rec.format)
                (rec,) = private([rec], module.KEEP_PRIVATE, module.DEFAULT_ROLES)
            analysis = analyse(rec, settings=_settings(settings), common=common)
            part, _ = render(analysis, words=words, heading="h3")
            sections.append((rank, part))
    headline = [f for f in turns_family.scalars if f.headline]
    table = meta.join(summary, on="recording_id", how="left").sort("recording_id")
    columns = ("recording_id", "path", "format", "child_age_days")
    research = [
        "<h2>Corpus summary</h2>",
        h.paragraph(
            f"{meta.height} recordings in {Path(db).name}; {turns_family.title}, rule {rule}. "
            f"Numbers of {stored.height} recordings read from the store, {fresh.height} measured "
            "now (run `attunement measure` to store them)."
        ),
        h.table(
            [*columns, *(f.label for f in headline)],
            (
                [*(row[c] for c in columns), *(f.display(row.get(f.name)) for f in headline)]
                for row in table.iter_rows(named=True)
            ),
        ),
    ]
    if failures.height:
        research.append(f"<h3>{failures.height} file(s) could not be read</h3>")
        research.append(h.table(failures.columns, failures.iter_rows()))
    left = []
    if all_bins.height:
        caption = (
            "Turns per hour in each hour, one row per recording; brighter means more "
            "back-and-forth, blank means nothing was recorded then."
        )
        if not has_clock(all_bins):
            caption += (
                " Not every recording has a clock time, so hours count from each "
                "recording's start rather than the time of day."
            )
        research += [
            "<h2>Turns per hour by recording</h2>",
            h.figure(figures.svg(corpus_hourly_figure(all_bins)), caption, "corpus-hourly"),
        ]
    else:
        left.append(("turns per hour by recording", "no recording has timed turns"))
    research.append(h.left_out(left))
    research.append(
        f"<h2>The {len(sections)} recording(s) with the most turns</h2>"
        + h.paragraph(f"N = {top}: the {top} recordings with the most turns get a section.")
    )
    research += [f'<section class="recording">{p}</section>' for _, p in sorted(sections)]
    said = coach.sentences(_corpus_facts(summary), "corpus", templates)
    return _assemble(
        f"attunement corpus report: {Path(db).name}",
        f"{meta.height:,} recordings; {turns_family.title}, rule {rule}",
        "".join(research),
        said,
        coach_first=coach_view,
        templates=templates,
    )


def _measure_missing(con, ids: list[str], config: dict[str, Any]):
    """Turn figures and 1-hour bins of recordings the store has no figures for (not stored);
    a recording turns cannot be counted on (coded streams only) has none."""
    turns_family = family("turns")
    rows, bins = [], []
    for i in range(0, len(ids), 32):
        for m, frame in rebuild.fetch(con, ids[i : i + 32]):
            try:
                result = turns_family.run(rebuild.recording(m, frame), **config)
            except DataError:
                continue
            rows.append({"recording_id": result.recording_id, **result.figures()})
            if result.bins_1h is not None:
                bins.append(
                    result.bins_1h.select(
                        "bin_start", "elapsed_s", "recorded_s", "turns"
                    ).with_columns(recording_id=pl.lit(result.recording_id))
                )
    frame = pl.DataFrame(rows) if rows else pl.DataFrame(schema={"recording_id": pl.String})
    return frame, pl.concat(bins, how="diagonal_relaxed") if bins else pl.DataFrame()


def _corpus_facts(summary: pl.DataFrame) -> dict[str, str]:
    if not summary.height or "turns" not in summary.columns:
        return {"recordings": coach.count(summary.height)}
    hours = float(summary["recorded_s"].sum() or 0) / 3600
    n_turns = int(summary["turns"].sum() or 0)
    facts = {
        "recordings": coach.count(summary.height),
        "hours": f"{hours:,.0f}" if hours >= 10 else f"{hours:.1f}",
        "turns": coach.count(n_turns),
        "child_serves": coach.count(int(summary["child_serves"].sum() or 0)),
    }
    if hours > 0:
        facts["turns_per_hour"] = coach.count(n_turns / hours)
    return facts


def read_scores(path: str | Path) -> pl.DataFrame:
    """A score file (``attunement score --out``): needs ``anxiety`` and ``avoidance`` columns."""
    path = Path(path)
    try:
        frame = pl.read_csv(path, infer_schema_length=None)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ReadError(path, f"cannot read the score file ({exc})") from None
    lacking = [c for c in ("anxiety", "avoidance") if c not in frame.columns]
    if lacking:
        raise ReadError(path, f"a score file needs the columns anxiety and avoidance; no {lacking}")
    for column in ("anxiety", "avoidance"):
        if not frame[column].dtype.is_numeric() and frame[column].dtype != pl.Null:
            raise ReadError(path, f"column {column} must hold numbers, found {frame[column].dtype}")
    return frame


QUESTIONNAIRE = {  # the coach box of a scores report; a lab's templates may set scores_* keys
    "scores_title": "About these questionnaire answers",
    "scores_intro": "A summary of the answers to the {name} in this file.",
    "scores_dimensions": "The {name} describes two sides of close relationships: how much "
    "someone longs for reassurance that others will stay (anxiety) and how much someone keeps "
    "a distance and prefers not to lean on others (avoidance).",
    "scores_unchecked": "The scoring key of this version ({id}) could not be fully checked "
    "against its published form, so read these numbers with extra care.",
}


def _questionnaire(frame: pl.DataFrame) -> dict[str, str]:
    """Name, id, citation and key verification of the instrument a score file was made with
    (its ``instrument`` column, written by ``attunement score --out``), or generic words."""
    from attunement.attachment import InstrumentError, load

    ids = frame["instrument"].drop_nulls().unique().to_list() if "instrument" in frame else []
    ids = [i for i in ids if isinstance(i, str)]
    if len(ids) == 1:
        try:
            inst = load(str(ids[0]))
        except InstrumentError:
            pass
        else:
            return {
                "id": inst.id,
                "name": inst.name,
                "citation": inst.citation,
                "verification": inst.verification,
            }
    return {"id": "", "name": "questionnaire", "citation": "", "verification": ""}


def scores_report(
    path: str | Path,
    *,
    scale: tuple[float, float] | None = None,
    coach_view: bool = False,
    templates: coach.Templates | None = None,
) -> str:
    """The report of questionnaire scores: the anxiety x avoidance plane with the sample, the
    sample medians (and the scale midpoint when ``scale`` is given), summary statistics and the
    style counts when the file has a ``style`` column."""
    templates = templates or coach.load_templates()
    frame = read_scores(path)
    about = _questionnaire(frame)
    anxiety = frame["anxiety"].cast(pl.Float64).to_numpy()
    avoidance = frame["avoidance"].cast(pl.Float64).to_numpy()
    both = np.isfinite(anxiety) & np.isfinite(avoidance)
    n, scored = frame.height, int(both.sum())
    caption = (
        f"Where each of the {scored:,} scored people sits on the two dimensions: avoidance "
        "(keeping distance) across, anxiety (seeking reassurance) up; dashed lines are the "
        "sample medians" + (", solid lines the scale midpoint." if scale else ".")
    )
    stats = []
    for name, values in (("anxiety", anxiety[both]), ("avoidance", avoidance[both])):
        stats.append(
            (
                name,
                scored,
                float(values.mean()) if scored else None,
                float(values.std(ddof=1)) if scored > 1 else None,
                float(np.median(values)) if scored else None,
            )
        )
    r = float(np.corrcoef(anxiety[both], avoidance[both])[0, 1]) if scored > 2 else None
    research = [
        "<h2>Anxiety and avoidance</h2>",
        h.figure(figures.svg(plane_figure(anxiety, avoidance, scale)), caption, "plane"),
        h.table(("score", "n", "mean", "SD", "median"), stats),
        h.key_values(
            [
                ("respondents in the file", n),
                ("with both scores", scored),
                ("left out (a score missing)", n - scored),
                ("r(anxiety, avoidance)", r),
                ("scale", "not given" if scale is None else f"{scale[0]:g}–{scale[1]:g}"),
                ("instrument", about["id"] or "not named in the file"),
                ("scoring key", about["verification"] or "not named in the file"),
            ]
        ),
    ]
    if "style" in frame.columns:
        counts = frame["style"].value_counts(sort=True)
        research.append("<h3>Styles</h3>")
        if "style_method" in frame.columns:
            methods = ", ".join(str(m) for m in frame["style_method"].unique().to_list())
            research.append(h.paragraph(f"method: {methods}"))
        research.append(h.table(counts.columns, counts.iter_rows()))
    words = {**QUESTIONNAIRE, **{k: v for k, v in templates.items() if k in QUESTIONNAIRE}}
    said = coach.sentences({"respondents": coach.count(scored)}, "scores", templates)
    said.append(words["scores_dimensions"].format_map(about))
    if about["verification"] not in ("verified", ""):
        said.append(words["scores_unchecked"].format_map(about))
    summary = {
        **templates,
        "title": words["scores_title"],
        "intro": words["scores_intro"].format_map(about),
        "source": f"Questionnaire: {about['citation'] or 'scores from attunement score'}",
    }
    return _assemble(
        f"attunement scores report: {Path(path).name}",
        f"{n} respondents",
        "".join(research),
        said,
        coach_first=coach_view,
        templates=summary,
    )


def write(text: str, path: str | Path) -> Path:
    """Write a report atomically (``attunement.outputs``); returns the path."""
    return write_text(path, text)
