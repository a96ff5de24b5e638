"""The dashboard's log, rate-limited so that a flood of requests or errors cannot fill a disk.

``RateLimit`` lets through at most ``per_minute`` records of each message template (the access
log line, "Too many open files", a refused upload ...; templates that start alike count as one)
in each minute and drops the rest; the first record let through after drops ends with how many
were dropped. ``log_config`` is
uvicorn's logging configuration with that filter on every handler, and the root logger (where
asyncio and ``attunement.web`` write) sent through the same handler.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from typing import Any

LINES_PER_MINUTE = 60
WINDOW_S = 60.0
KEY_CHARS = 60  # templates that share their first 60 characters count as one
MAX_TEMPLATES = 1000  # distinct templates tracked; beyond, the oldest windows are forgotten


class RateLimit(logging.Filter):
    """At most ``per_minute`` records per message template and minute (see the module)."""

    def __init__(self, per_minute: int = LINES_PER_MINUTE, clock=time.monotonic):
        super().__init__()
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[tuple[str, str], list] = {}  # template -> [start, passed, dropped]
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            return self._count(record)

    def _count(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        key = (record.name, str(record.msg)[:KEY_CHARS])
        window = self._windows.get(key)
        if window is None or now - window[0] >= WINDOW_S:
            dropped = window[2] if window else 0
            if len(self._windows) >= MAX_TEMPLATES:
                self._forget(now)
            self._windows[key] = [now, 1, 0]
            if dropped:
                record.msg = f"{record.msg} [{dropped:,} similar lines dropped in the last minute]"
            return True
        if window[1] < self.per_minute:
            window[1] += 1
            return True
        window[2] += 1
        return False

    def _forget(self, now: float) -> None:
        stale = [k for k, w in self._windows.items() if now - w[0] >= WINDOW_S]
        for key in stale or list(self._windows)[: MAX_TEMPLATES // 2]:
            del self._windows[key]


def log_config(per_minute: int = LINES_PER_MINUTE) -> dict[str, Any]:
    """uvicorn's default logging configuration with ``RateLimit`` on its handlers and the root
    logger routed through them."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"rate": {"()": RateLimit, "per_minute": per_minute}}
    for handler in config["handlers"].values():
        handler["filters"] = ["rate"]
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    config["loggers"]["attunement"] = {"level": "INFO"}
    return config
