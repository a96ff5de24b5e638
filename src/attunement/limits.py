"""Budgets: the limits every read and measure runs within, so that a tiny hostile file cannot
stall a machine.

Each limit has a documented default, a command-line flag (an option of ``attunement`` itself, so
it holds for every command: ``attunement --max-span-days 62 turns week.its``) and an API keyword
(``attunement.read(path, limits=Limits(max_span_days=62))``). A file over a limit is a
``ReadError`` that names the limit and both ways to raise it; data over a measure's limit are a
``DataError`` that does the same.

| keyword (flag ``--max-span-days`` ...) | default | what it bounds |
|---|---|---|
| ``max_span_days`` | 31 | a recording's last time (segment end, duration, recorded pieces) |
| ``max_recordings`` | 1,000 | recordings in one file (RTTM file ids, BORIS observations) |
| ``max_segments`` | 2,000,000 | segments in one file |
| ``max_xml_depth`` | 100 | XML nesting (ELAN files, the tree path of LENA .its) |
| ``max_codes`` | 200 | codes in one lag-sequential table (K x K cells; 1,000 took 1.7 GB) |

Whatever the limits, a time must fit in int64 milliseconds: ``MAX_SPAN_DAYS`` bounds the span.

Readers and measures consult ``current()``; ``read``, ``read_file`` and ``read_batch`` set it from
their ``limits`` argument for the duration of the read, and ``with using(Limits(...)):`` sets it
around any other call.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields

from attunement.errors import ParameterError, ReadError

DAY_MS = 86_400_000
MAX_SPAN_DAYS = 100 * 366  # a century: any span within it fits int64 ms many times over


@dataclass(frozen=True)
class Limits:
    """The read budgets (see the module docstring for their meaning, defaults and flags)."""

    max_span_days: float = 31
    max_recordings: int = 1_000
    max_segments: int = 2_000_000
    max_xml_depth: int = 100
    max_codes: int = 200

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            top = MAX_SPAN_DAYS if f.name == "max_span_days" else 2**62
            whole = f.name != "max_span_days"
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not (number and math.isfinite(value) and 0 < value <= top) or (
                whole and not float(value).is_integer()
            ):
                kind = "a whole number" if whole else "a number"
                raise ParameterError(f"{f.name} must be {kind} > 0 and <= {top:g}, got {value!r}")

    @property
    def max_span_ms(self) -> int:
        return round(self.max_span_days * DAY_MS)

    def over(self, name: str, found: str, api: str = "limits=Limits({name}=N)") -> str:
        """Words for data over limit ``name``: what was found, the limit, and how to raise it
        (the flag, and ``api``: the keyword of a read, ``using`` around a measure)."""
        value = getattr(self, name)
        flag = "--" + name.replace("_", "-")
        unit = " days" if name == "max_span_days" else ""
        return (
            f"{found}, over the limit of {value:,g}{unit} ({name}); if the data are right, "
            f"raise it with `attunement {flag} N ...` or {api.format(name=name)}"
        )

    def refuse(self, path, name: str, found: str, line: int | None = None) -> ReadError:
        """The ``ReadError`` for a file over limit ``name`` (see ``over``)."""
        return ReadError(path, self.over(name, found), line)


DEFAULT = Limits()
USING = "`with attunement.limits.using(Limits({name}=N)):`"  # the API hint around a measure
_current: ContextVar[Limits | None] = ContextVar("attunement_limits", default=None)


def current() -> Limits:
    """The limits in force for this read."""
    return _current.get() or DEFAULT


@contextmanager
def using(limits: Limits | None) -> Iterator[Limits]:
    """``limits`` (or the ones already in force, when None) for the duration of a block."""
    chosen = current() if limits is None else limits
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)
