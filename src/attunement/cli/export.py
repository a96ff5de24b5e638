"""``attunement export``: a store's results as one tidy table for R, or its data as a
ChildProject dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attunement.cli.common import NoWordsOpt, existing_store, out
from attunement.cli.ingest import DbOpt
from attunement.errors import ParameterError

FORMATS = ("tidy", "childproject")


def command(
    target: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write: the table (.csv or .parquet) or, with --format childproject, "
            "the dataset's folder.",
            show_default=False,
        ),
    ] = None,
    db: DbOpt = Path("corpus.duckdb"),
    per: Annotated[
        str, typer.Option("--per", help="One row per recording, child or (clock) hour.")
    ] = "recording",
    out_path: Annotated[
        Path | None, typer.Option("--out", help="The table to write (.csv or .parquet).")
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="tidy: one wide table and its parameters sidecar; childproject: a ChildProject "
            "dataset (metadata and converted annotations).",
        ),
    ] = "tidy",
    specs: Annotated[
        list[str] | None,
        typer.Option(
            "--measure",
            help="Only this configuration, FAMILY[:PARAM=VALUE,...] as measured (repeat it); "
            "default: every family, its newest configuration per key values.",
        ),
    ] = None,
    confidential: Annotated[
        bool,
        typer.Option(
            "--confidential",
            help="Include the confidential metadata columns (ChildProject's metadata/children/ "
            "and metadata/recordings/ files).",
        ),
    ] = False,
    no_words: NoWordsOpt = False,
) -> None:
    """Export a corpus store. The tidy table has one row per unit (child_id, recording_id,
    session_id, set, age_days, date, hours) and one column per figure of every measured family,
    named <family>_<key>__<figure> from the catalogue (attunement measures); parameters, the
    package version and the definitions version go to <stem>.parameters.json (and the Parquet
    schema metadata). --format childproject writes a dataset ChildProject reads back."""
    if format not in FORMATS:
        raise ParameterError(f"--format must be one of {', '.join(FORMATS)}, got {format!r}")
    where = out_path or target
    if where is None or (out_path is not None and target is not None):
        raise ParameterError("give one place to write: OUT (or --out OUT)")
    existing_store(db)
    if format == "childproject":
        from attunement.corpus.childproject_out import export_dataset

        written = export_dataset(db, where, confidential=confidential, keep_text=not no_words)
        out.print(
            f"wrote a ChildProject dataset to {where}: {written['children']} child(ren), "
            f"{written['recordings']} recording(s), {written['annotations']} annotation(s)",
            highlight=False,
        )
        for note in written["notes"]:
            out.print(f"  note: {note}", highlight=False, soft_wrap=True)
        return
    from attunement.corpus.tidy import export
    from attunement.measures.registry import request

    configs = None
    families = None
    if specs:
        from attunement.corpus.results import config_key

        chosen = [request(spec, allow_large=True) for spec in specs]
        configs = {config_key(f.name, cfg) for f, cfg in chosen}
        families = list({f.name: f for f, _ in chosen}.values())
    for path in export(db, where, per, families, configs, confidential):
        out.print(f"wrote {path}", highlight=False)
