"""State space grids: hand-computed grids for every measure and edge case, properties, and the
ConNEcT attachment dyad recomputed in plain Python."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.measures.synchrony.statespace import dispersion, state_space_grid
from tests.test_recurrence import attachment_states

# Hand grid: intervals [0,1) [1,3) [3,4) [4,6) [6,7) [7,10) s, child a a b . a a, caregiver
# p p q q p q (interval 4 uncoded). Visits: (a,p) 0-3 s, (b,q) 3-4, gap, (a,p) 6-7, (a,q) 7-10.
# Durations: (a,p) 4 s, (a,q) 3, (b,p) 0, (b,q) 1 of D = 8; sum of squared shares
# .25 + .140625 + 0 + .015625 = .40625; dispersion 1 - (4 · .40625 - 1) / 3 = 0.791666…
BOUNDS = np.array([0, 1000, 3000, 4000, 6000, 7000, 10000])
CHILD = ["a", "a", "b", "", "a", "a"]
CARER = ["p", "p", "q", "q", "p", "q"]


def test_hand_grid_every_measure():
    res = state_space_grid(BOUNDS, CHILD, CARER, attractors=2)
    s = res.summary
    assert (s["events"], s["uncoded_events"], s["uncoded_ms"], s["total_ms"]) == (5, 1, 2000, 8000)
    assert (s["visits"], s["segments"], s["transitions"], s["cell_range"]) == (4, 2, 2, 3)
    assert s["n_cells"] == 4
    assert s["mean_ms_per_event"] == 1600 and s["mean_ms_per_visit"] == 2000
    assert s["mean_ms_per_cell"] == pytest.approx(8000 / 3)
    assert s["dispersion"] == pytest.approx(1 - (4 * 0.40625 - 1) / 3)
    assert s["returns"] == 1 and s["mean_return_ms"] == 3000  # (a,p) left at 3 s, back at 6 s
    assert s["attractors"] == [
        {"x": "a", "y": "p", "duration_ms": 4000, "share": 0.5},
        {"x": "a", "y": "q", "duration_ms": 3000, "share": 0.375},
    ]
    cells = res.to_frame()
    assert cells["x"].to_list() == ["a", "a", "b", "b"] and cells["y"].to_list() == list("pqpq")
    assert cells["duration_ms"].to_list() == [4000, 3000, 0, 1000]
    assert cells["events"].to_list() == [3, 1, 0, 1] and cells["visits"].to_list() == [2, 1, 0, 1]
    assert cells["mean_visit_ms"].to_list() == [2000.0, 3000.0, None, 1000.0]
    assert cells["returns"].to_list() == [1, 0, 0, 0]
    assert cells["mean_return_ms"].to_list() == [3000.0, None, None, None]
    assert cells["first_entry_ms"].to_list() == [0, 7000, None, 3000]
    assert cells["duration_rank"].to_list() == [1, 2, 4, 3]
    visits = res.visit_table
    assert visits["onset_ms"].to_list() == [0, 3000, 6000, 7000]
    assert visits["duration_ms"].to_list() == [3000, 1000, 1000, 3000]
    assert visits["segment"].to_list() == [0, 0, 1, 1]
    assert visits["events"].to_list() == [2, 1, 1, 1]
    out = res.to_dict()
    assert out["method"] == "state_space_grid" and out["parameters"]["n_cells"] == 4
    assert "Hollenstein" in out["source"] and "dispersion" in out["definition"]


def test_episodes_are_measured_alone():
    res = state_space_grid(BOUNDS, CHILD, CARER, episode=["e1"] * 3 + ["e2"] * 3)
    e1, e2 = res.episodes["e1"], res.episodes["e2"]
    assert (e1["total_ms"], e1["visits"], e1["transitions"]) == (4000, 2, 1)
    assert e1["dispersion"] == pytest.approx(1 - (4 * (0.75**2 + 0.25**2) - 1) / 3)
    assert (e2["uncoded_events"], e2["total_ms"]) == (1, 4000)
    assert (e2["visits"], e2["transitions"]) == (2, 1)
    assert list(res.to_dict()["episodes"]) == ["e1", "e2"]
    split = state_space_grid([0, 1, 2, 3], ["a"] * 3, ["p"] * 3, episode=["e", "f", "e"])
    assert split.episodes["e"]["segments"] == 2 and split.episodes["e"]["returns"] == 1


def test_single_cell_one_category_and_full_spread():
    one = state_space_grid([0, 5, 7], ["a", "a"], ["p", "p"])
    s = one.summary
    assert (s["n_cells"], s["visits"], s["transitions"], s["cell_range"]) == (1, 1, 0, 1)
    assert s["dispersion"] == 0.0 and s["events"] == 2 and s["returns"] == 0
    assert s["mean_return_ms"] is None and s["mean_ms_per_visit"] == 7
    fixed = state_space_grid([0, 5], ["a"], ["p"], x_categories=["a", "b"], y_categories=["p"])
    assert fixed.summary["n_cells"] == 2 and fixed.summary["dispersion"] == 0.0
    spread = state_space_grid([0, 2, 4, 6, 8], list("abab"), list("ppqq"))
    assert spread.summary["dispersion"] == 1.0 and spread.summary["cell_range"] == 4


def test_nothing_coded_and_gap_between_same_cell():
    empty = state_space_grid([0, 10, 20], ["", "a"], ["p", ""])
    s = empty.summary
    assert (s["events"], s["uncoded_events"], s["uncoded_ms"], s["total_ms"]) == (0, 2, 20, 0)
    assert (s["visits"], s["transitions"], s["dispersion"], s["mean_ms_per_event"]) == (
        0,
        0,
        None,
        None,
    )
    assert empty.to_frame().height == 0 and s["attractors"] == []
    gap = state_space_grid([0, 10, 25, 30], ["a", "", "a"], ["p", "p", "p"]).summary
    assert (gap["visits"], gap["transitions"], gap["segments"]) == (2, 0, 2)
    assert gap["returns"] == 1 and gap["mean_return_ms"] == 15


def test_dispersion_formula_edges():
    assert dispersion([5, 0, 0, 0], 4) == 0.0
    assert dispersion([1, 1, 1], 3) == 1.0
    assert dispersion([0, 0], 2) is None
    assert dispersion([3], 1) == 0.0
    assert dispersion([1, 1], 4) == pytest.approx(1 - (4 * 0.5 - 1) / 3)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"strictly increasing: bounds\[1\] = 5 >= bounds\[2\]"):
        state_space_grid([0, 5, 5], ["a", "a"], ["p", "p"])
    with pytest.raises(ValueError, match="one more entry"):
        state_space_grid([0, 5], ["a", "a"], ["p", "p"])
    with pytest.raises(ValueError, match=r"x states not in x_categories \['a'\]: \['b'\]"):
        state_space_grid([0, 1, 2], ["a", "b"], ["p", "p"], x_categories=["a"])
    with pytest.raises(ValueError, match="must not contain ''"):
        state_space_grid([0, 1], ["a"], ["p"], y_categories=["p", ""])
    with pytest.raises(ValueError, match="integer"):
        state_space_grid([0.0, 1.5], ["a"], ["p"])
    with pytest.raises(ValueError, match="one label per interval"):
        state_space_grid([0, 1], ["a"], ["p"], episode=["e", "f"])


def plain_grid(bounds, x, y, x_cats, y_cats):
    """Reference: one pass in plain Python over the intervals."""
    cells, visits, returns, last_exit = {}, [], [], {}
    prev_end, prev_cell = None, None
    for k, (cx, cy) in enumerate(zip(x, y, strict=True)):
        start, end = bounds[k], bounds[k + 1]
        if cx == "" or cy == "":
            continue
        cell = (cx, cy)
        cells[cell] = cells.get(cell, 0) + end - start
        if prev_end == start and prev_cell == cell:
            visits[-1][2] = end
        else:
            if cell in last_exit:
                returns.append(start - last_exit[cell])
            visits.append([cell, start, end, prev_end == start])
        last_exit[cell] = end
        prev_end, prev_cell = end, cell
    total = sum(cells.values())
    n = len(x_cats) * len(y_cats)
    shares = sum((d / total) ** 2 for d in cells.values()) if total else 0
    return {
        "total_ms": total,
        "visits": len(visits),
        "transitions": sum(1 for v in visits if v[3]),
        "cell_range": len(cells),
        "dispersion": (0.0 if n == 1 else 1 - (n * shares - 1) / (n - 1)) if total else None,
        "returns": len(returns),
        "mean_return_ms": sum(returns) / len(returns) if returns else None,
        "cells": cells,
    }


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from("pq "), st.integers(1, 5))))
def test_matches_plain_python_and_invariants(rows):
    rows = rows or [("a", "p", 1)]
    x = [r[0] for r in rows]
    y = [r[1].strip() for r in rows]
    bounds = np.cumsum([0] + [r[2] for r in rows])
    res = state_space_grid(bounds, x, y, x_categories=["a", "b"], y_categories=["p", "q"])
    ref = plain_grid(bounds.tolist(), x, y, "ab", "pq")
    s = res.summary
    for key in ("total_ms", "visits", "transitions", "cell_range", "returns"):
        assert s[key] == ref[key]
    for key in ("dispersion", "mean_return_ms"):
        assert (s[key] is None) == (ref[key] is None)
        assert s[key] is None or s[key] == pytest.approx(ref[key])
    assert s["dispersion"] is None or 0.0 <= s["dispersion"] <= 1.0
    assert s["visits"] - s["transitions"] == s["segments"]
    assert res.to_frame()["duration_ms"].sum() == s["total_ms"]
    frame = res.to_frame().filter(pl.col("duration_ms") > 0)
    keys = zip(frame["x"], frame["y"], strict=True)
    assert dict(zip(keys, frame["duration_ms"], strict=True)) == ref["cells"]


def test_real_attachment_dyad():
    child, mother = attachment_states()
    cats = ["neg", "mixed", "neutral", "pos"]
    bounds = np.arange(91, dtype=np.int64) * 2000  # 90 two-second intervals
    res = state_space_grid(bounds, child, mother, x_categories=cats, y_categories=cats)
    s = res.summary
    assert (s["events"], s["visits"], s["transitions"], s["cell_range"]) == (90, 53, 52, 10)
    assert (s["total_ms"], s["n_cells"], s["uncoded_events"]) == (180000, 16, 0)
    assert s["mean_ms_per_visit"] == pytest.approx(180000 / 53)
    assert s["mean_ms_per_cell"] == 18000.0
    # cell seconds (child, mother): (neg,neu) 52, (neg,pos) 30, (neu,pos) 28, (pos,pos) 18,
    # (neu,neu) 18, (neg,neg) 16, (mixed,pos) 6, (neg,mixed) 4, (pos,neu) 4, (neu,neg) 4 of 180;
    # sum of squares 5376, so dispersion = 1 - (16 · 5376 / 180² - 1) / 15 = 0.889679…
    assert s["dispersion"] == pytest.approx(1 - (16 * 5376 / 180**2 - 1) / 15)
    assert s["dispersion"] == pytest.approx(0.889679012345679)
    assert s["returns"] == 43 and s["mean_return_ms"] == pytest.approx(696000 / 43)
    assert s["attractors"] == [
        {"x": "neg", "y": "neutral", "duration_ms": 52000, "share": 52 / 180}
    ]
    ref = plain_grid(bounds.tolist(), child, mother, cats, cats)
    assert ref["dispersion"] == pytest.approx(s["dispersion"])
    assert ref["mean_return_ms"] == pytest.approx(s["mean_return_ms"])
    assert (ref["visits"], ref["transitions"], ref["returns"]) == (53, 52, 43)
    assert {k: v // 1000 for k, v in ref["cells"].items()} == {
        ("neg", "neutral"): 52,
        ("neg", "pos"): 30,
        ("neutral", "pos"): 28,
        ("pos", "pos"): 18,
        ("neg", "neg"): 16,
        ("neutral", "neutral"): 18,
        ("mixed", "pos"): 6,
        ("neg", "mixed"): 4,
        ("pos", "neutral"): 4,
        ("neutral", "neg"): 4,
    }
