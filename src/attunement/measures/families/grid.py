"""The ``grid`` family: the state space grid of the child's and the caregiver's coded states in
one recording (Lewis, Lamey & Douglas 1999; Hollenstein 2013; GridWare)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from attunement.measures.figures import Figure
from attunement.measures.params import Param
from attunement.measures.registry import Family

GRIDWARE = "GridWare 1.1 (Lamey, Hollenstein, Lewis & Granic 2004); Hollenstein (2013)"
HOLLENSTEIN = "Hollenstein (2013) State Space Grids, Springer"


def _run(recording, **config: Any):
    """The grid of the recording's coded child and caregiver states (segments of kind ``affect``
    or ``behaviour``; episode labels give per-episode figures); a recording without codes of
    both partners cannot support it."""
    from attunement.errors import DataError
    from attunement.measures.coded_streams import build_joint_states
    from attunement.measures.synchrony.statespace import state_space_grid

    states, warnings = build_joint_states(recording)
    for partner, codes in (("child", states.child), ("caregiver", states.caregiver)):
        if not (codes != "").any():
            raise DataError(
                f"no {partner} codes: the grid needs coded states (segments of kind affect or "
                "behaviour with a code) of both child and caregiver"
            )
    result = state_space_grid(
        states.bounds,
        states.child,
        states.caregiver,
        x_categories=config["x_categories"],
        y_categories=config["y_categories"],
        episode=states.episode if (states.episode != "").any() else None,
        attractors=config["attractors"],
    )
    return replace(
        result, path=str(recording.path or ""), recording_id=recording.id, warnings=warnings
    )


PARAMETERS = (
    Param(
        "x_categories",
        "labels",
        None,
        "The child's states in axis order (default: the observed ones, sorted).",
    ),
    Param(
        "y_categories",
        "labels",
        None,
        "The caregiver's states in axis order (default: the observed ones, sorted).",
    ),
    Param("attractors", "count", 1, "How many cells with the most time to list."),
)


def _figure(name: str, unit: str, label: str, definition: str, **kw: Any) -> Figure:
    return Figure(name, unit, label, definition, kw.pop("source", GRIDWARE), **kw)


FIGURES = (
    _figure("events", "count", "coded intervals (events)", "Intervals with both states coded."),
    _figure(
        "uncoded_events",
        "count",
        "uncoded intervals",
        "Intervals where either state is missing: no cell, left out of every figure.",
    ),
    _figure("uncoded_s", "s", "uncoded time", "Duration of the uncoded intervals."),
    _figure("coded_s", "s", "coded time", "Duration of the coded intervals (D).", headline=True),
    _figure(
        "visits",
        "count",
        "visits (stays in one cell)",
        "Maximal runs of consecutive coded intervals in one cell; uncoded time ends a visit.",
        headline=True,
    ),
    _figure(
        "segments",
        "count",
        "coded stretches",
        "Stretches of coded time between uncoded gaps.",
    ),
    _figure(
        "transitions",
        "count",
        "moves between cells (transitions)",
        "Consecutive visits with no uncoded time between them: visits - segments.",
        headline=True,
    ),
    _figure("cell_range", "count", "cells visited (range)", "Distinct cells visited."),
    _figure(
        "n_cells",
        "count",
        "cells in the grid",
        "Child states x caregiver states, visited or not.",
    ),
    _figure("mean_event_s", "s", "mean duration per event", "D / events."),
    _figure("mean_visit_s", "s", "mean duration per visit", "D / visits."),
    _figure("mean_cell_s", "s", "mean time per cell visited", "D / cell range."),
    _figure(
        "dispersion",
        "number",
        "dispersion (0: all time in one cell, 1: spread evenly)",
        "1 - (n sum (d_i / D)^2 - 1) / (n - 1), d_i the time in cell i, n the cells in the "
        "grid; 0 for a one-cell grid.",
        headline=True,
    ),
    _figure(
        "returns",
        "count",
        "returns to a cell",
        "Visits to a cell after the first (a cell left and entered again).",
        source=HOLLENSTEIN,
    ),
    _figure(
        "mean_return_s",
        "s",
        "mean time to return to a cell",
        "From the end of one visit to a cell to the start of the next visit to it (uncoded time "
        "included), the mean over all returns pooled.",
        source=HOLLENSTEIN,
    ),
    _figure(
        "attractors",
        "s",
        "cells with the most time",
        "The attractors cells with the most coded time: child state x, caregiver state y, "
        "duration_s and share.",
        source=HOLLENSTEIN,
        shape="detail",
    ),
    _figure(
        "cells",
        "s",
        "every cell of the grid",
        "Per cell: states, duration_s, share, events, visits, mean_visit_s, returns, "
        "mean_return_s, first_entry_s and duration_rank.",
        shape="detail",
    ),
    _figure(
        "visit_table",
        "s",
        "visits in time order (the trajectory)",
        "Per visit: segment, states and their axis indices, onset_s, offset_s, duration_s and "
        "events; consecutive visits in one segment are the transitions.",
        shape="detail",
    ),
    _figure(
        "episodes",
        "number",
        "figures per episode",
        "The whole-grid figures of each episode label's intervals alone.",
        shape="detail",
    ),
)

FAMILY = Family(
    name="grid",
    title="State space grid",
    summary="where the pair spends its time among the combinations of the child's and the "
    "caregiver's states: visits, transitions, dispersion, returns and attractors",
    input="recording",
    parameters=PARAMETERS,
    figures=FIGURES,
    runner=_run,
    source="Lewis, Lamey & Douglas (1999) Developmental Science 2:457-475; Hollenstein (2013) "
    "State Space Grids, Springer; GridWare 1.1 (Lamey, Hollenstein, Lewis & Granic 2004)",
)
