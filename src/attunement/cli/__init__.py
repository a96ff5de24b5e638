"""The command line: one command per capability, one module per command, ``--json`` for scripts.

No module here holds science; each command module exposes ``command`` (or a Typer ``app``).
"""

from __future__ import annotations

import typer

from attunement.cli import (
    ingest,
    inspect,
    measure,
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

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Measure the caregiver-child dance: serve and return, rupture and repair, attachment.",
)

app.command("inspect")(inspect.command)
app.command("turns")(turns.command)
app.command("sequential")(sequential.command)
app.command("repair")(repair.command)
app.command("synchrony")(synchrony.command)
app.command("score")(score.command)
app.command("stability")(stability.command)
simulate.app.command("session")(simulate_session.command)
app.add_typer(simulate.app, name="simulate")
app.command("ingest")(ingest.command)
app.command("measure")(measure.command)
app.command("report")(report.command)
app.command("serve")(serve.command)
