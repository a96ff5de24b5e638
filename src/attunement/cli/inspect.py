"""``attunement inspect``: what each file holds (format, duration, segments, warnings)."""

from __future__ import annotations

import json
import sys

from rich.table import Table

from attunement.cli.common import (
    AnnotationsOpt,
    FormatOpt,
    JsonOpt,
    NoWordsOpt,
    Paths,
    PreferOpt,
    RolesOpt,
    out,
    read_paths,
    report_failures,
)


def command(
    paths: Paths,
    format: FormatOpt = None,
    roles: RolesOpt = None,
    no_words: NoWordsOpt = False,
    as_json: JsonOpt = False,
    prefer: PreferOpt = "converted",
    annotations: AnnotationsOpt = None,
) -> None:
    """Per recording: format, duration, segments per speaker type and kind, warnings; in a
    dataset (ChildProject's layout, or a folder with children.csv / recordings.csv) also its
    child, session, annotation set and clips."""
    batch = read_paths(paths, format, roles, no_words, prefer, annotations)
    summaries = [_summary(rec) for rec in batch.recordings]
    if as_json:
        sys.stdout.write(json.dumps(summaries, indent=2, ensure_ascii=False) + "\n")
    else:
        for s in summaries:
            _print_summary(s)
    report_failures(batch)


def _summary(rec) -> dict:
    """The recording's summary, with its place in a dataset when it has one."""
    s = rec.summary()
    link = rec.extra.get("link")
    if link:
        s["link"] = {k: v for k, v in link.items() if v is not None}
    if rec.extra.get("clips"):
        s["clips"] = rec.extra["clips"]
    return s


def _print_summary(s: dict) -> None:
    table = Table(title=f"{s['path']}  [{s['format']}]", title_justify="left", show_header=False)
    table.add_row("recording", s["id"])
    table.add_row("duration", f"{s['duration_s'] / 3600:.2f} h ({s['duration_s']:.1f} s)")
    if s["start"]:
        table.add_row("start", s["start"])
    if s["child_age_days"] is not None:
        table.add_row("child age", f"{s['child_age_days']} days")
    for key, value in s.get("link", {}).items():
        if key != "dataset":
            table.add_row(key.replace("_", " "), str(value))
    if s.get("clips"):
        table.add_row(
            "clips", "  ".join(f"{c['range_onset']}-{c['range_offset']} ms" for c in s["clips"])
        )
    table.add_row("segments", f"{s['segments']} ({s['timed']} timed, {s['untimed']} untimed)")
    table.add_row("speaker_type", "  ".join(f"{k} {v}" for k, v in s["speaker_type"].items()))
    table.add_row("kind", "  ".join(f"{k} {v}" for k, v in s["kind"].items()))
    for warning in s["warnings"]:
        table.add_row("[yellow]warning[/]", warning)
    out.print(table)
