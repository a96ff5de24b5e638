"""Analyses in worker processes, each within a wall-clock and a memory limit.

The dashboard never reads an upload, runs a measure or draws a plot in its own process:
``Workers.run("module:function", *args)`` hands the call to one of at most
``ServerLimits.workers`` worker processes (spawned: they share no state with the server, and
the server never imports the science) and waits for it without blocking the server. What an
analysis makes (a report, a simulation) it writes to disk beside the upload; only a small reply
comes back, so the server's memory does not grow with the files it analyses.

- **Time**: an analysis still running after ``analysis_timeout_s`` is killed and becomes a 422
  page saying so. A worker's start-up (imports, a warm-up analysis: ``WARM``) does not count.
- **Memory**: the worker's resident memory (Linux ``/proc/PID/status``, ``VmRSS``) is read
  every ``POLL_S``; past ``analysis_memory_mb`` the worker is killed likewise. A
  ``MemoryError`` inside the analysis is reported the same way.
- A worker that was killed, crashed, or ended an analysis above half its memory limit is
  replaced by a fresh one; a worker idle for ``IDLE_S`` exits, so an idle dashboard holds no
  analysis memory.
- When every worker is busy, an analysis waits for one up to ``analysis_timeout_s``, then 503.
- The read and measure budgets in force where the pool was made (``attunement.limits``, e.g.
  ``attunement --max-span-days 62 serve``) hold in the workers too.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from attunement import limits as budgets
from attunement.errors import AttunementError
from attunement.web.files import write_private
from attunement.web.limits import MB, ServerLimits
from attunement.web.uploads import UploadRejected

log = logging.getLogger("attunement.web")

POLL_S = 0.05
IDLE_S = 120.0  # a worker with no analysis for this long exits
RETIRE_S = IDLE_S - 20.0  # the server stops using an idle worker before it exits by itself
START_S = 120.0  # the longest a new worker may take to import what it needs
WARM = "attunement.web.reports:warm"  # what a new worker runs before its first analysis
STOPPED = "The analysis was stopped"


class Workers:
    """A pool of at most ``limits.workers`` analysis processes, started when first needed."""

    def __init__(self, limits: ServerLimits):
        self.limits = limits
        self.budgets = budgets.current()
        self._context = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._busy = 0
        self._lock = threading.Lock()

    async def run(self, func: str, *args: Any, about: str) -> Any:
        """``func(*args)`` in a worker within the limits, ``func`` named ``"module:function"``;
        its return value (keep it small). Raises ``UploadRejected``: the analysis's own
        refusal, or 422 when it was stopped or failed (``about`` names what was analysed in
        the message), or 503 when no worker became free in time."""
        worker = await self._acquire()
        healthy = False
        try:
            if worker is None:
                worker = _Worker(self._context)
                await worker.started()
            reply = await worker.call(func, args, self.limits, self.budgets)
            healthy = worker.rss_mb() < self.limits.analysis_memory_mb / 2
        except _Stopped as stopped:
            raise UploadRejected(422, STOPPED, f"{about}: {stopped}") from None
        finally:
            self._release(worker, healthy)
        if reply[0] == "refused":
            raise UploadRejected(*reply[1:])
        if reply[0] == "failed":
            raise UploadRejected(
                422,
                "The analysis failed",
                f"{about}: the analysis failed ({reply[1]}); the file is probably damaged. "
                "Please report it if not.",
            )
        return reply[1]

    async def make(self, target: Path, func: str, *args: Any, about: str) -> None:
        """``run(func, *args)``, which writes ``target``, unless ``target`` exists. A 422 is
        remembered beside it (``<target>.refused.json``) and given again without analysing
        the same file again, until the analysis limits change."""
        if target.is_file():
            return
        refused = target.with_name(target.name + ".refused.json")
        stamp = [self.limits.analysis_timeout_s, self.limits.analysis_memory_mb]
        try:
            saved = json.loads(refused.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = None
        if saved and saved.get("limits") == stamp:
            raise UploadRejected(saved["status"], saved["title"], saved["message"])
        try:
            await self.run(func, *args, about=about)
        except UploadRejected as exc:
            if exc.status == 422:
                record = {"status": 422, "title": exc.title, "message": exc.message}
                write_private(refused, json.dumps(record | {"limits": stamp}))
            raise

    def close(self) -> None:
        """Stop the idle workers (a busy one ends with its analysis or with the server)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    async def _acquire(self) -> _Worker | None:
        """A live idle worker, or None when a new one may be started; waits for a free slot."""
        deadline = time.monotonic() + self.limits.analysis_timeout_s
        while True:
            with self._lock:
                if self._busy < self.limits.workers:
                    self._busy += 1
                    return self._take_idle()
            if time.monotonic() > deadline:
                raise UploadRejected(
                    503,
                    "Every analysis worker is busy",
                    f"{self.limits.workers} analyses are running; try again in a minute.",
                    headers={"Retry-After": "60"},
                )
            await asyncio.sleep(POLL_S)

    def _take_idle(self) -> _Worker | None:
        while self._idle:
            worker = self._idle.pop()
            if worker.process.is_alive() and time.monotonic() - worker.last_used < RETIRE_S:
                return worker
            worker.stop()
        return None

    def _release(self, worker: _Worker | None, healthy: bool) -> None:
        if worker is not None and not healthy:
            worker.stop()
        with self._lock:
            self._busy -= 1
            if worker is not None and healthy:
                worker.last_used = time.monotonic()
                self._idle.append(worker)


