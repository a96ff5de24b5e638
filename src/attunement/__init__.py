"""attunement: measure and model the caregiver-child dance.

The public API is small and flat (DESIGN.md): ``attunement.read(path)`` gives Recordings whose
``segments`` table every measure takes; ``attunement.turns(rec, rule=...)`` measures serve and
return; ``attunement.repair(rec, match_table=...)`` measures rupture and repair;
``attunement.synchrony`` (windowed cross-correlation, cross-recurrence, state space grids) and
``attunement.attachment`` (questionnaires, child attachment, change over time) are subpackages.

Each name is imported on first use (``attunement.lazy``), so ``import attunement`` loads no
numerical library.
"""

from attunement.lazy import attributes

PUBLIC = {
    "AttunementError": "attunement.errors:AttunementError",
    "DataError": "attunement.errors:DataError",
    "ParameterError": "attunement.errors:ParameterError",
    "Participant": "attunement.recording:Participant",
    "ReadError": "attunement.errors:ReadError",
    "Recording": "attunement.recording:Recording",
    "RepairResult": "attunement.measures.repair:RepairResult",
    "TurnResult": "attunement.measures.turns:TurnResult",
    "agree": "attunement.measures.agreement:agree",
    "agree_counts": "attunement.measures.agreement.counts:agree_counts",
    "attachment": "attunement.attachment",
    "read": "attunement.io:read",
    "read_batch": "attunement.io:read_batch",
    "repair": "attunement.measures.repair:repair",
    "sequential": "attunement.measures.sequential:sequential",
    "sequential_timed": "attunement.measures.sequential:sequential_timed",
    "synchrony": "attunement.measures.synchrony",
    "turns": "attunement.measures.turns:turns",
}
__all__ = sorted(PUBLIC)
__getattr__, __dir__ = attributes(__name__, PUBLIC)
__version__ = "0.1.0"
