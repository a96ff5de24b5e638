"""Readers: one module per format. Readers only parse and map; they never compute a measure.

``read`` reads one file, a folder or several paths; ``read_batch`` does the same but goes on past
bad files and returns every failure with the recordings that were read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from attunement import roles as role_maps
from attunement.errors import ReadError
from attunement.io.registry import detect, extensions, formats, reader_for
from attunement.recording import Recording

PathLike = str | Path

__all__ = ["Batch", "ReadError", "expand", "formats", "read", "read_batch", "read_file"]


def read_file(
    path: PathLike,
    format: str | None = None,
    roles: Mapping[str, str] | PathLike | None = None,
    keep_text: bool = True,
) -> list[Recording]:
    """Every recording in one file (most formats hold one; RTTM may hold several)."""
    path = Path(path)
    if not path.is_file():
        raise ReadError(path, "no such file" if not path.exists() else "not a regular file")
    fmt = format or detect(path)
    module = reader_for(fmt)
    user_map = role_maps.load(roles)
    role_map = role_maps.merge(module.DEFAULT_ROLES, user_map)
    return module.read(path, role_map=role_map, keep_text=keep_text)


def expand(paths: PathLike | Iterable[PathLike]) -> tuple[list[Path], list[Path]]:
    """Files to read from files and folders, and files in folders that no reader claims.

    Folders are walked recursively and sorted; a file named explicitly is always kept.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    known = extensions()
    chosen: list[Path] = []
    skipped: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            for child in sorted(p for p in item.rglob("*") if p.is_file()):
                if child.name.startswith("."):
                    continue
                (chosen if child.suffix.lower() in known else skipped).append(child)
        else:
            chosen.append(item)
    return chosen, skipped


def read(
    path: PathLike | Iterable[PathLike],
    format: str | None = None,
    roles: Mapping[str, str] | PathLike | None = None,
    keep_text: bool = True,
) -> Recording | list[Recording]:
    """Read recordings; raise ``ReadError`` on the first bad file.

    One file holding one recording gives a ``Recording``; a folder, several paths, or a file
    holding several recordings (an RTTM with several file ids) gives a list, one per recording.
    """
    single = isinstance(path, str | Path) and Path(path).is_file()
    files, _ = expand(path)
    recordings = [
        rec for f in files for rec in read_file(f, format=format, roles=roles, keep_text=keep_text)
    ]
    if single and len(recordings) == 1:
        return recordings[0]
    return recordings


@dataclass
class Batch:
    """The outcome of reading many files: what was read, what failed and why, what was skipped."""

    recordings: list[Recording] = field(default_factory=list)
    failures: list[ReadError] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def read_batch(
    paths: PathLike | Iterable[PathLike],
    format: str | None = None,
    roles: Mapping[str, str] | PathLike | None = None,
    keep_text: bool = True,
    progress=None,
) -> Batch:
    """Read every file; a bad file is recorded in ``failures`` and the batch goes on.

    ``progress``, if given, is called with each file before it is read.
    """
    files, skipped = expand(paths)
    batch = Batch(skipped=skipped)
    for f in files:
        if progress is not None:
            progress(f)
        try:
            batch.recordings.extend(read_file(f, format=format, roles=roles, keep_text=keep_text))
        except ReadError as exc:
            batch.failures.append(exc)
        except role_maps.RoleMapError:
            raise
        except Exception as exc:  # a reader bug must not sink a whole corpus run
            batch.failures.append(
                ReadError(f, f"internal error {type(exc).__name__}: {exc} (please report this)")
            )
    return batch
