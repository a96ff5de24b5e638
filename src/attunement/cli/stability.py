"""`attunement stability`: how stable are attachment classifications from wave to wave?"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from attunement.attachment.specs import MODERATOR_TESTS
from attunement.cli.common import JsonOpt, err, out
from attunement.errors import DataError

if TYPE_CHECKING:
    import polars as pl

    from attunement.attachment.change import ClassificationChange

Waves = Annotated[
    list[Path], typer.Argument(help="One CSV per wave, in time order.", show_default=False)
]


class _BadData(DataError):
    """A wave file that cannot be read as a table of ids and classes."""


def command(
    waves: Waves,
    id_column: Annotated[str, typer.Option("--id", help="Respondent id column.")] = "id",
    class_column: Annotated[
        str, typer.Option("--class", help="Classification column.")
    ] = "classification",
    moderator: Annotated[
        str | None,
        typer.Option("--moderator", help="Column to split stability by (first file that has it)."),
    ] = None,
    secure: Annotated[
        str, typer.Option("--secure", help="Comma-separated classes counted as secure.")
    ] = "B",
    classes: Annotated[
        str, typer.Option("--classes", help="Comma-separated classes, in table order.")
    ] = "A,B,C,D",
    moderator_on: Annotated[
        str, typer.Option("--moderator-on", help="'two_way' (secure/insecure) or 'categories'.")
    ] = "two_way",
    test: Annotated[
        str, typer.Option("--test", help=f"Moderator test: {', '.join(MODERATOR_TESTS)}.")
    ] = "fisher",
    confidence: Annotated[
        float, typer.Option("--confidence", help="Confidence level of the κ intervals.")
    ] = 0.95,
    as_json: JsonOpt = False,
) -> None:
    """Stability of classifications across waves: transition matrix, percent stable, Cohen's κ
    (all classes and secure vs insecure) with CI, and the split by a moderator. Subgroups count
    as their class (B2 -> B, D/B2 -> D). With 3+ waves: adjacent and first-to-each pairs; the
    top-level figures compare the first wave with the last."""
    if len(waves) < 2:
        err.print("error: give at least two wave files")
        raise typer.Exit(2)
    import polars as pl

    from attunement.attachment.change import classification_change

    labels = [c.strip() for c in classes.split(",") if c.strip()]
    secure_classes = [c.strip() for c in secure.split(",") if c.strip()]
    names = _wave_names(waves)
    try:
        frames = [
            _read_wave(path, name, id_column, class_column, labels)
            for path, name in zip(waves, names, strict=True)
        ]
        data = _join(frames, names, id_column, class_column, waves, moderator)
        result = classification_change(
            data,
            waves=names,
            id_column=id_column,
            categories=labels,
            secure=secure_classes,
            moderator=moderator,
            moderator_on=moderator_on,
            moderator_test=test,
            confidence=confidence,
        )
    except _BadData as exc:  # a wave file that cannot be used is a failed input: exit 1
        err.print(f"error: {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    for name, count in result.missing_by_wave.items():
        if count:
            absent = data.filter(pl.col(name).is_null())[id_column].to_list()
            listed = ", ".join(absent[:10]) + (" ..." if count > 10 else "")
            err.print(
                f"note: {count} respondent(s) have no classification in {name}: {listed}",
                highlight=False,
            )
    for warning in result.warnings:
        err.print(f"warning: {warning}")
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        _print(result)


def _wave_names(paths: list[Path]) -> list[str]:
    names = [p.name for p in paths]
    if len(set(names)) == len(names):
        return names
    return [str(p) if names.count(p.name) > 1 else p.name for p in paths]


def _read_wave(
    path: Path, name: str, id_column: str, class_column: str, labels: list[str]
) -> pl.DataFrame:
    """The wave's id, class (normalised to ``labels``) and every other column, as strings."""
    import polars as pl

    from attunement.attachment.strange_situation import parse_classification

    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise _BadData(f"{path}: not a readable CSV table ({exc})") from None
    missing = [c for c in (id_column, class_column) if c not in frame.columns]
    if missing:
        raise _BadData(
            f"{path}: no column {', '.join(repr(c) for c in missing)}; "
            f"columns found: {', '.join(frame.columns)} (choose with --id / --class)"
        )
    ids = frame[id_column].str.strip_chars()
    lines = pl.Series(range(2, frame.height + 2))
    no_id = lines.filter(ids.is_null() | (ids == "")).to_list()
    if no_id:
        raise _BadData(f"{path}: line(s) {no_id[:20]} have no {id_column!r}")
    dup = ids.filter(ids.is_duplicated()).unique(maintain_order=True).to_list()
    if dup:
        where = "; ".join(f"{i!r} on lines {lines.filter(ids == i).to_list()}" for i in dup[:20])
        raise _BadData(f"{path}: duplicate id(s) in {name}: {where}")
    normalised, unknown = [], []
    for line, rid, value in zip(lines, ids, frame[class_column].to_list(), strict=True):
        text = None if value is None else value.strip()
        if not text:
            normalised.append(None)
        elif text in labels:
            normalised.append(text)
        else:
            try:
                major = parse_classification(text)[0]
            except ValueError:
                major = None
            if major in labels:
                normalised.append(major)
            else:
                normalised.append(None)
                unknown.append(f"line {line} (id {rid!r}): {text!r}")
    if unknown:
        raise _BadData(
            f"{path}: {len(unknown)} unknown class(es), expected one of {labels} (or a "
            f"subgroup such as B2, D/B2; set --classes): {'; '.join(unknown[:20])}"
        )
    return frame.with_columns(ids, pl.Series(class_column, normalised, dtype=pl.String))


