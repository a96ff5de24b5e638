"""``attunement repair``: rupture and repair over coded child and caregiver streams."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from attunement.cli.common import JsonOpt, err, out
from attunement.errors import ReadError
from attunement.io import read_file
from attunement.measures.repair import PRESETS, MatchTableError, repair, still_face_contrasts
from attunement.roles import RoleMapError


def command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Coded recordings, or CSVs onset,offset,partner,code (one dyad each).",
            show_default=False,
        ),
    ],
    match_table: Annotated[
        str,
        typer.Option("--match-table", help=f"Preset ({', '.join(PRESETS)}) or a CSV file."),
    ] = "icep-r",
    min_mismatch: Annotated[
        float, typer.Option("--min-mismatch", help="Shortest mismatch episode in s.")
    ] = 0.0,
    absent_code: Annotated[
        str | None,
        typer.Option("--absent-code", help="State of a partner with no code (default: uncoded)."),
    ] = None,
    roles: Annotated[
        Path | None, typer.Option("--roles", help="JSON/YAML map of label -> speaker_type.")
    ] = None,
    contrast: Annotated[
        list[str] | None,
        typer.Option(
            "--contrast",
            help="With several dyads: Still-Face contrasts of this measure (repeat) "
            "[default: matching_proportion, reparation_rate].",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Matching, mismatch episodes, repairs, censoring-aware repair latency and who repaired,
    overall and per episode (Still-Face FF / SF / RE). With several dyads, also the Still-Face
    contrasts across dyads (SF - FF, RE - FF, RE - SF with d_z and d_av)."""
    results = []
    for path in paths:
        try:
            recordings = read_file(path, roles=roles)
        except (ReadError, RoleMapError) as exc:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        try:
            for rec in recordings:
                results.append(
                    repair(
                        rec,
                        match_table=match_table,
                        min_mismatch_s=min_mismatch,
                        absent_code=absent_code,
                    )
                )
        except MatchTableError as exc:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except ValueError as exc:
            err.print(f"error: {path}: {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    measures = contrast or list(DEFAULT_CONTRASTS)
    contrasts = {m: still_face_contrasts(results, m) for m in measures} if len(results) > 1 else {}
    if as_json:
        data = [r.to_dict() for r in results]
        report = data[0] if len(data) == 1 else {"dyads": data, "contrasts": contrasts}
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    for r in results:
        _print(r)
    if contrasts:
        _print_contrasts(contrasts)


DEFAULT_CONTRASTS = ("matching_proportion", "reparation_rate")


def _print_contrasts(contrasts: dict) -> None:
    table = Table(title="Still-Face contrasts across dyads", title_justify="left")
    for column in ("measure", "contrast", "n", "mean diff", "SD diff", "d_z", "d_av"):
        table.add_column(column, justify="left" if column in ("measure", "contrast") else "right")
    for measure, by_name in contrasts.items():
        for name, c in by_name.items():
            table.add_row(
                measure,
                f"{name} ({c['phases'][0]} - {c['phases'][1]})",
                str(c["n"]),
                *(_number(c[k]) for k in ("mean_diff", "sd_diff", "d_z", "d_av")),
            )
    out.print(table)


def _number(value, fmt: str = ".3f") -> str:
    return "n/a" if value is None else format(value, fmt)


def _print(r) -> None:
    table = Table(
        title=f"{r.path}  [match table {r.match_table}]", title_justify="left", show_header=True
    )
    table.add_column("")
    phases = list(r.by_episode) or ["all"]
    columns = {"all": r.numbers} | r.by_episode
    for name in columns:
        table.add_column(name or "(no episode)", justify="right")
    rows = [
        ("matching (match / match+mismatch)", "matching_proportion", ".3f"),
        ("matching (match / all time)", "matching_proportion_total", ".3f"),
        ("time s: match", "match_s", ".1f"),
        ("time s: mismatch", "mismatch_s", ".1f"),
        ("time s: neutral", "neutral_s", ".1f"),
        ("time s: uncoded", "uncoded_s", ".1f"),
        ("mismatch episodes", "mismatch_episodes", "d"),
        ("repairs", "repairs", "d"),
        ("reparation rate", "reparation_rate", ".3f"),
        ("repairs per min", "repairs_per_min", ".2f"),
        ("repair latency median s (KM)", "repair_latency_median_s", ".2f"),
        ("censored", "censored", "d"),
    ]
    for label, key, fmt in rows:
        table.add_row(label, *(_number(n[key], fmt) for n in columns.values()))
    table.add_row(
        "who repaired (child/caregiver/both)",
        *("/".join(str(v) for v in n["who_repaired"].values()) for n in columns.values()),
    )
    out.print(table)
    out.print(f"parameters: min_mismatch_s={r.parameters['min_mismatch_s']}, phases={phases}")
    for warning in r.warnings:
        err.print(f"warning: {warning}", highlight=False, soft_wrap=True)
