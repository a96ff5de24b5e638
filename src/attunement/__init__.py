"""attunement: measure and model the caregiver-child dance.

The public API is small and flat (DESIGN.md): ``attunement.read(path)`` gives Recordings whose
``segments`` table every measure takes; ``attunement.turns(rec, rule=...)`` measures serve and
return.
"""

from attunement.errors import ReadError
from attunement.io import read, read_batch
from attunement.measures.sequential import sequential, sequential_timed
from attunement.measures.turns import TurnResult, turns
from attunement.recording import Participant, Recording

__all__ = [
    "Participant",
    "ReadError",
    "Recording",
    "TurnResult",
    "read",
    "read_batch",
    "sequential",
    "sequential_timed",
    "turns",
]
__version__ = "0.1.0"
