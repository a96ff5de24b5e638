"""`attunement simulate`: run the developmental simulator (``docs/model.md``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from attunement.cli.common import App, JsonOpt, err, example, out, progress_bar
from attunement.errors import ParameterError
from attunement.measures.params import Param, validate
from attunement.outputs import atomic, check_file, check_folder, make_folder, write_text
from attunement.simulate.specs import DEFAULT_CHUNK

if TYPE_CHECKING:
    from attunement.simulate.population import PopulationSummary

AllowLargeOpt = Annotated[
    bool, typer.Option("--allow-large", help="Allow --children above its default cap.")
]
MAX_YEARS = 120


def _children(least: int, cap: int, default: int | None) -> Param:
    return Param("children", "count", default, "Children.", minimum=least, cap=cap)


SIZES = {
    "population": (
        _children(1, 10_000_000, 10_000),
        Param(
            "chunk_size", "count", DEFAULT_CHUNK, "Children per chunk.", minimum=1, maximum=10**6
        ),
        Param("seed", "seed", 0, "Seed."),
    ),
    "calibrate": (_children(100, 1_000_000, 20_000), Param("seed", "seed", 0, "Seed.")),
    "experiment": (_children(10, 1_000_000, None), Param("seed", "seed", 0, "Seed.")),
}


def _check(command: str, allow_large: bool, years: float = 1.0, **values) -> None:
    """Every number of ``command`` in range before any work starts (one line, exit 2)."""
    validate(SIZES[command], values, f"simulate {command}", allow_large=allow_large)
    if not 0 < years <= MAX_YEARS:
        raise ParameterError(
            f"simulate {command}: years must be a number > 0 and <= {MAX_YEARS}, got {years!r}"
        )


app = App(
    help="Simulate children's development from caregiving to attachment (docs/model.md).",
    epilog=example("simulate session --out session.csv"),
)


@app.callback(invoke_without_command=True)
def simulate(ctx: typer.Context) -> None:
    """Simulate children's development from caregiving to attachment (docs/model.md)."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()


@app.command(
    "population",
    epilog=example("simulate population --out children.parquet --children 10000 --years 18"),
)
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
    allow_large: AllowLargeOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """A population of children from birth in weekly steps: caregivers drawn from the default
    population, states and A/B/C/D class at ages 1, 5, 10 years and the end; prints class base
    rates and stability."""
    _check("population", allow_large, years, children=children, chunk_size=chunk_size, seed=seed)
    check_file(out_path)
    client = None
    if dask is not None:
        from distributed import Client

        try:
            client = Client(dask, timeout="10s")
        except OSError as exc:
            err.print(f"error: cannot reach the Dask scheduler at {dask}: {exc}")
            raise typer.Exit(1) from None
    from attunement.simulate.population import write_population

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
    except OSError as exc:
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
    from attunement.simulate.development import CLASSES

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


@app.command("calibrate", epilog=example("simulate calibrate --quick --children 5000"))
def calibrate(
    seed: Annotated[int, typer.Option("--seed", help="Seed (>= 0); same seed, same table.")] = 0,
    children: Annotated[
        int, typer.Option("--children", help="Children per simulated population.")
    ] = 20_000,
    quick: Annotated[
        bool, typer.Option("--quick", help="Grid and intercepts only, fewer evaluations.")
    ] = False,
    allow_large: AllowLargeOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Fit six model parameters (three target intercepts, state noise, prototype pull, life-event
    residual) to published figures by simulation-based weighted least squares with common random
    numbers (docs/model.md, "Calibration"); print target vs simulated with sources."""
    _check("calibrate", allow_large, children=children, seed=seed)
    from attunement.simulate.calibration import calibrate as run_calibration

    with err.status("calibrating") as status:
        result = run_calibration(
            children,
            seed,
            quick=quick,
            progress=lambda runs, step: status.update(
                f"calibrating: {step} step, {runs} model runs so far (about 90 in all)"
            ),
        )
    if as_json:
        sys.stdout.write(json.dumps(result.rows(), indent=2) + "\n")
        return
    table = Table(
        title=f"calibration: {children} children, seed {seed}, objective {result.objective:g}, "
        f"{result.evaluations} runs",
        title_justify="left",
    )
    for name in ("target", "literature", "simulated", "z", "fitted", "source"):
        table.add_column(
            name, justify="right" if name in ("literature", "simulated", "z") else "left"
        )
    for row in result.rows():
        table.add_row(
            row["target"],
            "" if row["literature"] is None else f"{row['literature']:.2f}",
            f"{row['simulated']:.3f}",
            "" if row["z"] is None else f"{row['z']:+.2f}",
            "yes" if row["fitted"] else "",
            row["source"],
        )
    out.print(table)
    fitted = ", ".join(f"{k} = {v:g} (start {result.start[k]:g})" for k, v in result.fitted.items())
    out.print(f"fitted: {fitted}", highlight=False)


@app.command("experiment", epilog=example("simulate experiment repair --out experiments"))
def experiment(
    name: Annotated[str, typer.Argument(help="rhythm, repair, earned-security or power.")],
    children: Annotated[
        int | None,
        typer.Option("--children", help="Children per arm (not used by power)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed (>= 0).")] = 0,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for experiment_NAME.csv/.png/.json.")
    ] = Path("."),
    allow_large: AllowLargeOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Run one in-silico experiment (docs/model.md, "Experiments"): write its table (CSV), its
    plot (PNG) and its parameters (JSON) to --out and print the table."""
    _check("experiment", allow_large, children=children, seed=seed)
    from attunement.simulate.experiments import EXPERIMENTS

    if name not in EXPERIMENTS:
        err.print(f"error: unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}")
        raise typer.Exit(2)
    check_folder(out_dir)
    kwargs = {"seed": seed}
    if children is not None and name != "power":
        kwargs["children"] = children
    with err.status(f"running {name}"):
        table, figure, parameters = EXPERIMENTS[name](**kwargs)
    stem = make_folder(out_dir) / f"experiment_{name.replace('-', '_')}"
    with atomic(stem.with_suffix(".csv")) as temp:
        table.write_csv(temp)
    with atomic(stem.with_suffix(".png")) as temp:
        figure.savefig(temp, dpi=100)
    write_text(stem.with_suffix(".json"), json.dumps(parameters, indent=2, default=str) + "\n")
    if as_json:
        sys.stdout.write(
            json.dumps({"table": table.to_dicts(), "parameters": parameters}, indent=2, default=str)
            + "\n"
        )
        return
    rich_table = Table(title=f"experiment {name}, seed {seed}", title_justify="left")
    for column in table.columns:
        rich_table.add_column(column)
    for row in table.iter_rows():
        rich_table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    out.print(rich_table)
    out.print(f"written: {stem}.csv, .png, .json", highlight=False)
