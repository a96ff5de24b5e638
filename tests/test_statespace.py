"""State space grids: hand-computed grids for every measure and edge case, properties, and the
ConNEcT attachment dyad recomputed in plain Python."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement import segments as seg
from attunement.errors import DataError
from attunement.io import read
from attunement.measures.registry import family
from attunement.measures.synchrony.statespace import dispersion, state_space_grid
from attunement.recording import Recording
from tests.catalogue_helpers import assert_catalogue_names
from tests.coded_examples import STILL_FACE_ICEP_R
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
    s = res.figures()
    assert (s["events"], s["uncoded_events"], s["uncoded_s"], s["coded_s"]) == (5, 1, 2.0, 8.0)
    assert (s["visits"], s["segments"], s["transitions"], s["cell_range"]) == (4, 2, 2, 3)
    assert s["n_cells"] == 4
    assert s["mean_event_s"] == 1.6 and s["mean_visit_s"] == 2.0
    assert s["mean_cell_s"] == pytest.approx(8 / 3)
    assert s["dispersion"] == pytest.approx(1 - (4 * 0.40625 - 1) / 3)
    assert s["returns"] == 1 and s["mean_return_s"] == 3.0  # (a,p) left at 3 s, back at 6 s
    assert res.attractors == [
        {"x": "a", "y": "p", "duration_s": 4.0, "share": 0.5},
        {"x": "a", "y": "q", "duration_s": 3.0, "share": 0.375},
    ]
    cells = res.to_frame()
    assert cells["x"].to_list() == ["a", "a", "b", "b"] and cells["y"].to_list() == list("pqpq")
    assert cells["duration_s"].to_list() == [4.0, 3.0, 0.0, 1.0]
    assert cells["events"].to_list() == [3, 1, 0, 1] and cells["visits"].to_list() == [2, 1, 0, 1]
    assert cells["mean_visit_s"].to_list() == [2.0, 3.0, None, 1.0]
    assert cells["returns"].to_list() == [1, 0, 0, 0]
    assert cells["mean_return_s"].to_list() == [3.0, None, None, None]
    assert cells["first_entry_s"].to_list() == [0.0, 7.0, None, 3.0]
    assert cells["duration_rank"].to_list() == [1, 2, 4, 3]
    visits = res.visit_table
    assert visits["onset_s"].to_list() == [0.0, 3.0, 6.0, 7.0]
    assert visits["duration_s"].to_list() == [3.0, 1.0, 1.0, 3.0]
    assert visits["segment"].to_list() == [0, 0, 1, 1]
    assert visits["events"].to_list() == [2, 1, 1, 1]
    out = res.to_dict()
    assert out["family"] == "grid" and out["parameters"]["n_cells"] == 4
    assert out["cells"][0] == {**cells.row(0, named=True)}
    assert "Hollenstein" in out["source"] and "dispersion" in out["definition"]


def test_episodes_are_measured_alone():
    res = state_space_grid(BOUNDS, CHILD, CARER, episode=["e1"] * 3 + ["e2"] * 3)
    e1, e2 = res.episodes["e1"], res.episodes["e2"]
    assert (e1["coded_s"], e1["visits"], e1["transitions"]) == (4.0, 2, 1)
    assert e1["dispersion"] == pytest.approx(1 - (4 * (0.75**2 + 0.25**2) - 1) / 3)
    assert (e2["uncoded_events"], e2["coded_s"]) == (1, 4.0)
    assert (e2["visits"], e2["transitions"]) == (2, 1)
    assert list(res.to_dict()["episodes"]) == ["e1", "e2"]
    split = state_space_grid([0, 1, 2, 3], ["a"] * 3, ["p"] * 3, episode=["e", "f", "e"])
    assert split.episodes["e"]["segments"] == 2 and split.episodes["e"]["returns"] == 1


def test_single_cell_one_category_and_full_spread():
    one = state_space_grid([0, 5, 7], ["a", "a"], ["p", "p"])
    s = one.figures()
    assert (s["n_cells"], s["visits"], s["transitions"], s["cell_range"]) == (1, 1, 0, 1)
    assert s["dispersion"] == 0.0 and s["events"] == 2 and s["returns"] == 0
    assert s["mean_return_s"] is None and s["mean_visit_s"] == 0.007
    fixed = state_space_grid([0, 5], ["a"], ["p"], x_categories=["a", "b"], y_categories=["p"])
    assert fixed.n_cells == 2 and fixed.dispersion == 0.0
    spread = state_space_grid([0, 2, 4, 6, 8], list("abab"), list("ppqq"))
    assert spread.dispersion == 1.0 and spread.cell_range == 4


def test_nothing_coded_and_gap_between_same_cell():
    empty = state_space_grid([0, 10, 20], ["", "a"], ["p", ""])
    s = empty.figures()
    assert (s["events"], s["uncoded_events"], s["uncoded_s"], s["coded_s"]) == (0, 2, 0.02, 0)
    assert (s["visits"], s["transitions"], s["dispersion"], s["mean_event_s"]) == (
        0,
        0,
        None,
        None,
    )
    assert empty.to_frame().height == 0 and empty.attractors == []
    gap = state_space_grid([0, 10, 25, 30], ["a", "", "a"], ["p", "p", "p"]).figures()
    assert (gap["visits"], gap["transitions"], gap["segments"]) == (2, 0, 2)
    assert gap["returns"] == 1 and gap["mean_return_s"] == 0.015


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
    s = res.figures()
    assert s["coded_s"] == ref["total_ms"] / 1000
    for key in ("visits", "transitions", "cell_range", "returns"):
        assert s[key] == ref[key]
    assert s["dispersion"] == (
        None if ref["dispersion"] is None else pytest.approx(ref["dispersion"])
    )
    ref_return = ref["mean_return_ms"]
    assert s["mean_return_s"] == (None if ref_return is None else pytest.approx(ref_return / 1000))
    assert s["dispersion"] is None or 0.0 <= s["dispersion"] <= 1.0
    assert s["visits"] - s["transitions"] == s["segments"]
    assert res.to_frame()["duration_s"].sum() == pytest.approx(s["coded_s"])
    frame = res.to_frame().filter(pl.col("duration_s") > 0)
    keys = zip(frame["x"], frame["y"], strict=True)
    assert dict(zip(keys, frame["duration_s"] * 1000, strict=True)) == ref["cells"]


def test_real_attachment_dyad():
    child, mother = attachment_states()
    cats = ["neg", "mixed", "neutral", "pos"]
    bounds = np.arange(91, dtype=np.int64) * 2000  # 90 two-second intervals
    res = state_space_grid(bounds, child, mother, x_categories=cats, y_categories=cats)
    s = res.figures()
    assert (s["events"], s["visits"], s["transitions"], s["cell_range"]) == (90, 53, 52, 10)
    assert (s["coded_s"], s["n_cells"], s["uncoded_events"]) == (180.0, 16, 0)
    assert s["mean_visit_s"] == pytest.approx(180 / 53)
    assert s["mean_cell_s"] == 18.0
    # cell seconds (child, mother): (neg,neu) 52, (neg,pos) 30, (neu,pos) 28, (pos,pos) 18,
    # (neu,neu) 18, (neg,neg) 16, (mixed,pos) 6, (neg,mixed) 4, (pos,neu) 4, (neu,neg) 4 of 180;
    # sum of squares 5376, so dispersion = 1 - (16 · 5376 / 180² - 1) / 15 = 0.889679…
    assert s["dispersion"] == pytest.approx(1 - (16 * 5376 / 180**2 - 1) / 15)
    assert s["dispersion"] == pytest.approx(0.889679012345679)
    assert s["returns"] == 43 and s["mean_return_s"] == pytest.approx(696 / 43)
    assert res.attractors == [{"x": "neg", "y": "neutral", "duration_s": 52.0, "share": 52 / 180}]
    ref = plain_grid(bounds.tolist(), child, mother, cats, cats)
    assert ref["dispersion"] == pytest.approx(s["dispersion"])
    assert ref["mean_return_ms"] / 1000 == pytest.approx(s["mean_return_s"])
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


def test_grid_family_on_the_still_face_dyad_uses_the_catalogue_names(tmp_path):
    """ICEP-R Still-Face dyad (tests/coded_examples.py), child x caregiver cells: (positive,
    positive) 0-3, 6-10, 25-30 s = 12 s; (negative, positive) 3-6, 20-25 = 8 s; (object,
    no_infant_focus) 10-14 = 4 s; (negative, no_infant_focus) 14-20 = 6 s. Seven visits in one
    gap-free stretch: six transitions. Shares .4, 8/30, 4/30, 6/30 of 6 cells: dispersion
    1 - (6 · 260/900 - 1) / 5 = 64/75. Returns: (positive, positive) after 3 s and 15 s,
    (negative, positive) after 14 s: mean 32/3 s."""
    path = tmp_path / "dyad.csv"
    path.write_text(STILL_FACE_ICEP_R)
    result = family("grid").run(read(path))
    data = json.loads(json.dumps(result.to_dict()))
    assert_catalogue_names(data, "grid")
    assert (data["path"], data["recording_id"]) == (str(path), "dyad")
    assert (data["events"], data["visits"], data["transitions"], data["segments"]) == (7, 7, 6, 1)
    assert (data["cell_range"], data["n_cells"], data["coded_s"], data["uncoded_s"]) == (
        4,
        6,
        30.0,
        0.0,
    )
    assert data["mean_visit_s"] == pytest.approx(30 / 7) and data["mean_cell_s"] == 7.5
    assert data["dispersion"] == pytest.approx(64 / 75)
    assert (data["returns"], data["mean_return_s"]) == (3, pytest.approx(32 / 3))
    assert data["attractors"] == [
        {"x": "positive", "y": "positive", "duration_s": 12.0, "share": 0.4}
    ]
    assert list(data["episodes"]) == ["FF", "SF", "RE"]
    ff = data["episodes"]["FF"]
    assert (ff["visits"], ff["transitions"], ff["returns"], ff["mean_return_s"]) == (3, 2, 1, 3.0)
    assert set(ff) == {f.name for f in family("grid").scalars}
    assert len(data["cells"]) == 6 and len(data["visit_table"]) == 7


def test_grid_family_needs_both_partners_codes():
    rec = Recording(
        id="alone",
        path="",
        format="test",
        segments=seg.build(
            {
                "segment_onset": [0],
                "segment_offset": [5000],
                "speaker_type": ["CHI"],
                "speaker_id": ["CHI"],
                "kind": ["affect"],
                "code": ["Cpos"],
            }
        ),
    )
    with pytest.raises(DataError, match="no caregiver codes"):
        family("grid").run(rec)
