"""`attunement serve`: the web dashboard on this machine (upload, reports, corpus, simulation)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from attunement.cli.common import err
from attunement.errors import ParameterError
from attunement.outputs import check_folder

DEFAULT_DATA_DIR = (
    Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "attunement" / "web"
)
TOKEN_ENV = "ATTUNEMENT_TOKEN"
MIN_TOKEN_CHARS = 16
WILDCARDS = ("0.0.0.0", "::", "")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def command(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Anything but loopback (e.g. 0.0.0.0 for a tablet on "
            "the same network) needs --token.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
    data_dir: Annotated[
        Path,
        typer.Option(
            "--data-dir", help="Private folder for uploads and reports (created with mode 0700)."
        ),
    ] = DEFAULT_DATA_DIR,
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", help="A corpus store (attunement ingest) to browse, read-only."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar=TOKEN_ENV,
            help=f"Access token every request must carry (at least {MIN_TOKEN_CHARS} "
            f"characters; or set {TOKEN_ENV}). Required with a non-loopback --host.",
            show_default=False,
        ),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="A host name or address the dashboard answers to besides 127.0.0.1, "
            "localhost and [::1] (repeat for several), e.g. this machine's address on the "
            "network.",
            show_default=False,
        ),
    ] = None,
    max_upload_mb: Annotated[
        float,
        typer.Option("--max-upload-mb", help="Largest accepted upload in MB.", min=0.001, max=1e6),
    ] = 200.0,
    analysis_timeout: Annotated[
        float,
        typer.Option("--analysis-timeout", help="Seconds one analysis may run.", min=1, max=86_400),
    ] = 120.0,
    analysis_memory_mb: Annotated[
        int,
        typer.Option(
            "--analysis-memory-mb", help="Memory one analysis may use (MB).", min=64, max=1_048_576
        ),
    ] = 2048,
    workers: Annotated[
        int, typer.Option("--workers", help="Analyses run at once (processes).", min=1, max=64)
    ] = 2,
    max_uploads: Annotated[
        int,
        typer.Option(
            "--max-uploads", help="Uploads received at once (503 beyond).", min=1, max=1024
        ),
    ] = 4,
    upload_timeout: Annotated[
        float,
        typer.Option(
            "--upload-timeout", help="Seconds an upload's body may take.", min=1, max=86_400
        ),
    ] = 300.0,
    upload_idle_timeout: Annotated[
        float,
        typer.Option(
            "--upload-idle-timeout",
            help="Seconds an upload may pause without sending a byte.",
            min=1,
            max=86_400,
        ),
    ] = 30.0,
) -> None:
    """Serve the dashboard: upload a recording and read its report, browse a corpus, explore
    the simulation. Listens on 127.0.0.1 and answers only to loopback names unless told
    otherwise; every analysis runs in a worker process within the time and memory limits."""
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ParameterError(
            f"--token must be at least {MIN_TOKEN_CHARS} characters; make one with "
            "python -c 'import secrets; print(secrets.token_urlsafe())'"
        )
    if not _is_loopback(host) and token is None:
        raise ParameterError(
            f"--host {host} lets other machines reach the dashboard; set an access token with "
            f"--token TOKEN or {TOKEN_ENV} (every request must then carry it)"
        )
    try:
        from attunement.web import create_app
        from attunement.web.limits import MB, ServerLimits
        from attunement.web.server import run
    except ImportError as exc:
        err.print(
            f"error: the dashboard needs the web extra: pip install 'attunement[web]' ({exc})"
        )
        raise typer.Exit(1) from None
    check_folder(data_dir)  # a file, an unwritable folder or a missing parent: one line
    if corpus is not None and not corpus.is_file():
        err.print(f"error: {corpus}: no such corpus store")
        raise typer.Exit(2)
    limits = ServerLimits(
        analysis_timeout_s=analysis_timeout,
        analysis_memory_mb=analysis_memory_mb,
        workers=workers,
        max_upload_bytes=int(max_upload_mb * MB),
        max_uploads=max_uploads,
        upload_timeout_s=upload_timeout,
        upload_idle_s=upload_idle_timeout,
    )
    hosts = [*(allow_host or []), *([] if host in WILDCARDS else [host])]
    app = create_app(data_dir, corpus=corpus, limits=limits, hosts=hosts, token=token)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"attunement dashboard on http://{shown}:{port}/  (data in {data_dir})")
    if token is not None:
        wildcard = host in WILDCARDS
        where = "ADDRESS" if wildcard else shown
        note = " (ADDRESS: one given with --allow-host)" if wildcard else ""
        err.print(
            f"open http://{where}:{port}/?token={token} once in each browser{note}",
            highlight=False,
            soft_wrap=True,
        )
    run(app, host, port)
