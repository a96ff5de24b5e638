"""One error hierarchy: every error the package raises on purpose is an ``AttunementError``.

A face (the command line, the dashboard) catches ``AttunementError`` once and prints its message
as one line; anything else is a bug and keeps its traceback.

- ``ReadError``: a file could not be read (names file, line and problem).
- ``ParameterError``: an argument is out of range or unknown (names the parameter, the rule it
  breaks and the value: ``"n_resamples must be a whole number >= 0, got -5"``; for a name that
  is not one of the choices, ``"unknown turn rule 'x'; choose one of lena, ..."``).
- ``DataError``: the data cannot support what was asked (no coded partner, too few events, a
  code missing from a table).
- ``StoreError``: a corpus store cannot be opened or used; ``StoreBusy`` when another process
  writes it, ``StoreDamaged`` when its file is damaged (truncated, overwritten).
- ``OutputError``: an output path cannot be written (missing folder, a directory, an input).

``ParameterError`` and ``DataError`` are also ``ValueError``s, so code written against the
standard library's convention keeps working.
"""

from __future__ import annotations

from pathlib import Path


class AttunementError(Exception):
    """The base of every error this package raises on purpose."""


class ReadError(AttunementError):
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


class ParameterError(AttunementError, ValueError):
    """An argument is unknown or out of its range."""


class DataError(AttunementError, ValueError):
    """The data cannot support the measure asked for."""


class StoreError(AttunementError):
    """A corpus store cannot be opened or used."""


class StoreBusy(StoreError):
    """Another process holds the store for writing; try again, or wait (``wait_s``)."""


class StoreDamaged(StoreError):
    """The store file is damaged; restore it from a Parquet export or ingest the files again."""


class OutputError(AttunementError):
    """An output path cannot be written."""
