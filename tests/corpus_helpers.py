"""Shared pieces of the corpus tests: a CLI with the two corpus commands, generated files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import typer

from attunement.simulate.daylong import day


def corpus_app() -> typer.Typer:
    """The command line itself (its error handling included)."""
    from attunement.cli import app

    return app


def make_days(folder: Path, n: int, segments: int = 400, hours: float = 0.5) -> list[Path]:
    """``n`` synthetic recordings as CSV files day000.csv ... (seeded: the same every time)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"day{i:03d}.csv"
        day(segments, hours=hours, seed=i).write_csv(path)
        paths.append(path)
    return paths


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
