"""``attunement inspect``: what each file holds (format, duration, segments, warnings)."""

from __future__ import annotations

import json
import sys

from rich.table import Table

from attunement.cli.common import (
    FormatOpt,
    JsonOpt,
    NoWordsOpt,
    Paths,
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
) -> None:
    """Per recording: format, duration, segments per speaker type and kind, warnings."""
    batch = read_paths(paths, format, roles, no_words)
    summaries = [rec.summary() for rec in batch.recordings]
    if as_json:
        sys.stdout.write(json.dumps(summaries, indent=2, ensure_ascii=False) + "\n")
    else:
        for s in summaries:
            _print_summary(s)
    report_failures(batch)


def _print_summary(s: dict) -> None:
    table = Table(title=f"{s['path']}  [{s['format']}]", title_justify="left", show_header=False)
    table.add_row("recording", s["id"])
    table.add_row("duration", f"{s['duration_s'] / 3600:.2f} h ({s['duration_s']:.1f} s)")
    if s["start"]:
        table.add_row("start", s["start"])
    if s["child_age_days"] is not None:
        table.add_row("child age", f"{s['child_age_days']} days")
    table.add_row("segments", f"{s['segments']} ({s['timed']} timed, {s['untimed']} untimed)")
    table.add_row("speaker_type", "  ".join(f"{k} {v}" for k, v in s["speaker_type"].items()))
    table.add_row("kind", "  ".join(f"{k} {v}" for k, v in s["kind"].items()))
    for warning in s["warnings"]:
        table.add_row("[yellow]warning[/]", warning)
    out.print(table)
