"""``attunement repair``: rupture and repair over coded child and caregiver streams."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from attunement.cli import show
from attunement.cli.common import JsonOpt, err, out, report_failures
from attunement.errors import DataError, ParameterError, ReadError
from attunement.io import Batch, read_file
from attunement.measures.families.repair import FAMILY, PRESETS
from attunement.measures.params import validate

if TYPE_CHECKING:
    from attunement.measures.repair import RepairResult


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
        typer.Option("--match-table", help=f"Preset ({', '.join(PRESETS)}), auto, or a CSV file."),
    ] = "icep-r-reading-1",
    min_mismatch_s: Annotated[
        float, typer.Option("--min-mismatch-s", help="Shortest mismatch episode in s.")
    ] = 0.0,
    absent_code: Annotated[
        str | None,
        typer.Option("--absent-code", help="State of a partner with no code (default: uncoded)."),
    ] = None,
    neutral: Annotated[
        str,
        typer.Option(
            "--neutral",
            help="A mismatch followed by neutral time: censor (latency censored), bridge (gaps "
            "up to --bridge-s between mismatch runs do not end it) or end (not repaired).",
        ),
    ] = "censor",
    bridge_s: Annotated[
        float,
        typer.Option("--bridge-s", help="With --neutral bridge: longest neutral gap bridged (s)."),
    ] = 1.0,
    roles: Annotated[
        Path | None, typer.Option("--roles", help="JSON/YAML map of label -> speaker_type.")
    ] = None,
    contrast: Annotated[
        list[str] | None,
        typer.Option(
            "--contrast",
            help="With several dyads: Still-Face contrasts of this figure (repeat) "
            "[default: matching_proportion, reparation_rate].",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Matching, mismatch episodes, repairs, censoring-aware repair latency and who repaired,
    overall and per episode (Still-Face FF / SF / RE). With several dyads, also the Still-Face
    contrasts across dyads (SF - FF, RE - FF, RE - SF with d_z and d_av). attunement measures
    repair defines every figure."""
    config = validate(
        FAMILY.parameters,
        {
            "match_table": match_table,
            "min_mismatch_s": min_mismatch_s,
            "absent_code": absent_code,
            "neutral": neutral,
            "bridge_s": bridge_s,
        },
        FAMILY.name,
    )
    measures = contrast or list(DEFAULT_CONTRASTS)
    known = [f.name for f in FAMILY.scalars]
    unknown = [m for m in measures if m not in known]
    if unknown:
        raise ParameterError(
            f"--contrast: no repair figure {', '.join(unknown)}; figures: {', '.join(known)}"
        )
    from attunement.measures.repair import still_face_contrasts
    from attunement.roles import load as roles_load

    role_map = roles_load(roles)  # a bad map fails once, before any file is read
    results: list[RepairResult] = []
    failed = Batch()
    for path in paths:
        try:
            recordings = read_file(path, roles=role_map)
        except ReadError as exc:  # listed at the end; the other files are still read
            failed.failures.append(exc)
            continue
        try:
            results += [FAMILY.function()(rec, **config) for rec in recordings]
        except DataError as exc:  # no codes of a partner, or a pair the table lacks
            err.print(f"error: {path}: {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    contrasts = {m: still_face_contrasts(results, m) for m in measures} if len(results) > 1 else {}
    if as_json:
        data = [r.to_dict() for r in results]
        if data:
            show.write_json(data[0] if len(data) == 1 else {"dyads": data, "contrasts": contrasts})
    else:
        for r in results:
            _print(r)
        if contrasts:
            _print_contrasts(contrasts)
    report_failures(failed)


DEFAULT_CONTRASTS = ("matching_proportion", "reparation_rate")


def _print_contrasts(contrasts: dict) -> None:
    table = Table(title="Still-Face contrasts across dyads", title_justify="left")
    for column in ("figure", "contrast", "n", "mean diff", "SD diff", "d_z", "d_av"):
        table.add_column(column, justify="left" if column in ("figure", "contrast") else "right")
    for measure, by_name in contrasts.items():
        for name, c in by_name.items():
            table.add_row(
                FAMILY.figure(measure).label,
                f"{name} ({c['phases'][0]} - {c['phases'][1]})",
                str(c["n"]),
                *(_number(c[k]) for k in ("mean_diff", "sd_diff", "d_z", "d_av")),
            )
    out.print(table)


def _number(value, fmt: str = ".3f") -> str:
    return "n/a" if value is None else format(value, fmt)


def _print(r: RepairResult) -> None:
    """One column for the whole recording, one per episode phase; one row per scalar figure."""
    p = r.parameters
    rule = f"neutral {p['neutral']}" + (f" {p['bridge_s']:g} s" if p["bridge_s"] else "")
    table = Table(title=f"{r.path}  [match table {r.match_table}]", title_justify="left")
    table.add_column("")
    columns = {"all": r.figures()} | r.by_episode
    for name in columns:
        table.add_column(name or "(no episode)", justify="right")
    for figure in FAMILY.scalars:
        table.add_row(figure.label, *(figure.display(c[figure.name]) for c in columns.values()))
    out.print(table)
    out.print(
        f"match table {r.match_table} (version {p['match_table_version']}; {rule}): "
        f"{p['match_table_definition']}",
        highlight=False,
    )
    out.print(f"parameters: {show.parameter_text(r)}", highlight=False)
    for warning in r.warnings:
        err.print(f"warning: {warning}", highlight=False, soft_wrap=True)
