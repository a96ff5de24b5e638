"""The dashboard's HTTP server: uvicorn with connection limits.

- A request's headers must arrive within ``HEADER_TIMEOUT_S`` of the connection opening (or of
  the previous response on a kept-alive connection); then the connection is closed. uvicorn
  has no such limit, so a client sending half a request line would hold a connection forever.
- An idle kept-alive connection is closed after ``KEEP_ALIVE_S``.
- At most ``MAX_CONNECTIONS`` connections or requests at once; beyond, uvicorn answers 503.
- Request headers are limited to ``MAX_HEADER_BYTES`` (h11; 400 beyond).
- Log lines are rate-limited (``attunement.web.logs``).

Upload bodies have their own time limits (``attunement.web.uploads``).
"""

from __future__ import annotations

import asyncio

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from attunement.web.logs import log_config

HEADER_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 100
MAX_HEADER_BYTES = 64 * 1024


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers."""

    header_timeout_s = HEADER_TIMEOUT_S

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:  # still waiting for (the next) request's headers
            if self._header_deadline is None:
                self._arm()
        elif self._header_deadline is not None:  # the headers are in
            self._header_deadline.cancel()
            self._header_deadline = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
        self._header_deadline = self.loop.call_later(self.header_timeout_s, self._expire)

    def _expire(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def config(app, host: str = "127.0.0.1", port: int = 8000, *, log: bool = True) -> uvicorn.Config:
    """The uvicorn configuration of the dashboard (``log``: install the rate-limited logging)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=HeaderTimeoutProtocol,
        timeout_keep_alive=KEEP_ALIVE_S,
        limit_concurrency=MAX_CONNECTIONS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        log_config=log_config() if log else None,
        log_level="info" if log else "warning",
    )


def run(app, host: str, port: int) -> None:
    """Serve ``app`` until interrupted."""
    uvicorn.Server(config(app, host, port)).run()
