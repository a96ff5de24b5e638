"""`attunement simulate session`: one simulated caregiver-child session, its segments table and
its ground truth, with what the toolkit measures on it (docs/model-interaction.md)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from attunement.cli.common import JsonOpt, err, out
from attunement.measures.registry import family
from attunement.outputs import atomic, check_file, check_folder
from attunement.simulate.specs import SessionParameters

if TYPE_CHECKING:
    from attunement.recording import Recording
    from attunement.simulate.session import Session

SUFFIXES = (".csv", ".parquet")


def command(
    out_path: Annotated[
        Path, typer.Option("--out", help="Segments table to write: FILE.csv or FILE.parquet.")
    ],
    minutes: Annotated[
        float, typer.Option("--minutes", help="Session length (with --still-face: 3 phases).")
    ] = 10.0,
    responsiveness: Annotated[
        float,
        typer.Option(
            "--responsiveness",
            help="Probability a child serve is returned (responsiveness x availability).",
        ),
    ] = SessionParameters.response_probability,
    latency: Annotated[
        float, typer.Option("--latency", help="Mean response latency in s (exponential).")
    ] = SessionParameters.latency_mean_s,
    matching: Annotated[
        float, typer.Option("--matching", help="Share of matched affect time, in (0, 1).")
    ] = SessionParameters.matching,
    repair_hazard: Annotated[
        float, typer.Option("--repair-hazard", help="Rate at which mismatches end, per s.")
    ] = SessionParameters.repair_hazard,
    still_face: Annotated[
        bool,
        typer.Option("--still-face", help="FF, SF and RE phases of minutes / 3 each."),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed (>= 0); same seed, same data.")] = 0,
    truth: Annotated[
        Path | None,
        typer.Option("--truth", help="Folder for the ground truth (serves, mismatches, ...)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate one session and print the true parameters next to what the toolkit measures:
    response rate and median latency (turn rule `window`, 5 s), matching proportion and repair
    hazard (`repair`, match table `valence`). Other parameters keep their documented defaults."""
    if out_path.suffix.lower() not in SUFFIXES:
        err.print(f"error: --out must end in .csv or .parquet, got {out_path.name!r}")
        raise typer.Exit(2)
    check_file(out_path)
    if truth is not None:
        check_folder(truth)
    params = SessionParameters(
        response_probability=responsiveness,
        latency_mean_s=latency,
        matching=matching,
        repair_hazard=repair_hazard,
    )
    if still_face:
        params = replace(params, still_face_s=(minutes * 20, minutes * 20, minutes * 20))
    from attunement.simulate.session import session

    sim = session(params, minutes=None if still_face else minutes, seed=seed)
    try:
        _write(sim.recording, out_path)
        if truth is not None:
            sim.truth.write(truth)
    except OSError as exc:
        err.print(f"error: cannot write: {exc}", highlight=False)
        raise typer.Exit(1) from None
    report = _compare(sim)
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        _print(report, out_path)


def _write(recording: Recording, path: Path) -> None:
    table = recording.segments
    with atomic(path) as temp:
        if path.suffix.lower() == ".csv":
            table.write_csv(temp)
        else:
            table.write_parquet(temp)


def _measured(rec: Recording, phase: str | None = None) -> dict[str, Any]:
    from attunement.measures.repair import repair
    from attunement.measures.turns import turns
    from attunement.simulate.session import LENA_WINDOW_S

    t = turns(rec, rule="window", window_s=LENA_WINDOW_S, n_resamples=0, bins=False)
    r = repair(rec, match_table="valence", kinds=("affect",))
    numbers = r.figures() if phase is None else r.by_episode.get(phase, r.figures())
    turn_figures = t.figures()
    return {
        name: (turn_figures if fam == "turns" else numbers)[name] for fam, name, _ in COMPARED
    } | {"repair_latency_median_s": numbers["repair_latency_median_s"]}


def _compare(sim: Session) -> dict[str, Any]:
    """True parameters, what the `window` rule should measure, and what was measured, per phase
    (the whole session when there is no Still-Face)."""
    from attunement.simulate.session import expected_turns

    params = sim.truth.parameters
    expected = expected_turns(params)
    phases = sim.truth.phases["phase"].to_list()
    out: dict[str, Any] = {"parameters": params.to_dict(), "seed": sim.truth.seed, "phases": {}}
    for name in phases:
        still = name == "SF"
        rec = sim.phase(name) if name else sim.recording
        hazard = params.still_face_repair_hazard if still else params.repair_hazard
        out["phases"][name or "session"] = {
            "true": {
                "response_probability": 0.0 if still else params.response_probability,
                "latency_median_s": None if still else params.latency_median_s,
                "matching": params.still_face_matching if still else params.matching,
                "repair_hazard_per_s": hazard,
            },
            "expected_window_rule": {
                "response_rate": 0.0 if still else expected["response_rate"],
                "latency_median_s": None if still else expected["latency_median_s"],
            },
            "measured": _measured(rec, name or None),
            "truth": sim.truth.summary()[name],
        }
    return out


# (family, measured figure, true parameter it recovers); labels come from the catalogue
COMPARED = (
    ("turns", "response_rate", "response_probability"),
    ("turns", "latency_median_s", "latency_median_s"),
    ("repair", "matching_proportion", "matching"),
    ("repair", "repair_hazard_per_s", "repair_hazard_per_s"),
)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _print(report: dict[str, Any], path: Path) -> None:
    for name, row in report["phases"].items():
        table = Table(title=f"{path}  [{name}]", title_justify="left")
        for column in ("", "true", "expected (window 5 s)", "measured"):
            table.add_column(column, justify="right" if column else "left")
        true, exp, got = row["true"], row["expected_window_rule"], row["measured"]
        for family_name, name, truth_key in COMPARED:
            label = family(family_name).figure(name).label
            table.add_row(label, _fmt(true[truth_key]), _fmt(exp.get(name)), _fmt(got[name]))
        out.print(table)
    out.print(
        f"written: {path}; the response rate includes caregiver talk falling in the window by "
        "chance (see 'expected')",
        highlight=False,
    )