def _join(
    frames: list[pl.DataFrame],
    names: list[str],
    id_column: str,
    class_column: str,
    paths: list[Path],
    moderator: str | None,
) -> pl.DataFrame:
    """One row per respondent seen in any wave; a wave without them is null there."""
    import polars as pl

    data = pl.concat([f.select(id_column) for f in frames]).unique(maintain_order=True)
    for frame, name in zip(frames, names, strict=True):
        data = data.join(
            frame.select(id_column, pl.col(class_column).alias(name)), on=id_column, how="left"
        )
    if moderator is not None:
        holder = next((f for f in frames if moderator in f.columns), None)
        if holder is None:
            raise _BadData(
                f"no wave file has the moderator column {moderator!r} "
                f"(files: {', '.join(str(p) for p in paths)})"
            )
        data = data.join(holder.select(id_column, moderator), on=id_column, how="left")
    return data


def _ci(k) -> str:
    if k.kappa != k.kappa:  # NaN
        return "undefined (no cases, or p_e = 1)"
    return f"{k.kappa:.3f} [{k.ci_low:.3f}, {k.ci_high:.3f}] (SE {k.se:.3f})"


def _print(result: ClassificationChange) -> None:
    level = f"{result.parameters['confidence']:.0%}"
    summary = Table(title="classification stability", title_justify="left")
    for column in (
        "waves",
        "n",
        "missing",
        "% stable",
        f"κ [{level} CI]",
        "% stable 2-way",
        f"κ 2-way [{level} CI]",
    ):
        summary.add_column(column)
    for p in result.pairs:
        summary.add_row(
            f"{p.earlier} → {p.later}",
            str(p.n),
            str(p.n_missing),
            f"{p.percent_stable:.1f}",
            _ci(p.kappa),
            f"{p.percent_stable_two_way:.1f}",
            _ci(p.two_way),
        )
    out.print(summary)
    out.print(f"secure: {', '.join(result.parameters['secure'])}; others insecure")
    for p in result.pairs:
        grid = Table(
            title=f"transitions {p.earlier} → {p.later} (count, row %)", title_justify="left"
        )
        grid.add_column("from \\ to")
        for label in p.categories:
            grid.add_column(label, justify="right")
        for label, counts, props in zip(
            p.categories, p.transitions, p.row_proportions, strict=True
        ):
            grid.add_row(
                label,
                *(
                    f"{c} ({100 * q:.0f}%)" if q == q else str(c)
                    for c, q in zip(counts, props, strict=True)
                ),
            )
        out.print(grid)
        if p.moderator is not None:
            m = p.moderator
            split = Table(title=f"change by {m.moderator} ({m.on})", title_justify="left")
            for column in ("group", "n", "changed", "% changed"):
                split.add_column(column)
            for g in m.groups:
                split.add_row(
                    str(g["group"]), str(g["n"]), str(g["changed"]), f"{g['percent_changed']:.1f}"
                )
            out.print(split)
            if m.difference is not None:
                out.print(f"difference {m.difference:+.1f} points; {m.test} p = {m.p:.4g}")
            if m.n_missing_moderator:
                out.print(f"{m.n_missing_moderator} respondent(s) without a {m.moderator} value")
