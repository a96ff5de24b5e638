"""Analyses run in worker processes within a wall-clock and a memory limit: a stalled, greedy or
crashing analysis becomes a 422 page with the reason, and the server keeps answering meanwhile.

The misbehaving analyses are ``tests.web_helpers``' ``stall``, ``hog`` and ``crash``, put in
place of the dashboard's own by name (``attunement.web.app.ANALYSES``); the workers import them
as they would the real ones. A worker's start-up (imports) does not count against the limit, so
the bounds on elapsed time below only prove that nothing hung.
"""

from __future__ import annotations

import re
import threading
import time
import warnings

import httpx
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from attunement import limits as budgets
from attunement.web import app as web_app
from attunement.web import create_app
from attunement.web.limits import ServerLimits
from tests.web_helpers import BASE, running, upload

RTTM = b"".join(
    f"SPEAKER day 1 {t:.1f} 0.8 <NA> <NA> {who} <NA> <NA>\n".encode()
    for t, who in zip(range(0, 40, 2), ["KCHI", "FEM"] * 10, strict=True)
)
pytestmark = pytest.mark.slow  # worker processes start (imports, warm-up) after each kill
LIMITS = ServerLimits(analysis_timeout_s=3, analysis_memory_mb=1000, workers=2)


def message(response) -> str:
    found = re.search(r'class="error-message">([^<]*)<', response.text)
    return found.group(1) if found else ""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("limits") / "data"
    with (
        running(create_app(data, limits=LIMITS)) as base,
        httpx.Client(base_url=base, timeout=120, follow_redirects=False) as client,
    ):
        yield client


def test_a_stalled_analysis_is_stopped_and_the_server_keeps_answering(server, monkeypatch):
    monkeypatch.setitem(web_app.ANALYSES, "measure", "tests.web_helpers:stall")
    outcome: dict = {}

    def send():
        start = time.monotonic()
        with httpx.Client(base_url=str(server.base_url), timeout=120) as other:
            outcome["response"] = upload(other, "day.rttm", RTTM)
        outcome["seconds"] = time.monotonic() - start

    uploading = threading.Thread(target=send)
    uploading.start()
    latencies = []
    while uploading.is_alive():  # a second client, all through the stalled analysis
        start = time.monotonic()
        assert server.get("/recordings").status_code == 200
        latencies.append(time.monotonic() - start)
        time.sleep(0.2)
    uploading.join()
    response = outcome["response"]
    print(
        f"\nstalled analysis: 422 after {outcome['seconds']:.1f} s (worker start included); "
        f"{len(latencies)} requests meanwhile, slowest {max(latencies) * 1000:.0f} ms"
    )
    assert response.status_code == 422
    assert "took longer than 3 s and was stopped" in message(response)
    assert "day.rttm" in message(response)
    assert len(latencies) >= 10  # the stall lasted at least 3 s, polled every 0.2 s
    assert max(latencies) < 1.0
    assert outcome["seconds"] < 90  # did not hang
    listing = server.get("/recordings").text
    assert "day.rttm" not in listing  # the refused upload was not kept


@pytest.mark.parametrize(
    ("analysis", "expected"),
    [
        ("tests.web_helpers:hog", "needed more than 1,000 MB of memory and was stopped"),
        ("tests.web_helpers:crash", "ended abruptly (SIGSEGV)"),
    ],
)
def test_greedy_or_crashing_analyses_are_422_and_the_next_upload_works(
    server, monkeypatch, analysis, expected
):
    with monkeypatch.context() as patched:
        patched.setitem(web_app.ANALYSES, "measure", analysis)
        start = time.monotonic()
        response = upload(server, "day.rttm", RTTM)
        seconds = time.monotonic() - start
    assert response.status_code == 422, message(response)
    assert expected in message(response)
    assert seconds < 90  # did not hang (a hog reaches 1,000 MB within seconds)
    after = upload(server, "day.rttm", RTTM)  # a fresh worker replaces the killed one
    assert after.status_code == 303, message(after)


def test_a_refused_report_is_remembered_not_analysed_again(server, monkeypatch):
    sent = upload(server, "day.rttm", RTTM)
    assert sent.status_code == 303
    report = sent.headers["location"] + "/report/0"
    monkeypatch.setitem(web_app.ANALYSES, "report", "tests.web_helpers:stall")
    first = server.get(report)
    assert first.status_code == 422
    assert "took longer than 3 s" in message(first)
    start = time.monotonic()
    again = server.get(report)
    assert time.monotonic() - start < 1.0  # the stored refusal, no second 3-s analysis
    assert again.status_code == 422 and message(again) == message(first)


def test_read_budgets_in_force_hold_in_the_workers(tmp_path):
    three = b"".join(
        f"SPEAKER f{i} 1 {t}.0 0.8 <NA> <NA> {who} <NA> <NA>\n".encode()
        for i in range(3)
        for t, who in ((0, "KCHI"), (1, "FEM"))
    )
    with budgets.using(budgets.Limits(max_recordings=2)):  # attunement --max-recordings 2 serve
        app = create_app(tmp_path / "data", limits=LIMITS)
    try:
        response = upload(TestClient(app, base_url=BASE), "three.rttm", three)
    finally:
        app.state.workers.close()
    assert response.status_code == 422
    assert "max_recordings" in message(response)
