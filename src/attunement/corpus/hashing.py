"""Content hashes: how the store knows a file it has already read."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def content_hash(path: str | Path) -> str:
    """``blake2b-<hex>``: BLAKE2b (16-byte digest) of the file's bytes; an empty string when the
    file cannot be opened (the reader then reports why)."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
    except OSError:
        return ""
    return f"blake2b-{digest.hexdigest()}"
