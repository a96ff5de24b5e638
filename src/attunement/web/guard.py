"""Who may use the dashboard: trusted host names, an optional access token, and protection
against cross-site requests (a per-session form token and a same-origin check).

- **Host**: a request whose ``Host`` is not an allowed name is 400. Allowed by default: the
  loopback names ``127.0.0.1``, ``localhost`` and ``[::1]``; more only when given
  (``attunement serve --allow-host NAME``). A web page that points a name it controls at
  127.0.0.1 (DNS rebinding) therefore cannot read the dashboard.
- **Access token** (``attunement serve --token``, or ``ATTUNEMENT_TOKEN``): when set, every
  request must carry it, as the cookie ``attunement_access`` (set by opening any page once with
  ``?token=TOKEN``, which then redirects to the same page without it) or as the header
  ``Authorization: Bearer TOKEN``; otherwise 401.
- **Cross-site requests**: each browser gets a random session cookie (``attunement_session``,
  HttpOnly, SameSite=Lax); its form token, an HMAC of the session under a secret made when the
  server starts, is ``request.state.csrf``, which forms send back (``attunement.web.uploads``
  checks it). A state-changing request (POST, PUT, PATCH, DELETE) whose ``Origin`` (else
  ``Referer``) is not this dashboard is 403 before its body is read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import URL, Headers, MutableHeaders, QueryParams
from starlette.requests import cookie_parser
from starlette.responses import PlainTextResponse, RedirectResponse, Response

LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
ACCESS_COOKIE = "attunement_access"
SESSION_COOKIE = "attunement_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_SESSION = re.compile(r"[0-9a-f]{32}")


def host_name(value: str) -> str:
    """The host part of a ``Host`` header or a host name, lower case, IPv6 in brackets:
    ``"[::1]:8000"`` and ``"::1"`` -> ``"[::1]"``, ``"LocalHost:80"`` -> ``"localhost"``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    if value.count(":") > 1:  # a bare IPv6 address
        return f"[{value}]"
    return value.partition(":")[0]


class Guard:
    """ASGI middleware applying the rules above; ``hosts`` are added to the loopback names."""

    def __init__(self, app, *, hosts: Iterable[str] = (), token: str | None = None):
        self.app = app
        self.hosts = {host_name(h) for h in (*LOOPBACK, *hosts)}
        self.token = token.encode() if token else None
        self.secret = secrets.token_bytes(32)

    def form_token(self, session: str) -> str:
        return hmac.new(self.secret, session.encode(), hashlib.sha256).hexdigest()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self._refusal(scope)
        if refused is not None:
            await refused(scope, receive, send)
            return
        cookies = cookie_parser(Headers(scope=scope).get("cookie", ""))
        session = cookies.get(SESSION_COOKIE, "")
        fresh = not _SESSION.fullmatch(session)
        if fresh:
            session = secrets.token_hex(16)
        scope.setdefault("state", {})["csrf"] = self.form_token(session)

        async def send_with_session(message) -> None:
            if fresh and message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(
                    "set-cookie", f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"
                )
            await send(message)

        await self.app(scope, receive, send_with_session)

    def _refusal(self, scope) -> Response | None:
        """The answer to a request that breaks a rule, or None."""
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if host_name(host) not in self.hosts:
            return PlainTextResponse(
                "This dashboard answers only to its own address (see attunement serve "
                "--allow-host).",
                400,
            )
        if self.token is not None:
            given = QueryParams(scope["query_string"]).get("token")
            if given is not None and self._valid(given):
                target = URL(scope=scope).remove_query_params("token")
                location = target.path + (f"?{target.query}" if target.query else "")
                response = RedirectResponse(location, 303)
                response.set_cookie(ACCESS_COOKIE, given, httponly=True, samesite="lax", path="/")
                return response
            cookie = cookie_parser(headers.get("cookie", "")).get(ACCESS_COOKIE, "")
            bearer = headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not (self._valid(cookie) or self._valid(bearer)):
                return PlainTextResponse(
                    "This dashboard needs its access token: open the link that "
                    "`attunement serve` printed, or send `Authorization: Bearer TOKEN`.",
                    401,
                )
        if scope["method"] not in SAFE_METHODS and not _same_origin(headers, scope, host):
            return PlainTextResponse(
                "Refused: this request came from another site, not from the dashboard's own pages.",
                403,
            )
        return None

    def _valid(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.token)


def _same_origin(headers: Headers, scope, host: str) -> bool:
    """Whether the request's ``Origin`` (else ``Referer``) is this dashboard; true when a
    client sends neither (not a browser: the form token still applies)."""
    own = f"{scope.get('scheme', 'http')}://{host}".lower()
    origin = headers.get("origin")
    if origin is not None:
        return origin.lower() == own
    referer = headers.get("referer")
    if referer is not None:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == own
    return True
