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
    "generations": (
        Param("families", "count", 10_000, "Families.", minimum=1, cap=10_000_000),
        Param("generations", "count", 3, "Generations.", minimum=1, maximum=50),
        Param("chunk_size", "count", 50_000, "Families per chunk.", minimum=1, maximum=10**6),
        Param("seed", "seed", 0, "Seed."),
    ),
    "calibrate": (Param("seed", "seed", 0, "Seed."),),
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
    from attunement.simulate.population import write_population

    summary = _write_in_chunks(
        dask,
        -(-children // chunk_size),
        "children",
        lambda client, progress: write_population(
            out_path, children, years, seed, chunk_size=chunk_size, client=client, progress=progress
        ),
    )
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


@app.command(
    "generations",
    epilog=example("simulate generations --families 10000 --generations 3 --out families.parquet"),
)
def generations(
    out_path: Annotated[
        Path,
        typer.Option("--out", help="Parquet file to write (one row per family and generation)."),
    ],
    families: Annotated[int, typer.Option("--families", help="Number of families.")] = 10_000,
    n_generations: Annotated[
        int, typer.Option("--generations", help="Generations (parent to child, 18 years each).")
    ] = 3,
    seed: Annotated[int, typer.Option("--seed", help="Seed (>= 0); same seed, same data.")] = 0,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Families per chunk (no effect on results).")
    ] = 50_000,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help="Address of a Dask scheduler to run the chunks on."),
    ] = None,
    allow_large: Annotated[
        bool, typer.Option("--allow-large", help="Allow --families above its default cap.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Families across generations: each parent's attachment representation (AAI: F, Ds, E, U)
    shapes her caregiving, and her child's attachment at 18 becomes the next parent's
    representation (docs/model.md, "Generations"); prints the shares and the transmission
    figures per generation."""
    _check(
        "generations",
        allow_large,
        families=families,
        generations=n_generations,
        chunk_size=chunk_size,
        seed=seed,
    )
    check_file(out_path)
    from attunement.simulate.generations import write_generations

    summary = _write_in_chunks(
        dask,
        -(-families // chunk_size),
        "families",
        lambda client, progress: write_generations(
            out_path,
            families,
            n_generations,
            seed,
            chunk_size=chunk_size,
            client=client,
            progress=progress,
        ),
    )
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    table = Table(
        title=f"{families} families, {n_generations} generations, seed {seed}",
        title_justify="left",
    )
    for name in (
        "generation",
        "parents F/Ds/E/U",
        "infants A/B/C/D",
        "F x B agree",
        "kappa",
        "r",
        "U x D r",
        "via sensitivity",
    ):
        table.add_column(name, justify="right")
    for g, row in summary["by_generation"].items():
        t = row["transmission"]
        table.add_row(
            g,
            " / ".join(f"{v:.0%}" for v in row["parent_representation"].values()),
            " / ".join(f"{v:.0%}" for v in row["infant_class"].values()),
            f"{t['transmission_agreement']:.1%}",
            f"{t['transmission_kappa']:.3f}",
            f"{t['transmission_r']:.3f}",
            f"{t['transmission_unresolved_r']:.3f}",
            f"{t['transmission_sensitivity_share']:.1%}",
        )
    out.print(table)
    out.print(f"written: {out_path}  ({summary['seconds']:.1f} s)", highlight=False)


def _write_in_chunks(dask: str | None, n_chunks: int, unit: str, write):
    """``write(client, progress)`` under a progress bar of ``n_chunks``, on the Dask scheduler at
    ``dask`` when given (closed afterwards); an OSError is one line and exit 1."""
    client = _client(dask)
    try:
        with progress_bar("simulating", n_chunks) as tick:
            return write(client, lambda done: tick(f"{done} {unit}"))
    except OSError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    finally:
        if client is not None:
            client.close()


def _client(address: str | None):
    """A ``distributed.Client`` for ``address`` (None without one); unreachable: one line."""
    if address is None:
        return None
    from distributed import Client

    try:
        return Client(address, timeout="10s")
    except OSError as exc:
        err.print(f"error: cannot reach the Dask scheduler at {address}: {exc}")
        raise typer.Exit(1) from None


@app.command("calibrate", epilog=example("simulate calibrate --quick --json"))
def calibrate(
    seed: Annotated[int, typer.Option("--seed", help="Seed (>= 0); same seed, same table.")] = 0,
    quick: Annotated[
        bool,
        typer.Option("--quick", help="Fewer particles, rounds and children (about a minute)."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Fit the model by approximate Bayesian computation (ABC-SMC) on a stated subset of
    published targets and predict the rest, transmission and intervention effects held out
    (docs/model.md, "Calibration"); print each target's literature value and 95% interval
    beside the posterior predictive mean and 95% interval. Progress goes to stderr."""
    _check("calibrate", False, seed=seed)
    from attunement.simulate.calibration import calibrate as run_calibration

    last = {"stage": None}
    with err.status("calibrating") as status:

        def progress(stage: str, sims: int, tolerance: float) -> None:
            text = f"calibrating: {stage}: {sims} simulations"
            if tolerance == tolerance and tolerance != float("inf"):
                text += f", tolerance {tolerance:.2f}"
            if err.is_terminal:
                status.update(text)
            elif stage != last["stage"]:
                err.print(text, highlight=False)
            last["stage"] = stage

        result = run_calibration(seed, quick=quick, progress=progress)
    if as_json:
        sys.stdout.write(json.dumps(result.rows(), indent=2) + "\n")
        return
    table = Table(
        title=f"calibration (ABC-SMC), seed {seed}{', quick' if quick else ''}: "
        f"{sum(result.settings['simulations'].values())} simulations, "
        f"{result.settings['seconds']:.0f} s",
        title_justify="left",
    )
    for name in ("target", "literature [95%]", "simulated [95%]", "inside", "held out"):
        table.add_column(name)
    for row in result.rows():
        lit = (
            ""
            if row["literature"] is None
            else (f"{row['literature']:.2f} [{row['interval'][0]:.2f}, {row['interval'][1]:.2f}]")
        )
        sim = row["simulated_interval"]
        table.add_row(
            row["target"],
            lit,
            f"{row['simulated']:.3f} [{sim[0]:.3f}, {sim[1]:.3f}]",
            "" if row["inside"] is None else ("yes" if row["inside"] else "NO"),
            "held out" if row["held_out"] else "",
        )
    out.print(table)
    fitted = ", ".join(f"{k} = {v:g}" for k, v in result.fitted.items())
    out.print(f"posterior means: {fitted}", highlight=False)


@app.command("experiment", epilog=example("simulate experiment repair --out experiments"))
def experiment(
    name: Annotated[
        str, typer.Argument(help="rhythm, repair, earned-security, power, trial or dose.")
    ],
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
    effects in standard units beside the closest observed effects (_effects.csv), its plot (PNG)
    and its parameters (JSON) to --out and print the table and the effects."""
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
        table, effects, figure, parameters = EXPERIMENTS[name](**kwargs)
    stem = make_folder(out_dir) / f"experiment_{name.replace('-', '_')}"
    with atomic(stem.with_suffix(".csv")) as temp:
        table.write_csv(temp)
    with atomic(stem.with_name(stem.name + "_effects.csv")) as temp:
        effects.write_csv(temp)
    with atomic(stem.with_suffix(".png")) as temp:
        figure.savefig(temp, dpi=100)
    write_text(stem.with_suffix(".json"), json.dumps(parameters, indent=2, default=str) + "\n")
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "table": table.to_dicts(),
                    "effects": effects.to_dicts(),
                    "parameters": parameters,
                },
                indent=2,
                default=str,
            )
            + "\n"
        )
        return
    rich_table = Table(title=f"experiment {name}, seed {seed}", title_justify="left")
    for column in table.columns:
        rich_table.add_column(column)
    for row in table.iter_rows():
        rich_table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    out.print(rich_table)
    effect_table = Table(title="effects beside the closest observed effects", title_justify="left")
    for column in ("effect", "model [95%]", "observed [95%]", "inside"):
        effect_table.add_column(column)
    for row in effects.iter_rows(named=True):
        effect_table.add_row(
            row["effect"],
            f"{row['unit']} {row['value']:.2f} [{row['low']:.2f}, {row['high']:.2f}]",
            f"{row['observed']}: {row['observed_value']:.2f} "
            f"[{row['observed_low']:.2f}, {row['observed_high']:.2f}]",
            "yes" if row["inside"] else "no",
        )
    out.print(effect_table)
    out.print(f"written: {stem}.csv, _effects.csv, .png, .json", highlight=False)
