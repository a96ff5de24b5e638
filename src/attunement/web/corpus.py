"""Browsing a corpus store (made by ``attunement ingest``), opened read-only for each request.

DuckDB lets one process write a store file; a dashboard only reads, so every request opens the
store with ``read_only=True`` (``attunement.corpus.open_store``), asks ``corpus.queries`` and
closes it again: an ingest can run between two page views, and ``StoreBusy`` while it writes
becomes a "try again" page, not a stale view. Which measures are shown, and under which names,
comes from the measure registry: every family that runs on recordings, its headline figures.
"""

from __future__ import annotations

from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from attunement.corpus import open_store, queries
from attunement.corpus.store import guarded
from attunement.measures.registry import Family, families

PAGE_SIZE = 100
READ_WAIT_S = 3.0  # an ingest lets readers in at least every 2 s; then a 503 "try again"


@contextmanager
def _connection(store: Path):
    with guarded(store), closing(open_store(store, read_only=True, wait_s=READ_WAIT_S)) as con:
        yield con


def _headline(family: Family) -> list:
    return [f for f in family.scalars if f.headline]


def _shown(family: Family, row: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"name": f.name, "label": f.label, "shown": f.display(row.get(f.name))}
        for f in _headline(family)
    ]


def overview(store: Path, page: int = 0) -> dict[str, Any]:
    """Counts, formats, one page of recordings with the headline figures of the first measured
    configuration of the first family in the store (e.g. turns under its first rule), and every
    failure. A page beyond the last shows the last."""
    with _connection(store) as con:
        totals = queries.totals(con)
        pages = max(1, -(-totals["recordings"] // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        recordings = queries.recording_page(con, PAGE_SIZE, page * PAGE_SIZE)
        shown = None
        for family in families("recording"):
            keys = queries.key_values(con, family)
            if family.name in queries.tables(con) and (keys or not family.key_parameters):
                chosen = keys[0] if keys else {}
                latest = queries.latest(
                    con, family, chosen, [r["recording_id"] for r in recordings]
                )
                by_id = {row["recording_id"]: row for row in latest.iter_rows(named=True)}
                for r in recordings:
                    r["figures"] = _shown(family, by_id.get(r["recording_id"], {}))
                shown = {
                    "title": family.title,
                    "key": chosen,
                    "labels": [f.label for f in _headline(family)],
                }
                break
        out = {
            "totals": totals,
            "formats": queries.formats(con),
            "shown": shown,
            "recordings": recordings,
            "failures": queries.failures(con).to_dicts(),
        }
    out |= {"page": page, "pages": pages}
    return out


def recording(store: Path, recording_id: str) -> dict[str, Any] | None:
    """One recording's row, its segments per speaker type and kind, and per measured family and
    configuration its headline figures, or None when the store has no such recording."""
    with _connection(store) as con:
        found = queries.recording(con, recording_id)
        if found is None:
            return None
        measured = []
        for family in families("recording"):
            for keys in queries.key_values(con, family) or [{}]:
                latest = queries.latest(con, family, keys, [recording_id])
                for row in latest.iter_rows(named=True):
                    measured.append(
                        {
                            "title": family.title,
                            "key": keys,
                            "status": row["status"],
                            "figures": _shown(family, row),
                        }
                    )
        counts = queries.segment_counts(con, recording_id)
    return {"recording": found, "counts": counts, "measured": measured}
