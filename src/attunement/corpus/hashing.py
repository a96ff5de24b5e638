"""Content hashes: how the store knows a file it has already read."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

CHUNK = 1 << 20


def content_hash(path: str | Path) -> str:
    """``blake2b-<hex>``: BLAKE2b (16-byte digest) of the file's bytes; an empty string when the
    file cannot be opened or is not a regular file (the reader then reports why). A FIFO or a
    device is opened without blocking and never read."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        try:
            while block := handle.read(CHUNK):
                digest.update(block)
        except OSError:
            return ""
    return f"blake2b-{digest.hexdigest()}"
