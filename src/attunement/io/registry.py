"""Which reader handles which file: by declared format, by extension, then by content."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from attunement.errors import ParameterError, ReadError
from attunement.io.reader import Reader

# Each reader module satisfies ``io.reader.Reader`` (FORMAT, its own name; EXTENSIONS;
# DEFAULT_ROLES; sniff(head); read(...)); the names alone give the formats, so listing them
# imports no reader.
READER_MODULES: tuple[str, ...] = (
    "chat",
    "its",
    "eaf",
    "textgrid",
    "rttm",
    "coded_streams",
    "table",
    "boris",
)  # coded_streams before table: both take .csv; the later one owns the extension
SNIFF_BYTES = 4096


def readers() -> dict[str, Reader]:
    """All readers by format name, in detection order."""
    out = {}
    for name in READER_MODULES:
        module = import_module(f"attunement.io.{name}")
        out[module.FORMAT] = module
    return out


def formats() -> list[str]:
    return list(READER_MODULES)


def extensions() -> dict[str, str]:
    """File extension (lower case, with dot) -> format."""
    return {ext: fmt for fmt, mod in readers().items() for ext in mod.EXTENSIONS}


def detect(path: Path) -> str:
    """The format of ``path``: by content when a reader recognises it, else by extension."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ReadError(path, f"cannot open file ({exc.strerror or exc})") from exc
    if not head.strip():
        raise ReadError(path, "the file is empty")
    by_ext = extensions().get(path.suffix.lower())
    if by_ext and readers()[by_ext].sniff(head):
        return by_ext
    for fmt, module in readers().items():
        if module.sniff(head):
            return fmt
    if by_ext:
        return by_ext
    raise ReadError(
        path,
        "unrecognised format: not CHAT, LENA .its, ELAN .eaf, Praat TextGrid, RTTM, CSV or "
        "Parquet. Pass format=... if it is one of these.",
    )


def reader_for(fmt: str) -> Reader:
    try:
        return readers()[fmt]
    except KeyError:
        raise ParameterError(
            f"unknown format {fmt!r}; choose one of {', '.join(formats())}"
        ) from None
