"""``attunement agree``: how far two annotations of the same audio agree (segment by segment), or
their counts per clip (``--counts``); ``--save-error-model`` writes what the comparison found as
an error model for ``attunement turns --error-model``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from attunement.cli import show
from attunement.cli.common import FormatOpt, JsonOpt, NoWordsOpt, RolesOpt, out
from attunement.errors import DataError, ParameterError
from attunement.measures.families.agree import FAMILY
from attunement.measures.families.agree_counts import FAMILY as COUNTS
from attunement.measures.families.turns import RULE_NAMES
from attunement.measures.params import validate
from attunement.outputs import check_file, check_plot


def command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="REFERENCE HYPOTHESIS [MORE...] (files); with --counts, a file or folder each.",
            show_default=False,
        ),
    ],
    counts: Annotated[
        bool, typer.Option("--counts", help="Compare counts per clip across clips/recordings.")
    ] = False,
    classes: Annotated[
        str, typer.Option("--classes", help="Speaker types compared, comma-separated.")
    ] = "CHI,FEM,MAL,OCH",
    collar: Annotated[
        float, typer.Option("--collar", help="Seconds around each reference boundary left out.")
    ] = 0.0,
    frame_s: Annotated[
        float, typer.Option("--frame-s", help="Frame length in s for kappa and alpha.")
    ] = 0.01,
    range_: Annotated[
        str | None,
        typer.Option("--range", help="Compare only START-END (seconds), e.g. 60-360."),
    ] = None,
    clips: Annotated[
        Path | None,
        typer.Option(
            "--clips",
            help="Clip list: ChildProject's annotations.csv (range_onset/range_offset in ms) "
            "or a CSV of onset_s,offset_s; a ChildProject dataset folder.",
        ),
    ] = None,
    clip_set: Annotated[
        str | None, typer.Option("--clip-set", help="Only the clip list's rows of this set.")
    ] = None,
    clip: Annotated[
        float | None,
        typer.Option("--clip", help="--counts: cut recordings into clips of S seconds."),
    ] = None,
    rule: Annotated[
        str, typer.Option("--rule", help=f"--counts: turn rule ({', '.join(RULE_NAMES)}).")
    ] = "lena",
    save_error_model: Annotated[
        Path | None,
        typer.Option("--save-error-model", help="Write the comparison's error model (JSON)."),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="--counts: scatter plot with the identity line (PNG/SVG/PDF)."),
    ] = None,
    as_json: JsonOpt = False,
    format: FormatOpt = None,
    roles: RolesOpt = None,
    no_words: NoWordsOpt = False,
) -> None:
    """Agreement between annotations of the same audio (attunement measures agree defines every
    figure): the first is the reference."""
    inputs = [*paths, roles, clips]
    if save_error_model is not None:
        check_file(save_error_model, inputs)
    if plot is not None:
        check_plot(plot, inputs)
    clip_list = None
    if clips is not None:
        from attunement.measures.agreement.clips import read_clips

        clip_list = read_clips(clips)
    if counts:
        _counts(paths, clip, rule, clip_list, clip_set, plot, as_json, format, roles, no_words)
        return
    config = validate(
        FAMILY.parameters,
        {
            "classes": tuple(c.strip() for c in classes.split(",") if c.strip()),
            "collar_s": collar,
            "frame_s": frame_s,
        },
        FAMILY.name,
    )
    if len(paths) < 2:
        raise ParameterError("agree: give a REFERENCE and a HYPOTHESIS (and optionally more)")
    recs = [_one(p, format, roles, no_words) for p in paths]
    spans = _clips(range_, clip_list, clip_set, recs[0])
    from attunement.measures.agreement import agree

    result = agree(*recs, **config, clips=spans)
    if save_error_model is not None:
        _save(save_error_model, recs, spans, config["classes"])
    if as_json:
        show.write_json(result)
        return
    out.print(show.table(result, f"{result.path}  vs  {result.hypothesis}"))
    out.print(_matrix(result))
    out.print(_per_class(result))
    for other in result.others:
        out.print(show.table(other, f"{other.path}  vs  {other.hypothesis}"))


def _one(path: Path, fmt, roles, no_words):
    from attunement.io import read

    rec = read(path, format=fmt, roles=roles, keep_text=not no_words)
    if isinstance(rec, list):
        if len(rec) != 1:
            raise DataError(f"{path}: holds {len(rec)} recordings; agree compares one per file")
        rec = rec[0]
    return rec


def _clips(range_, clip_list, clip_set, reference):
    if range_ is not None and clip_list is not None:
        raise ParameterError("agree: give --range or --clips, not both")
    if range_ is not None:
        start, _, end = range_.partition("-")
        try:
            return [(float(start), float(end))]
        except ValueError:
            raise ParameterError(
                f"agree: --range must be START-END in seconds, got {range_!r}"
            ) from None
    if clip_list is not None:
        from attunement.measures.agreement.clips import for_recording

        mine = for_recording(clip_list, reference, clip_set)
        if not mine:
            raise DataError(f"{reference.path}: no clip of this recording in the clip list")
        return [(c.onset_s, c.offset_s) for c in mine]
    return None


def _save(path, recs, spans, classes):
    from datetime import date

    from attunement.measures.agreement.compare import region
    from attunement.measures.agreement.error_model import estimate

    source = f"attunement agree {recs[0].path} {recs[1].path} ({date.today().isoformat()})"
    model = estimate(recs[0], recs[1], region(recs[:2], spans), classes, source)
    model.save(path)
    out.print(f"error model: {path}")


def _matrix(result) -> Table:
    grid = Table(title="confusion matrix, seconds (rows: reference, columns: hypothesis)")
    names = list(result.confusion_matrix_s)
    grid.add_column("")
    for name in names:
        grid.add_column(name, justify="right")
    for row in names:
        grid.add_row(row, *(f"{result.confusion_matrix_s[row][c]:.2f}" for c in names))
    return grid


def _per_class(result) -> Table:
    grid = Table(title="per class")
    for name in ("class", "precision", "recall", "F1", "kappa", "reference s", "hypothesis s"):
        grid.add_column(name, justify="right")
    for c, v in result.per_class.items():
        kappa = result.kappa.get(c)
        grid.add_row(
            c,
            f"{v['precision']:.3f}",
            f"{v['recall']:.3f}",
            f"{v['f1']:.3f}",
            "n/a" if kappa is None else f"{kappa:.3f}",
            f"{v['reference_s']:.1f}",
            f"{v['hypothesis_s']:.1f}",
        )
    return grid


def _counts(paths, clip, rule, clip_list, clip_set, plot, as_json, fmt, roles, no_words):
    from attunement.cli.common import read_paths, report_failures
    from attunement.measures.agreement.counts import agree_counts

    if len(paths) != 2:
        raise ParameterError(
            "agree --counts: give REFERENCE and HYPOTHESIS (a file or a folder each)"
        )
    validate(COUNTS.parameters, {"clip_s": clip, "rule": rule}, COUNTS.name)
    sides = [read_paths([p], fmt, roles, no_words) for p in paths]
    for p, batch in zip(paths, sides, strict=True):
        if not batch.recordings:
            report_failures(batch)
            raise DataError(f"{p}: no recording to compare")
    results = agree_counts(
        sides[0].recordings,
        sides[1].recordings,
        clip_s=clip,
        rule=rule,
        clips=clip_list,
        clip_set=clip_set,
    )
    if plot is not None:
        from attunement.report.agreement_plot import plot_counts

        out.print(f"plot: {plot_counts(results, plot)}")
    if as_json:
        show.write_json(results)
    else:
        for r in results:
            out.print(show.table(r, f"{r.count}: {paths[0]} vs {paths[1]}"))
    for batch in sides:
        report_failures(batch)
