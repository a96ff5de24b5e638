"""`attunement simulate`: run the developmental simulator (``docs/model.md``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from attunement.commands.common import JsonOpt, err, out, progress_bar
from attunement.simulate.development import CLASSES
from attunement.simulate.population import DEFAULT_CHUNK, PopulationSummary, write_population

app = typer.Typer(
    no_args_is_help=True,
    help="Simulate children's development from caregiving to attachment (docs/model.md).",
)


@app.callback()
def simulate() -> None:
    """Simulate children's development from caregiving to attachment (docs/model.md)."""


@app.command("population")
def population(
    out_path: Annotated[
        Path, typer.Option("--out", help="Parquet file to write (one row per child and age).")
    ],
    children: Annotated[int, typer.Option("--children", help="Number of children.")] = 10_000,
    years: Annotated[float, typer.Option("--years", help="Years from birth (52 weeks).")] = 18.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed (>= 0); same seed, same data.")] = 0,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Children per chunk (no effect on results).")
    ] = DEFAULT_CHUNK,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help="Address of a Dask scheduler to run the chunks on."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A population of children from birth in weekly steps: caregivers drawn from the default
    population, states and A/B/C/D class at ages 1, 5, 10 years and the end; prints class base
    rates and stability."""
    if children < 1 or chunk_size < 1 or years <= 0 or seed < 0:
        err.print("error: --children and --chunk-size must be >= 1, --years > 0, --seed >= 0")
        raise typer.Exit(2)
    client = None
    if dask is not None:
        from distributed import Client

        try:
            client = Client(dask, timeout="10s")
        except OSError as exc:
            err.print(f"error: cannot reach the Dask scheduler at {dask}: {exc}")
            raise typer.Exit(1) from None
    n_chunks = -(-children // chunk_size)
    try:
        with progress_bar("simulating", n_chunks) as tick:
            summary = write_population(
                out_path,
                children,
                years,
                seed,
                chunk_size=chunk_size,
                client=client,
                progress=lambda done: tick(f"{done} children"),
            )
    except (ValueError, OSError) as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    finally:
        if client is not None:
            client.close()
    if as_json:
        sys.stdout.write(json.dumps(summary.to_dict(), indent=2) + "\n")
    else:
        _print_summary(summary, out_path)


def _print_summary(summary: PopulationSummary, path: Path) -> None:
    first = summary.snapshot_ages[0]
    table = Table(
        title=f"{summary.n_children} children, {summary.weeks} weeks, seed {summary.seed}",
        title_justify="left",
    )
    table.add_column("age")
    for c in CLASSES:
        table.add_column(c, justify="right")
    table.add_column(f"same class as at {first / 52:g} y", justify="right")
    for dim in summary.stability:
        table.add_column(f"r {dim}", justify="right")
    for age in summary.snapshot_ages:
        rates = summary.class_rates[age]
        table.add_row(
            f"{age / 52:g} y ({age} wk)",
            *(f"{rates[c]:.1%}" for c in CLASSES),
            f"{summary.class_agreement[age]:.1%}",
            *(f"{summary.stability[d][age]:.3f}" for d in summary.stability),
        )
    out.print(table)
    out.print(f"written: {path}  ({summary.seconds:.1f} s)", highlight=False)
