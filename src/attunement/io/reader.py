"""The reader protocol: what a format module must define to be a reader.

A reader is a module (``io/<format>.py``) listed in ``io.registry.READER_MODULES``; it parses and
maps, never measures. ``Reader`` states its surface so that a type checker and a test
(``tests/test_readers_protocol.py``) hold every reader to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from attunement.io.privacy import Vocabulary
    from attunement.recording import Recording


class Reader(Protocol):
    """A format module: its name, the extensions it claims, its default role map, what privacy
    mode keeps beyond timing and typed roles (``io.privacy``), a content sniffer and the reader
    itself (one file -> its Recordings; ``ReadError`` on bad input)."""

    FORMAT: str
    EXTENSIONS: tuple[str, ...]
    DEFAULT_ROLES: dict[str, str]
    KEEP_PRIVATE: dict[str, Vocabulary]

    def sniff(self, head: bytes) -> bool:
        """True when the first bytes of a file look like this format."""
        ...

    def read(
        self, path: Path, *, role_map: dict[str, str], keep_text: bool = True
    ) -> list[Recording]:
        """Every Recording in ``path``, timing and roles mapped; ``ReadError`` naming file,
        line and problem when it cannot."""
        ...
