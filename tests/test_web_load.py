"""A load test on loopback: 50 concurrent clients send 1,000 requests over a mix of pages to a
real uvicorn server; no response may be a 5xx and each page must give its expected status.
Prints the requests per second measured (never asserted: the machine is shared)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
import pytest

from attunement.web import create_app
from tests.conftest import REAL, need
from tests.web_helpers import running, upload

CLIENTS = 50
REQUESTS = 1000


@pytest.mark.slow
def test_thousand_requests_from_fifty_clients_no_5xx(tmp_path):
    its = need(REAL / "lena" / "test.its")
    app = create_app(tmp_path / "data")
    with running(app) as base:
        with httpx.Client(base_url=base, follow_redirects=True, timeout=60) as warm:
            sent = upload(warm, its.name, its.read_bytes())
            assert sent.status_code == 200
            recording = sent.url.path
            for r, p in ((0.3, 0.7), (0.8, 0.4)):  # simulations are cached per slider setting
                assert warm.get(f"/simulate/plots?responsiveness={r}&repair={p}").is_success
        mix = [
            ("/", 200),
            ("/upload", 200),
            ("/recordings", 200),
            (recording, 200),
            ("/simulate/plots?responsiveness=0.3&repair=0.7", 200),
            ("/simulate/plots?responsiveness=0.8&repair=0.4", 200),
            ("/static/htmx.min.js", 200),
            ("/corpus", 200),
            ("/recordings/" + "f" * 32, 404),
            ("/simulate?responsiveness=7", 400),
        ]
        statuses, wrong, seconds = asyncio.run(_load(base, mix))
    print(
        f"\nload: {REQUESTS} requests, {CLIENTS} concurrent clients, {seconds:.2f} s, "
        f"{REQUESTS / seconds:.0f} requests/s; statuses {dict(statuses)}"
    )
    assert sum(statuses.values()) == REQUESTS
    assert not [s for s in statuses if s >= 500]
    assert wrong == []


async def _load(base: str, mix: list[tuple[str, int]]):
    statuses: Counter[int] = Counter()
    wrong: list[tuple[str, int]] = []
    queue = list(range(REQUESTS))
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker():
            while queue:
                url, expected = mix[queue.pop() % len(mix)]
                response = await client.get(url)
                statuses[response.status_code] += 1
                if response.status_code != expected:
                    wrong.append((url, response.status_code))

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        return statuses, wrong, time.perf_counter() - start
