"""Rupture and repair, state space grid and cross-recurrence on a real dyad, as Markdown for the
README, plus the grid plot ``docs/attachment_data_grid.png``.

    python examples/repair_real_data.py [DATA_DIR] [--plot PNG]   # default ../shared/data/real

ConNEcT's AttachmentData (Bodner et al. 2019): one mother-child dyad (child 8-12 years) in a
3-minute stressful puzzle task, binary codes per 2-s interval. Affect states per partner:
``pos`` (only the positive code on), ``neg`` (only the negative code), ``mixed`` (both) and
``neutral`` (neither); MAlone, CAlone and Togth are task codes, not affect, and are left out.
Repair uses the ``valence`` match table (pos-pos and neg-neg match, opposite valences mismatch,
mixed and neutral are neutral), with "no code" read as neutral because every interval was coded,
under each rule for a mismatch that runs into neutral time (``neutral``: censor, bridge, end).

The same dyad through ``icep-r-reading-1``: ConNEcT does not code ICEP-R engagement phases, so the
states are named in its vocabulary (pos -> positive, neg -> negative, neutral -> monitor, mixed ->
left uncoded). This shows what each table calls a match; it is not an ICEP-R coding of the dyad.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

import attunement
from attunement.io.intervals import from_binary_table
from attunement.measures.coded_streams import from_partner_table
from attunement.measures.synchrony import cross_recurrence, state_space_grid
from attunement.report.grid_plot import plot_grid

ROLES = {"Mpos": "FEM", "Mneg": "FEM", "Cpos": "CHI", "Cneg": "CHI"}
STATES = ["neg", "mixed", "neutral", "pos"]
PLOT = Path(__file__).resolve().parents[1] / "docs" / "attachment_data_grid.png"


def states(positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """One affect state per interval from the two binary valence codes."""
    return np.where(
        positive & negative,
        "mixed",
        np.where(positive, "pos", np.where(negative, "neg", "neutral")),
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("root", nargs="?", type=Path, default=Path("../shared/data/real"))
    ap.add_argument("--plot", type=Path, default=PLOT, help="where to draw the grid")
    args = ap.parse_args(argv)
    frame = pl.read_csv(args.root / "connect" / "AttachmentData.csv")
    affect = frame.select(list(ROLES))
    rec = from_binary_table(affect, interval_s=2.0, role_map=ROLES, recording_id="AttachmentData")
    result = attunement.repair(rec, match_table="valence", absent_code="none")
    n = result.to_dict()
    print("### Rupture and repair (`valence` match table)\n")
    print("| measure | value |\n|---|---|")
    rows = [
        ("matched / mismatched / neutral time (s)", _times(n)),
        ("matching proportion, of matched + mismatched time", f"{n['matching_proportion']:.3f}"),
        ("matching proportion, of all time", f"{n['matching_proportion_total']:.3f}"),
        ("mismatch episodes", n["mismatch_episodes"]),
        ("repairs", n["repairs"]),
        ("reparation rate (repairs per mismatch episode)", f"{n['reparation_rate']:.3f}"),
        ("repair latency, Kaplan–Meier median (s)", _latency(n)),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")

    print("\n### A mismatch that runs into neutral time (`--neutral`)\n")
    print("| rule | episodes | repairs | censored | closed unrepaired | median latency (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for rule, extra in (("censor", {}), ("bridge", {"bridge_s": 2.0}), ("end", {})):
        res = attunement.repair(
            rec, match_table="valence", absent_code="none", neutral=rule, **extra
        ).to_dict()
        label = f"{rule} (2 s)" if extra else rule
        median = res["repair_latency_median_s"]
        print(
            f"| {label} | {res['mismatch_episodes']} | {res['repairs']} | {res['censored']} | "
            f"{res['ended_unrepaired']} | {'not reached' if median is None else f'{median:.1f}'} |"
        )

    child = states(frame["Cpos"].to_numpy() == 1, frame["Cneg"].to_numpy() == 1)
    mother = states(frame["Mpos"].to_numpy() == 1, frame["Mneg"].to_numpy() == 1)
    bounds = np.arange(frame.height + 1, dtype=np.int64) * 2000
    grid = state_space_grid(bounds, child, mother, x_categories=STATES, y_categories=STATES)
    top = grid.attractors[0]
    print("\n### State space grid (child × mother, 4 × 4 cells)\n")
    print("| measure | value |\n|---|---|")
    for name, value in [
        ("events (2-s intervals)", grid.events),
        ("visits / transitions", f"{grid.visits} / {grid.transitions}"),
        ("cell range", f"{grid.cell_range} of {grid.n_cells}"),
        ("mean duration per visit (s)", f"{grid.mean_visit_s:.2f}"),
        ("dispersion (GridWare)", f"{grid.dispersion:.3f}"),
        ("returns / mean return time (s)", f"{grid.returns} / {grid.mean_return_s:.1f}"),
        (
            "most time in one cell",
            f"child {top['x']}, mother {top['y']}: {top['duration_s']:.0f} s ({top['share']:.0%})",
        ),
    ]:
        print(f"| {name} | {value} |")
    plot_grid(grid, args.plot, title="AttachmentData: child × mother affect, 2-s intervals")
    two_tables(result, child, mother)

    rqa = cross_recurrence(child, mother, lmin=2, vmin=2, max_lag=5)
    r = rqa.to_dict()
    peaks = " and ".join(str(lag).replace("-", "−") for lag in rqa.profile_peak_lags())
    print(
        f"\nCategorical cross-recurrence of the two {len(child)}-step state sequences "
        f"(lmin = vmin = 2): RR {r['rr']:.3f}, DET {r['det']:.3f}, L {r['l_mean']:.2f}, "
        f"Lmax {r['l_max']}, ENTR {r['entr']:.3f}, LAM {r['lam']:.3f}, TT {r['tt']:.2f}; "
        f"the diagonal profile over ±5 steps peaks at lag {peaks}"
    )
    print(f"\nGrid plot written to {args.plot}")


ICEP_NAMES = {"pos": "positive", "neg": "negative", "neutral": "monitor"}  # mixed: uncoded


def two_tables(valence, child: np.ndarray, mother: np.ndarray) -> None:
    """The dyad under valence and under icep-r-reading-1 (states named in its vocabulary)."""
    rows = [
        {"onset": 2 * i, "offset": 2 * i + 2, "partner": partner, "code": ICEP_NAMES[state]}
        for partner, stream in (("child", child), ("caregiver", mother))
        for i, state in enumerate(stream.tolist())
        if state in ICEP_NAMES
    ]
    icep = attunement.repair(from_partner_table(pl.DataFrame(rows)), match_table="icep-r-reading-1")
    both_neg = float(np.sum((child == "neg") & (mother == "neg"))) * 2
    print("\n### One dyad, two match tables\n")
    print("| | `valence` | `icep-r-reading-1` |\n|---|---:|---:|")
    for label, name, fmt in (
        ("matched / mismatched s", None, None),
        ("matching proportion", "matching_proportion", ".3f"),
        ("mismatch episodes", "mismatch_episodes", "d"),
        ("repairs", "repairs", "d"),
    ):
        if name is None:
            cells = [f"{r.match_s:g} / {r.mismatch_s:g}" for r in (valence, icep)]
        else:
            cells = [format(getattr(r, name), fmt) for r in (valence, icep)]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    print(
        f"\nBoth negative: {both_neg:g} s, a match under valence (shared affect) and a mismatch "
        "under icep-r-reading-1 (every infant-negative cell is a mismatch)."
    )


def _times(n: dict) -> str:
    return f"{n['match_s']:g} / {n['mismatch_s']:g} / {n['neutral_s']:g}"


def _latency(n: dict) -> str:
    if n["repair_latency_median_s"] is not None:
        return f"{n['repair_latency_median_s']:.1f}"
    return (
        f"not reached: {n['censored']} of {n['mismatch_episodes']} episodes censored, "
        f"{n['censored_neutral']} of them ending in neutral time"
    )


if __name__ == "__main__":
    main()
