"""Browsing a corpus store (made by ``attunement ingest``), opened read-only for each request.

DuckDB lets one process write a store file; a dashboard only reads, so every request opens the
store with ``read_only=True`` (``attunement.corpus.open_store``), asks ``corpus.queries`` and
closes it again: an ingest can run between two page views, and ``StoreBusy`` while it writes
becomes a "try again" page, not a stale view. Which measures are shown, and under which names,
comes from the measure registry: every family that runs on recordings, its headline figures.
"""

from __future__ import annotations

import json
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


SORTABLE = ("recording_id", "child", "child_age_days", "format", "hours", "n_segments")


def child_of(row: dict[str, Any]) -> str:
    """The recording's child as its source names it: a ``child_id`` in its metadata (e.g.
    ChildProject's), else the key child's name or id among its participants; "" if neither."""
    extra = json.loads(row.get("extra") or "{}")
    if isinstance(extra, dict) and extra.get("child_id"):
        return str(extra["child_id"])
    for p in json.loads(row.get("participants") or "[]"):
        if isinstance(p, dict) and p.get("speaker_type") == "CHI":
            return str(p.get("name") or p.get("id") or "")
    return ""


def overview(
    store: Path, page: int = 0, sort: str = "recording_id", descending: bool = False
) -> dict[str, Any]:
    """Counts, formats, one page of recordings (sorted by ``sort``: a column of ``SORTABLE``
    or a headline figure's name) with their child and age and the headline figures of the
    first measured configuration of the first family in the store (e.g. turns under its first
    rule), and every failure. A page beyond the last shows the last; a recording without a
    value sorts last either way."""
    with _connection(store) as con:
        totals = queries.totals(con)
        pages = max(1, -(-totals["recordings"] // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        recordings = queries.recording_rows(con)
        for r in recordings:
            r["child"] = child_of(r)
            del r["participants"], r["extra"]
        shown, values = None, {}
        for family in families("recording"):
            keys = queries.key_values(con, family)
            if family.name in queries.tables(con) and (keys or not family.key_parameters):
                chosen = keys[0] if keys else {}
                latest = queries.latest(con, family, chosen)
                by_id = {row["recording_id"]: row for row in latest.iter_rows(named=True)}
                for r in recordings:
                    found = by_id.get(r["recording_id"], {})
                    r["figures"] = _shown(family, found)
                    values[r["recording_id"]] = {
                        f.name: found.get(f.name) for f in _headline(family)
                    }
                shown = {
                    "title": family.title,
                    "key": chosen,
                    "columns": [(f.name, f.label) for f in _headline(family)],
                }
                break
        failures = queries.failures(con).to_dicts()
        formats = queries.formats(con)
    names = {name for name, _ in (shown or {}).get("columns", [])}
    if sort not in SORTABLE and sort not in names:
        sort = "recording_id"

    def value(r):
        v = r.get(sort) if sort in SORTABLE else values.get(r["recording_id"], {}).get(sort)
        return v in (None, ""), v if v not in (None, "") else 0

    ordered = sorted(recordings, key=lambda r: r["recording_id"])
    ordered.sort(key=value, reverse=descending)
    if descending:  # missing values last either way
        ordered.sort(key=lambda r: value(r)[0])
    first = page * PAGE_SIZE
    return {
        "totals": totals,
        "formats": formats,
        "shown": shown,
        "recordings": ordered[first : first + PAGE_SIZE],
        "failures": failures,
        "page": page,
        "pages": pages,
        "first": first + 1 if ordered else 0,
        "last": min(first + PAGE_SIZE, len(ordered)),
        "sort": sort,
        "descending": descending,
    }


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
