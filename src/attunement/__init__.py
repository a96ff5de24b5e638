"""attunement: measure and model the caregiver-child dance.

The public API is small and flat (DESIGN.md): ``attunement.read(path)`` gives Recordings whose
``segments`` table every measure takes; ``attunement.turns(rec, rule=...)`` measures serve and
return; ``attunement.repair(rec, match_table=...)`` measures rupture and repair;
``attunement.synchrony`` (windowed cross-correlation, cross-recurrence, state space grids) and
``attunement.attachment`` (questionnaires, child attachment, change over time) are subpackages.
"""

from attunement import attachment
from attunement.errors import ReadError
from attunement.io import read, read_batch
from attunement.measures import synchrony
from attunement.measures.repair import RepairResult, repair
from attunement.measures.sequential import sequential, sequential_timed
from attunement.measures.turns import TurnResult, turns
from attunement.recording import Participant, Recording

__all__ = [
    "Participant",
    "ReadError",
    "Recording",
    "RepairResult",
    "TurnResult",
    "attachment",
    "read",
    "read_batch",
    "repair",
    "sequential",
    "sequential_timed",
    "synchrony",
    "turns",
]
__version__ = "0.1.0"
