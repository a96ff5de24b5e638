"""Whole reports as one self-contained HTML string: of recordings, of a corpus store, of
questionnaire scores.

Every report has the coach view (``coach``): with ``coach=True`` it comes first and the
researcher's sections sit one click away in a ``<details>`` element; otherwise the researcher's
sections come first and the coach view is a ``<details>`` toggle at the top.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from attunement.corpus import rebuild
from attunement.corpus.store import open_store
from attunement.errors import ReadError
from attunement.measures.turns import turns
from attunement.outputs import write_text
from attunement.recording import Recording
from attunement.report import coach, figures
from attunement.report import html as h
from attunement.report.corpus_hourly import corpus_hourly_figure, has_clock
from attunement.report.plane import plane_figure
from attunement.report.recording_section import analyse, coach_facts, coach_html, render

TOP_DEFAULT = 10
SUMMARY_COLUMNS = (
    "recorded_s",
    "turns",
    "turns_per_hour",
    "child_units",
    "adult_units",
    "child_serves",
    "response_rate",
    "latency_median_s",
    "exchanges",
)


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
    rule: str = "lena",
    chance: int = 100,
    seed: int = 0,
    match_table: str = "auto",
    coach_view: bool = False,
    words: bool = True,
    templates: coach.Templates | None = None,
) -> str:
    """The report of one or more recordings: per recording the timeline, turns per hour, the
    latency histogram, the state space grid and the repair-latency curve, as the data allow."""
    recs = [recordings] if isinstance(recordings, Recording) else list(recordings)
    templates = templates or coach.load_templates()
    research, said = [], []
    for rec in recs:
        analysis = analyse(rec, rule=rule, chance=chance, seed=seed, match_table=match_table)
        part, _ = render(analysis, words=words)
        research.append(f'<section class="recording">{part}</section>')
        lines = coach.sentences(coach_facts(analysis), "recording", templates)
        if len(recs) > 1 and lines:
            lines = [f"{rec.id}:", *lines]
        said += lines
    title = f"attunement report: {recs[0].id}" if len(recs) == 1 else "attunement report"
    subtitle = f"{len(recs)} recording(s); turn rule {rule}"
    return _assemble(
        title, subtitle, "".join(research), said, coach_first=coach_view, templates=templates
    )


def corpus_report(
    db: str | Path,
    *,
    rule: str = "lena",
    chance: int = 100,
    seed: int = 0,
    top: int = TOP_DEFAULT,
    match_table: str = "auto",
    coach_view: bool = False,
    words: bool = True,
    templates: coach.Templates | None = None,
) -> str:
    """The report of a corpus store (opened read-only): one summary table, turns per hour by
    recording, and a section for each of the ``top`` recordings with the most turns.

    Turn numbers come from the store's ``turns`` table (the newest configuration of ``rule``
    per recording, as ``attunement measure`` wrote it); recordings without stored numbers are
    measured here (nothing is written) and the report says how many."""
    templates = templates or coach.load_templates()
    con = open_store(db, read_only=True, wait_s=30.0)  # an ingest lets readers in every 2 s
    try:
        meta = con.sql(
            "SELECT recording_id, path, format, duration_ms, child_age_days, n_segments "
            "FROM recordings ORDER BY recording_id"
        ).pl()
        failures = con.sql("SELECT path, line, problem FROM failures ORDER BY path").pl()
        stored, bins = _stored_turns(con, rule)
        have = set(stored["recording_id"].to_list())
        missing = [r for r in meta["recording_id"].to_list() if r not in have]
        fresh, fresh_bins = _measure_missing(con, missing, rule, chance, seed)
        summary = pl.concat([stored, fresh], how="diagonal_relaxed").sort("recording_id")
        all_bins = pl.concat([bins, fresh_bins], how="diagonal_relaxed")
        order = summary.sort(["turns", "recording_id"], descending=[True, False])
        chosen = order["recording_id"].head(top).to_list()
        sections = []
        for m, rows in rebuild.fetch(con, chosen):
            rec = rebuild.recording(m, rows)
            if not words and "text" in rec.segments.columns:
                rec.segments = rec.segments.with_columns(pl.lit(None, pl.String).alias("text"))
                rec.keep_text = False
            analysis = analyse(rec, rule=rule, chance=chance, seed=seed, match_table=match_table)
            part, _ = render(analysis, words=words, heading="h3")
            sections.append((order["recording_id"].to_list().index(rec.id), part))
    finally:
        con.close()
    table = meta.join(summary, on="recording_id", how="left").sort("recording_id")
    columns = ("recording_id", "path", "format", "child_age_days", *SUMMARY_COLUMNS)
    research = [
        "<h2>Corpus summary</h2>",
        h.paragraph(
            f"{meta.height} recordings in {Path(db).name}; turn rule {rule}. "
            f"Numbers of {stored.height} recordings read from the store, {fresh.height} measured "
            "now (run `attunement measure` to store them)."
        ),
        h.table(columns, table.select(columns).iter_rows()),
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
    facts = _corpus_facts(summary)
    said = coach.sentences(facts, "corpus", templates)
    return _assemble(
        f"attunement corpus report: {Path(db).name}",
        f"{meta.height} recordings; turn rule {rule}",
        "".join(research),
        said,
        coach_first=coach_view,
        templates=templates,
    )


def _stored_turns(con, rule: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    empty = pl.DataFrame(schema={"recording_id": pl.String})
    if not {"turns", "turns_bins", "measure_log"} <= tables:
        return empty, empty
    latest = con.sql(
        "SELECT * EXCLUDE (k) FROM (SELECT t.*, row_number() OVER (PARTITION BY t.recording_id "
        "ORDER BY l.computed_at DESC, t.config_key) AS k FROM turns t JOIN measure_log l ON "
        "l.family = 'turns' AND l.recording_id = t.recording_id AND l.config_key = t.config_key "
        "WHERE t.rule = $rule) WHERE k = 1",
        params={"rule": rule},
    ).pl()
    bins = con.sql(
        "SELECT b.recording_id, b.bin_start, b.elapsed_s, b.recorded_s, b.turns FROM turns_bins b "
        "JOIN (SELECT unnest($ids) AS recording_id, unnest($keys) AS config_key) c USING "
        "(recording_id, config_key) WHERE b.rule = $rule AND b.bin_minutes = 60",
        params={
            "ids": latest["recording_id"].to_list(),
            "keys": latest["config_key"].to_list(),
            "rule": rule,
        },
    ).pl()
    return latest.select("recording_id", *SUMMARY_COLUMNS), bins


def _measure_missing(con, ids: list[str], rule: str, chance: int, seed: int):
    rows, bins = [], []
    for i in range(0, len(ids), 32):
        for m, frame in rebuild.fetch(con, ids[i : i + 32]):
            result = turns(rebuild.recording(m, frame), rule, chance=chance, seed=seed)
            rows.append(
                {"recording_id": result.recording_id}
                | {c: getattr(result, c) for c in SUMMARY_COLUMNS}
            )
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
    said = coach.sentences({"respondents": coach.count(scored)}, "scores", templates)
    return _assemble(
        f"attunement scores report: {Path(path).name}",
        f"{n} respondents",
        "".join(research),
        said,
        coach_first=coach_view,
        templates=templates,
    )


def write(text: str, path: str | Path) -> Path:
    """Write a report atomically (``attunement.outputs``); returns the path."""
    return write_text(path, text)
