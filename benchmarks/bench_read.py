"""Reading benchmarks: ``attunement.read`` against the readers researchers use today.

* LENA .its: ChildProject 0.4.6 ``ItsConverter.convert(path)`` (lxml + pandas), called on the
  file directly, without a ChildProject dataset. Target: ours at least 5x faster.
* CHAT: pylangacq 0.23 ``read_chat(path, strict=False)`` (a thin layer over the Rust parser of
  ``rustling``) on the 179-file Brent corpus, on the folder (its default, multithreaded) and file
  by file. Target: ours faster. Only the peer's parse is timed, not ``.utterances()``.

Both sides read the same bytes; imports happen before timing; peer warnings are silenced while
timed (the cheaper setting for the peer).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import attunement
from _common import DATA, Comparison, race

ITS_FILE = DATA / "lena" / "e20160420_165405_010572.its"
BRENT = DATA / "chat" / "brent-corpus"


def _recordings(result) -> list:
    return result if isinstance(result, list) else [result]


def _rows(result) -> int:
    return sum(rec.segments.height for rec in _recordings(result))


def its_vs_childproject(repeats: int, warmup: int) -> Comparison:
    """The 6.3 h LENA file: ``attunement.read`` against ChildProject's ITS converter."""
    from ChildProject.converters import ItsConverter

    path = str(ITS_FILE)
    ours, peer = race(
        lambda: attunement.read(path), lambda: ItsConverter.convert(path), repeats, warmup
    )
    result = attunement.read(path)
    return Comparison(
        name="LENA .its, 6.3 h (1 file)",
        data=str(ITS_FILE.relative_to(DATA)),
        ours_label="attunement.read(path)",
        peer_label="childproject 0.4.6 ItsConverter.convert",
        target=5.0,
        ours=ours,
        peer=peer,
        notes={
            "ours_recordings": len(_recordings(result)),
            "ours_segments": _rows(result),
            "peer_rows": len(ItsConverter.convert(path)),
        },
    )


def _pylangacq(path: Path, strict: bool):
    import pylangacq

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pylangacq.read_chat(str(path), strict=strict)


def brent_files() -> list[Path]:
    return sorted(BRENT.rglob("*.cha"))


def brent_folder(repeats: int, warmup: int) -> Comparison:
    """The Brent corpus read as one folder by each side."""
    ours, peer = race(
        lambda: attunement.read(BRENT), lambda: _pylangacq(BRENT, strict=False), repeats, warmup
    )
    return Comparison(
        name="CHAT Brent corpus, folder",
        data=str(BRENT.relative_to(DATA)),
        ours_label="attunement.read(folder)",
        peer_label="pylangacq 0.23 read_chat(folder, strict=False)",
        target=1.0,
        ours=ours,
        peer=peer,
        notes={
            "files": len(brent_files()),
            "ours_segments": _rows(attunement.read(BRENT)),
            "peer_utterances": len(_pylangacq(BRENT, strict=False).utterances()),
            "peer_parallel": "rustling parses the files of a folder on several threads",
        },
    )


def brent_per_file(repeats: int, warmup: int) -> Comparison:
    """The Brent corpus read one file at a time by each side (no multithreading in the peer)."""
    files = brent_files()
    ours, peer = race(
        lambda: [attunement.read(f) for f in files],
        lambda: [_pylangacq(f, strict=False) for f in files],
        repeats,
        warmup,
    )
    return Comparison(
        name="CHAT Brent corpus, file by file",
        data=str(BRENT.relative_to(DATA)),
        ours_label="attunement.read(file) x 179",
        peer_label="pylangacq 0.23 read_chat(file, strict=False) x 179",
        target=1.0,
        ours=ours,
        peer=peer,
        notes={"files": len(files)},
    )


def strict_rejections() -> dict[str, object]:
    """How many Brent files pylangacq's default ``strict=True`` refuses, and why.

    ``reasons`` counts the first line of each error, without the file name and with quoted
    names and numbers blanked out.
    """
    files = brent_files()
    reasons: Counter[str] = Counter()
    for path in files:
        try:
            _pylangacq(path, strict=True)
        except ValueError as exc:
            first = str(exc).splitlines()[0].replace(f"{path}: ", "")
            reasons[re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", first)).rstrip(":")] += 1
    return {"files": len(files), "rejected": reasons.total(), "reasons": dict(reasons)}


def run(repeats: int, warmup: int) -> tuple[list[Comparison], dict[str, object]]:
    comparisons = [
        its_vs_childproject(repeats, warmup),
        brent_folder(repeats, warmup),
        brent_per_file(repeats, warmup),
    ]
    return comparisons, {"pylangacq_strict_true_on_brent": strict_rejections()}