class _Stopped(AttunementError):
    """An analysis killed or lost; the message says why (``Workers.run`` makes it a 422)."""


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child,), name="attunement-analysis", daemon=True
        )
        self.process.start()
        child.close()
        self.last_used = time.monotonic()

    async def started(self) -> None:
        deadline = time.monotonic() + START_S
        while not self.conn.poll() and self.process.is_alive():
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(POLL_S)
        try:
            self.conn.recv()  # "ready"
        except (EOFError, OSError):
            self.stop()
            raise _Stopped("the analysis worker could not start; see the server's log") from None

    async def call(self, func, args, limits: ServerLimits, read: budgets.Limits) -> tuple:
        try:
            self.conn.send((func, args, read))
        except OSError:  # the worker died while idle
            raise _Stopped(_ended(self._exitcode(), limits)) from None
        deadline = time.monotonic() + limits.analysis_timeout_s
        while not self.conn.poll():
            if not self.process.is_alive():
                raise _Stopped(_ended(self._exitcode(), limits))
            if self.rss_mb() > limits.analysis_memory_mb:
                self.stop()
                raise _Stopped(_over_memory(limits))
            if time.monotonic() > deadline:
                self.stop()
                raise _Stopped(
                    f"the analysis took longer than {limits.analysis_timeout_s:g} s and was "
                    "stopped. If the file is right, raise the limit with "
                    "`attunement serve --analysis-timeout SECONDS`."
                )
            await asyncio.sleep(POLL_S)
        try:
            reply = self.conn.recv()
        except (EOFError, OSError):
            raise _Stopped(_ended(self._exitcode(), limits)) from None
        if reply[0] == "memory":
            self.stop()
            raise _Stopped(_over_memory(limits))
        return reply

    def rss_mb(self) -> float:
        """The worker's resident memory in MB (0 where ``/proc`` does not exist)."""
        try:
            with open(f"/proc/{self.process.pid}/status", "rb") as status:
                for line in status:
                    if line.startswith(b"VmRSS:"):
                        return int(line.split()[1]) * 1024 / MB
        except (OSError, ValueError):
            pass
        return 0.0

    def _exitcode(self) -> int | None:
        self.process.join(1)
        return self.process.exitcode

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _over_memory(limits: ServerLimits) -> str:
    return (
        f"the analysis needed more than {limits.analysis_memory_mb:,} MB of memory and was "
        "stopped. If the file is right, raise the limit with "
        "`attunement serve --analysis-memory-mb MB`."
    )


def _ended(exitcode: int | None, limits: ServerLimits) -> str:
    how = f"exit code {exitcode}"
    if exitcode is not None and exitcode < 0:
        how = signal.Signals(-exitcode).name
    return (
        f"the analysis process ended abruptly ({how}): the machine may have run out of memory "
        f"before the {limits.analysis_memory_mb:,} MB limit was reached, or the file hit a bug. "
        "Please report the file if it is right."
    )


def _function(name: str) -> Callable[..., Any]:
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


def _serve(conn) -> None:
    """A worker's loop: warm up (``WARM``), then answer calls until the pipe closes or no call
    comes for ``IDLE_S``. Replies: ``("ok", value)``, ``("refused", status, title,
    message)``, ``("memory",)`` or ``("failed", exception type)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    _function(WARM)()
    conn.send("ready")
    while conn.poll(IDLE_S):
        try:
            name, args, read = conn.recv()
        except EOFError:
            return
        try:
            with budgets.using(read):
                reply: tuple = ("ok", _function(name)(*args))
        except UploadRejected as exc:
            reply = ("refused", exc.status, exc.title, exc.message)
        except MemoryError:
            reply = ("memory",)
        except Exception as exc:  # a bug on odd content: the file's page says so, 422
            log.exception("analysis %s failed in worker %d", name, os.getpid())
            reply = ("failed", type(exc).__name__)
        conn.send(reply)
