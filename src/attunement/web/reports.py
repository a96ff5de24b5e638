"""What a worker process (``attunement.web.workers``) does with an upload: its headline figures,
and its report written to a file beside the upload; and ``warm``, which a new worker runs first.

The families, their parameters and their figures come from the measure registry
(``attunement.measures.registry.run_all``) with every family's defaults, the command line's
too (``attunement turns``: rule ``lena``, chance baseline of 100 circular shifts, seed 0), so
the page and the CLI agree; the labels are the catalogue's.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from attunement.measures.registry import families, run_all
from attunement.recording import Recording
from attunement.report.build import recording_report
from attunement.report.family import family_report
from attunement.web.files import write_private
from attunement.web.uploads import Upload, UploadRejected, UploadStore

log = logging.getLogger("attunement.web")


def warm() -> None:
    """Import every family's runner and measure a small simulated day, so that loading
    compiled kernels counts against no upload's time limit."""
    from attunement.simulate.daylong import day

    for family in families("recording"):
        family.function()
    segments = day(300, hours=0.25, seed=0)
    headline(Recording(id="warm-up", path="", format="simulated", segments=segments))


def measure(store: UploadStore, upload: Upload) -> list[dict[str, Any]]:
    """Read the stored upload: each recording's headline figures (``headline``) under the
    upload's turn rule."""
    recordings = store.read(upload)
    try:
        return [headline(rec, upload.rule) for rec in recordings]
    except MemoryError:
        raise
    except Exception as exc:  # a measure failing on odd content is the file's problem here
        log.exception("measures failed on upload %s", upload.id)
        raise UploadRejected(
            422,
            "The file could not be measured",
            f"{upload.original_name}: read, but the measures failed "
            f"({type(exc).__name__}); please report this file.",
        ) from None


def headline(rec: Recording, rule: str = "lena") -> dict[str, Any]:
    """The recording's summary and, per family, its parameters and headline figures (name,
    label, value shown with its unit's precision), or why the recording cannot support it."""
    summary = rec.summary()
    summary.pop("path", None)
    families = []
    for outcome in run_all(rec, {"turns": {"rule": rule}}):
        entry: dict[str, Any] = {"family": outcome.family.name, "title": outcome.family.title}
        if outcome.result is None:
            entry["reason"] = outcome.reason
        else:
            values = outcome.result.figures()
            entry["key"] = outcome.result.identity()
            entry["figures"] = [
                {"name": f.name, "label": f.label, "shown": f.display(values[f.name])}
                for f in outcome.family.scalars
                if f.headline and values[f.name] is not None
            ]
        families.append(entry)
    return {"summary": summary, "families": families}


def write_report(
    store: UploadStore, upload: Upload, index: int, coach_view: bool, target: Path
) -> None:
    """Write the report of recording ``index`` of ``upload`` (the coach view first when
    ``coach_view``) to ``target`` (mode 0600, atomically), with every family's defaults."""
    rec = store.read(upload)[index]
    settings = {"turns": {"rule": upload.rule}}
    write_private(target, recording_report(rec, coach_view=coach_view, settings=settings))


def write_family_report(
    store: UploadStore,
    uploads: list[Upload],
    name: str,
    birth: date | None,
    lang: str,
    target: Path,
) -> None:
    """Write the family view (``report.family``) of the recordings of ``uploads`` (one child's
    visits, under the first visit's turn rule, without words if any visit was uploaded without
    them) in ``lang`` to ``target`` (mode 0600, atomically)."""
    recordings = [rec for upload in uploads for rec in store.read(upload)]
    rule = uploads[0].rule if uploads else "lena"
    report = family_report(
        recordings,
        lang=lang,
        child_name=name or None,
        birth_date=birth,
        settings={"turns": {"rule": rule}, "repair": {"match_table": "auto"}},
        words=all(u.keep_text for u in uploads),
    )
    write_private(target, report.html)


def write_corpus_report(db: Path, recording_id: str, target: Path) -> None:
    """Write the report of one recording of a corpus store (opened read-only) to ``target``."""
    from contextlib import closing

    from attunement.corpus import open_store, rebuild
    from attunement.corpus.store import guarded

    with guarded(db), closing(open_store(db, read_only=True, wait_s=3.0)) as con:
        ((meta, rows),) = rebuild.fetch(con, [recording_id])
        rec = rebuild.recording(meta, rows)
    write_private(target, recording_report(rec))
