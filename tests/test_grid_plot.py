"""The state space grid figure draws what the result holds: one node per visit sized by its
duration inside its own cell, one segment and one arrow per transition, the axis states."""

from __future__ import annotations

import numpy as np
import pytest

from attunement.measures.synchrony.statespace import state_space_grid
from attunement.report.grid_plot import JITTER, NODE_AREA, grid_figure, plot_grid
from tests.test_statespace import BOUNDS, CARER, CHILD


def artist(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def test_nodes_segments_ticks_and_shading():
    res = state_space_grid(BOUNDS, CHILD, CARER)  # 4 visits, 2 transitions (a gap between)
    fig = grid_figure(res, seed=3)
    ax = fig.axes[0]
    nodes = artist(ax, "visits")
    xy = nodes.get_offsets()
    assert len(xy) == 4
    # visits (a,p) (b,q) (a,p) (a,q): x index 0 1 0 0, y index 0 1 0 1, within the jitter
    assert np.all(np.abs(xy[:, 0] - [0, 1, 0, 0]) <= JITTER)
    assert np.all(np.abs(xy[:, 1] - [0, 1, 0, 1]) <= JITTER)
    assert nodes.get_sizes() == pytest.approx(NODE_AREA * np.array([3, 1, 1, 3]) / 3)
    segments = artist(ax, "transitions").get_segments()
    assert len(segments) == 2  # visit 0 -> 1 and 2 -> 3; none across the uncoded gap
    assert np.allclose(segments[0], xy[[0, 1]]) and np.allclose(segments[1], xy[[2, 3]])
    assert artist(ax, "directions").N == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["p", "q"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("child", "caregiver")
    # shading: rows = caregiver (p, q), columns = child (a, b), share of the 8 s coded
    assert artist(ax, "cell_share").get_array().tolist() == [[0.5, 0.0], [0.375, 0.125]]
    assert "4 visits, 2 transitions, dispersion 0.79" in ax.get_title()
    plain = grid_figure(res, shade=False).axes[0]
    assert not [a for a in plain.get_children() if a.get_gid() == "cell_share"]


def test_real_dyad_figure_counts_and_files(tmp_path):
    from tests.test_recurrence import attachment_states

    child, mother = attachment_states()
    cats = ["neg", "mixed", "neutral", "pos"]
    res = state_space_grid(
        np.arange(91) * 2000, child, mother, x_categories=cats, y_categories=cats
    )
    ax = grid_figure(res).axes[0]
    assert len(artist(ax, "visits").get_offsets()) == 53
    assert len(artist(ax, "transitions").get_segments()) == 52
    assert [t.get_text() for t in ax.get_yticklabels()] == cats
    svg = plot_grid(res, tmp_path / "grid.svg")
    assert svg.read_text().startswith("<?xml")
    png = plot_grid(res, tmp_path / "sub" / "grid.png", shade=False)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_empty_grid_draws_no_nodes():
    res = state_space_grid([0, 10], [""], ["p"])
    ax = grid_figure(res).axes[0]
    assert len(artist(ax, "visits").get_offsets()) == 0
    assert len(artist(ax, "transitions").get_segments()) == 0
    assert "dispersion n/a" in ax.get_title()
