"""The command line: one command per capability, one module per command, ``--json`` for scripts.

No module here holds science; each command module exposes ``command`` (or a Typer ``app``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from attunement.cli import (
    agree,
    export,
    ingest,
    inspect,
    measure,
    measures,
    repair,
    report,
    score,
    sequential,
    serve,
    simulate,
    simulate_session,
    stability,
    synchrony,
    turns,
)
from attunement.cli.common import App, example
from attunement.errors import ParameterError
from attunement.limits import DEFAULT, Limits, using

app = App(
    add_completion=False,
    help="Measure the caregiver-child dance: serve and return, rupture and repair, attachment.",
    epilog=example("turns day1.its --json"),
)


def _version(value: bool) -> None:
    if value:
        from attunement import __version__

        typer.echo(f"attunement {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    max_span_days: Annotated[
        float, typer.Option(help="Budget: refuse a recording whose last time is later (days).")
    ] = DEFAULT.max_span_days,
    max_recordings: Annotated[
        int, typer.Option(help="Budget: refuse a file holding more recordings.")
    ] = DEFAULT.max_recordings,
    max_segments: Annotated[
        int, typer.Option(help="Budget: refuse a file holding more segments.")
    ] = DEFAULT.max_segments,
    max_xml_depth: Annotated[
        int, typer.Option(help="Budget: refuse XML nested deeper.")
    ] = DEFAULT.max_xml_depth,
    max_codes: Annotated[
        int, typer.Option(help="Budget: refuse a lag-sequential table of more codes.")
    ] = DEFAULT.max_codes,
) -> None:
    """Measure the caregiver-child dance: serve and return, rupture and repair, attachment."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()
    try:
        chosen = Limits(max_span_days, max_recordings, max_segments, max_xml_depth, max_codes)
    except ParameterError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    ctx.with_resource(using(chosen))  # for this command only (not the next CliRunner call)


app.command("inspect", epilog=example("inspect day1.its s3-1112.cha --json"))(inspect.command)
app.command("turns", epilog=example("turns day1.its --rule window --plot day1.png"))(turns.command)
app.command("sequential", epilog=example("sequential di12.cha --lag 1"))(sequential.command)
app.command(
    "repair", epilog=example("repair dyad1.csv dyad2.csv --match-table valence --neutral end")
)(repair.command)
app.command(
    "synchrony",
    epilog=example("synchrony signals.txt --rate 4 --lag-s 2 --window-s 30 --step-s 15"),
)(synchrony.command)
app.command("score", epilog=example("score ecr-r answers.csv --out scores.csv"))(score.command)
app.command("stability", epilog=example("stability wave1.csv wave2.csv --moderator site"))(
    stability.command
)
simulate.app.command(
    "session", epilog=example("simulate session --out session.csv --truth truth --still-face")
)(simulate_session.command)
app.add_typer(simulate.app, name="simulate")
app.command("agree", epilog=example("agree human.eaf lena.its --save-error-model m.json"))(
    agree.command
)
app.command("ingest", epilog=example("ingest brent-corpus/ --db brent.duckdb"))(ingest.command)
app.command("measures", epilog=example("measures turns --json"))(measures.command)
app.command(
    "export", epilog=example("export --db brent.duckdb --per recording --out brent.parquet")
)(export.command)
app.command(
    "measure",
    epilog=example(
        "measure turns:rule=lena turns:rule=window,window_s=1 --db brent.duckdb --out turns.csv"
    ),
)(measure.command)
app.command("report", epilog=example("report day1.its -o day1-report.html"))(report.command)
app.command("serve", epilog=example("serve --corpus brent.duckdb --port 8000"))(serve.command)
