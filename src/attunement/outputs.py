"""Output paths: checked before any work starts, written atomically, inputs never overwritten.

``check_file`` and ``check_folder`` refuse, with one ``OutputError`` line naming the path, an
output whose folder does not exist (no folder is ever created beyond the one asked for), that is
a folder where a file is wanted (or a file where a folder is), that cannot be written, or that is
one of the command's inputs. ``atomic`` writes to a hidden temporary file in the target folder
and renames it into place, so a failed run leaves neither a half-written file nor a truncated
old one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from attunement.errors import OutputError

PathLike = str | os.PathLike
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def check_file(path: PathLike, inputs: Iterable[PathLike | None] = ()) -> Path:
    """``path`` as an output file, or ``OutputError``; ``inputs`` are the files and folders the
    command reads (``None`` entries are ignored)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name to write")
    _check_parent(path)
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{path}: the file is read-only")
    for item in inputs:
        if item is not None and _is_input(path, Path(item)):
            same = "" if Path(item) == path else f" ({item})"
            raise OutputError(
                f"{path}: is an input of this command{same}; writing it would destroy it, "
                "so choose another output path"
            )
    return path


def check_plot(path: PathLike, inputs: Iterable[PathLike | None] = ()) -> Path:
    """``check_file`` for a figure: the suffix must be one of ``PLOT_SUFFIXES``."""
    path = check_file(path, inputs)
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise OutputError(f"{path}: a plot must end in {', '.join(PLOT_SUFFIXES)}")
    return path


def check_folder(path: PathLike, inputs: Iterable[PathLike | None] = ()) -> Path:
    """``path`` as an output folder (it may not exist yet, its parent must), or ``OutputError``;
    it may not be one of the ``inputs``."""
    path = Path(path)
    if not path.exists():
        _check_parent(path)
        return path
    if not path.is_dir():
        raise OutputError(f"{path}: is a file; give a folder to write into")
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the folder is not writable")
    for item in inputs:
        if item is not None and Path(item).exists() and os.path.samefile(path, item):
            raise OutputError(f"{path}: is an input of this command; choose another folder")
    return path


def make_folder(path: PathLike) -> Path:
    """Create the output folder ``path`` (checked by ``check_folder``) if it does not exist."""
    path = check_folder(path)
    path.mkdir(exist_ok=True)
    return path


@contextmanager
def atomic(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` (same suffix, so writers that choose a format by
    suffix still work); rename it onto ``path`` when the block succeeds, delete it otherwise."""
    path = Path(path)
    temp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")
    try:
        os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        yield temp
        os.replace(temp, path)
    except BaseException as exc:
        with suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from exc
        raise


def write_text(path: PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    with atomic(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return Path(path)


def _check_parent(path: Path) -> None:
    parent = path.parent
    if not parent.exists():
        raise OutputError(f"{path}: the folder {parent} does not exist; create it first")
    if not parent.is_dir():
        raise OutputError(f"{path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the folder {parent} is not writable")


def _is_input(path: Path, item: Path) -> bool:
    """Whether writing ``path`` would overwrite the input ``item`` or a file read from it."""
    if not path.exists():
        return False
    if item.is_dir():
        from attunement.io.registry import extensions

        inside = Path(os.path.realpath(path)).is_relative_to(os.path.realpath(item))
        return inside and path.suffix.lower() in extensions()
    return item.exists() and os.path.samefile(path, item)
