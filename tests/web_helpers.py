"""Shared pieces of the web tests: a real uvicorn server (the dashboard's own configuration) on a
free loopback port in a thread, the upload form's token, and analyses that misbehave on purpose
(run in a worker by naming them, e.g. ``"tests.web_helpers:stall"``)."""

from __future__ import annotations

import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from attunement.web.server import config

BASE = "http://127.0.0.1"  # TestClient's address: a loopback name the dashboard answers to


@contextmanager
def running(app, timeout_s: float = 60.0) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 at a port the OS picks; yields the base URL, then stops."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(config(app, port=port, log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)
        sock.close()


def form_token(client) -> str:
    """The upload form's token for this client's session (the form page sets the cookie)."""
    page = client.get("/upload")
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


def upload(client, name: str, content: bytes, **options):
    """POST ``content`` as file ``name`` through the upload form, token first."""
    return client.post(
        "/upload", data={"csrf": form_token(client)}, files={"file": (name, content)}, **options
    )


def stall(*_args) -> None:
    """An analysis that never ends."""
    time.sleep(3600)


def hog(*_args) -> None:
    """An analysis that takes memory 50 MB at a time (touched, so resident) without end."""
    held = []
    while True:
        held.append(b"\x01" * (50 * 1024 * 1024))
        time.sleep(0.01)


def crash(*_args) -> None:
    """An analysis whose process dies (as on a segmentation fault)."""
    os.kill(os.getpid(), signal.SIGSEGV)
