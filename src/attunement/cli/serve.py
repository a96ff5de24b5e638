"""`attunement serve`: the web dashboard on this machine (upload, reports, corpus, simulation)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from attunement.cli.common import err

DEFAULT_DATA_DIR = (
    Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "attunement" / "web"
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def command(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback only by default).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
    data_dir: Annotated[
        Path,
        typer.Option("--data-dir", help="Private folder for uploads (created with mode 0700)."),
    ] = DEFAULT_DATA_DIR,
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", help="A corpus store (attunement ingest) to browse, read-only."),
    ] = None,
    max_upload_mb: Annotated[
        float, typer.Option("--max-upload-mb", help="Largest accepted upload in MB.", min=0.001)
    ] = 200.0,
) -> None:
    """Serve the dashboard: upload a recording and read its report, browse a corpus, explore
    the simulation. Listens on 127.0.0.1 unless --host says otherwise; it has no login, so
    never expose it to a network you do not trust."""
    try:
        import uvicorn

        from attunement.web import create_app
    except ImportError as exc:
        err.print(
            f"error: the dashboard needs the web extra: pip install 'attunement[web]' ({exc})"
        )
        raise typer.Exit(1) from None
    if corpus is not None and not corpus.is_file():
        err.print(f"error: {corpus}: no such corpus store")
        raise typer.Exit(2)
    if not _is_loopback(host):
        err.print(
            f"warning: listening on {host}: anyone who can reach this address can upload files "
            "and read reports (there is no login)"
        )
    app = create_app(data_dir, corpus=corpus, max_upload_bytes=int(max_upload_mb * 1024 * 1024))
    err.print(f"attunement dashboard on http://{host}:{port}/  (data in {data_dir})")
    uvicorn.run(app, host=host, port=port, log_level="info")
