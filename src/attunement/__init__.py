"""attunement: measure and model the caregiver-child dance.

The public API is small and flat (DESIGN.md): ``attunement.read(path)`` gives Recordings whose
``segments`` table every measure takes.
"""

from attunement.errors import ReadError
from attunement.io import read, read_batch
from attunement.recording import Participant, Recording

__all__ = ["Participant", "ReadError", "Recording", "read", "read_batch"]
__version__ = "0.1.0"
