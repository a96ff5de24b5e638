"""Soak: for about 90 s, three clients upload the real LENA day and three tiny hostile files
(media bullets jumping by 10^12 ms, a TextGrid with xmax = 1e11, an RTTM with 2,000 file ids)
and open their reports, against a dashboard in its own process (uvicorn, the dashboard's own
configuration). The server's resident memory (``/proc/PID/status``, ``VmRSS``) is sampled
throughout: it must come back to within 20% of its level after the first upload and stay under
``CEILING_MB``; no answer may be a 5xx other than a 503 "try again", and no hostile upload may
take longer than its analysis limit allows. Prints the numbers measured.

The server raises the read budgets (as ``attunement --max-span-days 36000 --max-recordings
1000000 serve`` would), so that the bullets and the file ids reach the analyses and only the
dashboard's own limits stop them: analyses run in worker processes, killed at ``TIMEOUT_S`` or
``MEMORY_MB``, so their memory is not the server's; their peak is printed too.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from tests.conftest import REAL, need
from tests.web_helpers import upload

pytestmark = pytest.mark.slow

SOAK_S = 45.0
CLIENTS = 3
TIMEOUT_S = 10
MEMORY_MB = 1000
CEILING_MB = 400  # the server process, whatever the uploads
ITS = REAL / "lena" / "e20160420_165405_010572.its"

SERVER = """
import sys
import uvicorn
from attunement import limits as budgets
from attunement.web import create_app
from attunement.web.limits import ServerLimits
from attunement.web.server import config
limits = ServerLimits(analysis_timeout_s={timeout}, analysis_memory_mb={memory}, max_uploads=8)
with budgets.using(budgets.Limits(max_span_days=36_000, max_recordings=1_000_000)):
    app = create_app(sys.argv[1], limits=limits)
uvicorn.Server(config(app, port=int(sys.argv[2]), log=False)).run()
"""


def hostile() -> dict[str, bytes]:
    head = "@UTF8\n@Begin\n@Languages:\teng\n@Participants:\tCHI Target_Child , MOT Mother\n"
    lines = "".join(
        f"*{who}:\thi .\x15{i * 10**12}_{i * 10**12 + 500}\x15\n"
        for i, who in enumerate(["CHI", "MOT", "CHI", "MOT"])
    )
    far = f"{1e11}"  # 100000000000.0: praatio reads no exponent
    grid = [
        'File type = "ooTextFile"',
        'Object class = "TextGrid"',
        "",
        "xmin = 0",
        f"xmax = {far}",
        "tiers? <exists>",
        "size = 2",
        "item []:",
    ]
    for k, (tier, intervals) in enumerate(
        [("CHI", [(0, 1, "a"), (1, far, "")]), ("MOT", [(0, 2, ""), (2, 3, "b"), (3, far, "")])],
        start=1,
    ):
        grid += [f"    item [{k}]:", '        class = "IntervalTier"', f'        name = "{tier}"']
        grid += [
            "        xmin = 0",
            f"        xmax = {far}",
            f"        intervals: size = {len(intervals)}",
        ]
        for j, (start, end, text) in enumerate(intervals, start=1):
            grid += [f"        intervals [{j}]:", f"            xmin = {start}"]
            grid += [f"            xmax = {end}", f'            text = "{text}"']
    ids = "".join(
        f"SPEAKER f{i} 1 {t}.0 0.8 <NA> <NA> {who} <NA> <NA>\n"
        for i in range(2000)
        for t, who in ((0, "KCHI"), (1, "FEM"))
    )
    return {
        "bullets.cha": (head + lines + "@End\n").encode(),
        "xmax.TextGrid": ("\n".join(grid) + "\n").encode(),
        "ids.rttm": ids.encode(),
    }


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children_rss_mb(pid: int) -> float:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    return sum(rss_mb(int(k)) for k in kids)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_memory_stays_bounded_under_real_and_hostile_uploads(tmp_path):
    files = {ITS.name: need(ITS).read_bytes(), **hostile()}
    port = free_port()
    code = SERVER.format(timeout=TIMEOUT_S, memory=MEMORY_MB)
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "data"), str(port)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=180) as client:
            deadline = time.monotonic() + 120
            while True:
                try:
                    client.get("/")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            started = rss_mb(process.pid)
            first = upload(client, ITS.name, files[ITS.name])
            assert first.status_code == 303
            assert client.get(first.headers["location"] + "/report/0").status_code == 200
        after_first = rss_mb(process.pid)
        outcomes, samples, workers, reasons = _soak(base, process.pid, files)
        time.sleep(5)
        after = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(30)
    peak = max(samples)
    print(
        f"\nsoak {SOAK_S:.0f} s, {CLIENTS} clients: server RSS at start {started:.0f} MB, "
        f"after the first upload {after_first:.0f} MB, peak {peak:.0f} MB, after "
        f"{after:.0f} MB; analysis workers peak {max(workers):.0f} MB in all"
    )
    for name, seen in sorted(outcomes.items()):
        statuses = sorted({s for s, _ in seen})
        slowest = max(t for _, t in seen)
        print(f"  {name}: {len(seen)} uploads, statuses {statuses}, slowest {slowest:.1f} s")
        for reason in sorted(reasons.get(name, ())):
            print(f"    {reason}")
    every = [s for seen in outcomes.values() for s, _ in seen]
    assert len(every) >= 8
    assert all(s < 500 or s == 503 for s in every)
    assert {s for s, _ in outcomes[ITS.name]} <= {303, 503}
    assert all(t < 2 * TIMEOUT_S + 60 for seen in outcomes.values() for _, t in seen)
    assert after <= 1.2 * after_first
    assert peak < CEILING_MB


def _soak(base: str, pid: int, files: dict[str, bytes]):
    outcomes: dict[str, list[tuple[int, float]]] = defaultdict(list)
    reasons: dict[str, set[str]] = defaultdict(set)
    samples: list[float] = []
    workers: list[float] = []
    stop = time.monotonic() + SOAK_S

    def client(offset: int) -> None:
        names = list(files)
        with httpx.Client(base_url=base, timeout=180) as http:
            i = offset
            while time.monotonic() < stop:
                name = names[i % len(names)]
                start = time.monotonic()
                response = upload(http, name, files[name])
                outcomes[name].append((response.status_code, time.monotonic() - start))
                found = re.search(r'class="error-message">([^<]*)<', response.text)
                if found:
                    reasons[name].add(found.group(1).removeprefix(f"{name}: ")[:90])
                if response.status_code == 303:
                    report = http.get(response.headers["location"] + "/report/0")
                    outcomes[f"{name} report"].append(
                        (report.status_code, time.monotonic() - start)
                    )
                i += 1

    def sample() -> None:
        while time.monotonic() < stop + 1:
            samples.append(rss_mb(pid))
            workers.append(children_rss_mb(pid))
            time.sleep(0.5)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    threads.append(threading.Thread(target=sample))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, samples, workers, reasons
