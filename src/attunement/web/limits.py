"""What one dashboard allows: analysis time and memory, worker processes, upload size, time and
concurrency. ``attunement serve`` sets each from a flag; the defaults are documented there and in
the README.

| limit | default | flag |
|---|---|---|
| wall-clock time of one analysis | 120 s | ``--analysis-timeout`` |
| resident memory of one analysis | 2,048 MB | ``--analysis-memory-mb`` |
| analysis worker processes | 2 | ``--workers`` |
| size of one upload | 200 MB | ``--max-upload-mb`` |
| uploads received at once (503 beyond) | 4 | ``--max-uploads`` |
| time to receive one upload's body | 300 s | ``--upload-timeout`` |
| pause within an upload's body | 30 s | ``--upload-idle-timeout`` |
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from attunement.errors import ParameterError

MB = 1024 * 1024

BOUNDS = {  # name: (smallest, largest) accepted
    "analysis_timeout_s": (0.1, 86_400.0),
    "analysis_memory_mb": (64, 1_048_576),
    "workers": (1, 64),
    "max_upload_bytes": (1, 1024**4),
    "max_uploads": (1, 1024),
    "upload_timeout_s": (0.1, 86_400.0),
    "upload_idle_s": (0.1, 86_400.0),
}


@dataclass(frozen=True)
class ServerLimits:
    """The dashboard's limits (see the module docstring); each checked against ``BOUNDS``."""

    analysis_timeout_s: float = 120.0
    analysis_memory_mb: int = 2048
    workers: int = 2
    max_upload_bytes: int = 200 * MB
    max_uploads: int = 4
    upload_timeout_s: float = 300.0
    upload_idle_s: float = 30.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            low, high = BOUNDS[f.name]
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not (number and math.isfinite(value) and low <= value <= high):
                raise ParameterError(
                    f"{f.name} must be a number from {low:g} to {high:g}, got {value!r}"
                )
