"""``ReadError``: the one error a reader raises, naming file, line or element, and problem."""

from __future__ import annotations

from pathlib import Path


class ReadError(Exception):
    """A file could not be read.

    ``path`` is the file, ``line`` the 1-based line (or element number, for XML formats) where the
    problem was found, or ``None`` when it concerns the file as a whole, and ``problem`` says what
    was wrong in words a researcher can act on.
    """

    def __init__(self, path: str | Path, problem: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.problem}"

    def __reduce__(self):
        return (ReadError, (self.path, self.problem, self.line))
