"""Corpora: an embedded store (DuckDB + Parquet), resumable batch runs, and scale-out on Dask.

``ingest(paths, db)`` reads files into the store one transaction per file; ``measure(db, requests)``
computes measure families (``attunement.measures.registry``) incrementally; ``export_store`` /
``import_store`` move the tables to and from Parquet; ``open_store`` opens a store (read-only for
readers) and refuses files that are not one. See ``store`` for the tables and for how readers get a
consistent view."""

from attunement.corpus.exchange import export_store, import_store
from attunement.corpus.ingest import IngestSummary, ingest
from attunement.corpus.measure import MeasureSummary, measure
from attunement.corpus.store import StoreBusy, StoreError, open_store

__all__ = [
    "IngestSummary",
    "MeasureSummary",
    "StoreBusy",
    "StoreError",
    "export_store",
    "import_store",
    "ingest",
    "measure",
    "open_store",
]
