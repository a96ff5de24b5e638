"""Connections cannot be held open or flooded: an upload trickling one byte every half second is
cut off at its time limit, a request whose headers never finish is closed, uploads beyond the
cap get 503 with Retry-After, and a flood of log lines is cut to a few per minute.

The slow clients are raw sockets against a real uvicorn server with the dashboard's own
configuration (``attunement.web.server.config``).
"""

from __future__ import annotations

import io
import logging
import socket
import threading
import time

import httpx
import pytest

from attunement.web import create_app
from attunement.web.limits import ServerLimits
from attunement.web.logs import RateLimit, log_config
from attunement.web.server import HeaderTimeoutProtocol
from tests.web_helpers import form_token, running, upload

BOUNDARY = "trickle"
LIMITS = ServerLimits(upload_timeout_s=3, upload_idle_s=2, max_uploads=1)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    with running(create_app(tmp_path_factory.mktemp("conn") / "data", limits=LIMITS)) as url:
        yield url


def _session(base: str) -> tuple[str, str]:
    """A session cookie and its form token, as a browser would have them."""
    with httpx.Client(base_url=base) as client:
        token = form_token(client)
        return f"attunement_session={client.cookies['attunement_session']}", token


def _open_upload(base: str, declared: int = 100_000) -> socket.socket:
    """A socket that has sent an upload's headers and the start of its body (token, file part
    headers and one byte of the file), with ``declared`` bytes of body announced."""
    cookie, token = _session(base)
    port = int(base.rsplit(":", 1)[1])
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="slow.rttm"\r\n'
        "Content-Type: application/octet-stream\r\n\r\nS"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        (
            "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: {cookie}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {declared}\r\n\r\n"
        ).encode()
        + head
    )
    return sock


def _trickle(sock: socket.socket, every_s: float, limit_s: float) -> tuple[bytes, float]:
    """Send one byte every ``every_s`` until the server answers or closes; its answer and the
    seconds it took."""
    start = time.monotonic()
    sock.setblocking(False)
    answer = b""
    while time.monotonic() - start < limit_s:
        try:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
            continue
        except BlockingIOError:
            pass
        except OSError:
            break
        try:
            sock.send(b"x")
        except OSError:
            continue
        time.sleep(every_s)
    return answer, time.monotonic() - start


def test_an_upload_sending_one_byte_every_half_second_is_cut_off(base):
    sock = _open_upload(base)
    try:
        answer, seconds = _trickle(sock, 0.5, limit_s=30)
    finally:
        sock.close()
    print(f"\nslow body: cut off after {seconds:.1f} s (limit 3 s)")
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"connection: close" in answer.lower()
    assert b"did not arrive within 3 s" in answer
    assert seconds < 10


def test_an_upload_that_stops_sending_is_cut_off_at_the_idle_limit(base):
    sock = _open_upload(base)
    try:
        start = time.monotonic()
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        seconds = time.monotonic() - start
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"paused for more than 2 s" in answer
    assert seconds < 10


def test_headers_that_never_finish_are_closed(tmp_path, monkeypatch):
    monkeypatch.setattr(HeaderTimeoutProtocol, "header_timeout_s", 1.5)
    with running(create_app(tmp_path / "data")) as url:
        port = int(url.rsplit(":", 1)[1])
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        try:
            answer, seconds = _trickle(sock, 0.5, limit_s=30)
        finally:
            sock.close()
        assert answer == b""  # closed without an answer
        assert seconds < 10
        with httpx.Client(base_url=url) as client:  # the server still answers the others
            assert client.get("/").status_code == 200


def test_uploads_beyond_the_cap_get_503_with_retry_after(base):
    sock = _open_upload(base)  # holds the only upload slot while it trickles
    holder = threading.Thread(target=_trickle, args=(sock, 0.5, 30))
    holder.start()
    try:
        time.sleep(0.5)
        with httpx.Client(base_url=base, timeout=30) as client:
            refused = upload(client, "day.rttm", b"SPEAKER day 1 0.0 1.0 <NA> <NA> FEM <NA> <NA>\n")
            pages = client.get("/recordings")
    finally:
        holder.join()
        sock.close()
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "10"
    assert "Too many uploads at once" in refused.text
    assert pages.status_code == 200  # pages are not uploads


def test_a_flood_of_log_lines_is_cut_to_the_rate_and_counted():
    now = [0.0]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RateLimit(per_minute=60, clock=lambda: now[0]))
    flood = logging.getLogger("tests.flood")
    flood.propagate = False
    flood.addHandler(handler)
    try:
        for i in range(100_000):
            now[0] = i * 0.0005  # 100,000 lines in 50 s
            flood.error("socket.accept() out of system resource: %s", "Too many open files")
        for i in range(30):
            flood.warning("refused: %s", f"file {i}")  # another template keeps its own quota
        now[0] = 61.0
        flood.error("socket.accept() out of system resource: %s", "Too many open files")
    finally:
        flood.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 60 + 30 + 1
    assert lines[-1].endswith("[99,940 similar lines dropped in the last minute]")
    assert len(stream.getvalue()) < 10_000  # instead of about 6 MB


def test_the_server_log_configuration_filters_every_handler():
    config = log_config(per_minute=5)
    assert all(h["filters"] == ["rate"] for h in config["handlers"].values())
    assert config["root"]["handlers"] == ["default"]
