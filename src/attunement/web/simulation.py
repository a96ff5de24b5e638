"""The simulation page's science calls: a simulated stretch of daylong audio with the slider's
responsiveness, a simulated coded dyad with the slider's repair, and the developmental model's
attachment classes for caregivers with both, drawn as inline SVG.

The two sliders and how each simulator uses them (shown on the page with every parameter):

- ``responsiveness`` r: the probability that an adult's vocalisation follows a child's
  (``attunement.simulate.daylong.day``'s ``contingency``) and the development model's caregiver
  responsiveness (probability a serve is returned).
- ``repair`` ρ: the probability that a rupture is repaired within ``REPAIR_WINDOW_S``. The coded
  dyad (``attunement.simulate.coded_dyad``) has a constant repair hazard, so it uses
  h = −ln(1 − ρ) / ``REPAIR_WINDOW_S``; the development model's caregiver ``repair`` is ρ.
  The 5 s window is this page's choice, made so that one slider drives both models; Tronick &
  Gianino (1986) describe normal mismatches as repaired within a few seconds.

``write_outcome`` runs in a worker process (``attunement.web.workers``) and writes one slider
setting's outcome as JSON to a cache file; the server reads it back (``attunement.web.outcome``).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from attunement.measures.registry import run_all
from attunement.recording import Recording
from attunement.simulate.caregiver import BetaSpec, CaregiverPopulation
from attunement.simulate.coded_dyad import coded_dyad
from attunement.simulate.daylong import day
from attunement.simulate.development import CLASSES
from attunement.simulate.population import simulate_population
from attunement.web.files import write_private
from attunement.web.outcome import Outcome
from attunement.web.plots import svg

REPAIR_WINDOW_S = 5.0
DAY_HOURS = 2.0
DAY_SEGMENTS = 1200  # 600 per hour: sparse enough that contingency, not density, makes turns
DYAD_SECONDS = 600.0
MATCH_PROPORTION = 0.3  # Tronick & Cohn (1989): normative dyads are matched ~30% of the time
TURN_RULE = "lena"
MATCH_TABLE = "valence"
POPULATION_CHILDREN = 400
POPULATION_YEARS = 10


def hazard(repair_probability: float) -> float:
    """The constant repair hazard (per s) that repairs a rupture within ``REPAIR_WINDOW_S``
    with probability ``repair_probability``."""
    return -math.log(1.0 - repair_probability) / REPAIR_WINDOW_S


def write_outcome(responsiveness: float, repair_probability: float, target: Path) -> None:
    """Simulate and draw one setting; write it to ``target`` as JSON (0600, atomically)."""
    write_private(target, json.dumps(asdict(outcome(responsiveness, repair_probability))))


def outcome(responsiveness: float, repair_probability: float, seed: int = 0) -> Outcome:
    """Simulate and draw one setting."""
    h = hazard(repair_probability)
    frame = day(DAY_SEGMENTS, hours=DAY_HOURS, contingency=responsiveness, seed=seed)
    rec = Recording(id="simulated day", path="", format="simulated", segments=frame)
    day_results = run_all(rec, {"turns": {"rule": TURN_RULE, "n_resamples": 0}})
    dyad = coded_dyad(DYAD_SECONDS, match_proportion=MATCH_PROPORTION, repair_hazard=h, seed=seed)
    dyad_results = run_all(dyad.recording, {"repair": {"match_table": MATCH_TABLE}})
    turn_result = _result(day_results, "turns")
    repair_result = _result(dyad_results, "repair")
    development_svg, note = _development(responsiveness, repair_probability, seed)
    return Outcome(
        parameters={
            "responsiveness": responsiveness,
            "repair_probability": repair_probability,
            "repair_window_s": REPAIR_WINDOW_S,
            "repair_hazard_per_s": round(h, 4),
            "day_hours": DAY_HOURS,
            "day_segments": DAY_SEGMENTS,
            "turn_rule": TURN_RULE,
            "dyad_seconds": DYAD_SECONDS,
            "match_proportion": MATCH_PROPORTION,
            "match_table": MATCH_TABLE,
            "seed": seed,
        },
        day=_headline(day_results, "turns"),
        dyad=_headline(dyad_results, "repair"),
        turns_svg=_turns_plot(turn_result),
        repair_svg=_repair_plot(dyad.spells, repair_result.repair_latency_km, h),
        development_svg=development_svg,
        development_note=note,
    )


def _result(outcomes, name: str):
    return next(o.result for o in outcomes if o.family.name == name)


def _headline(outcomes, name: str) -> list[dict[str, str]]:
    """The headline figures of family ``name`` with the catalogue's names and labels."""
    outcome = next(o for o in outcomes if o.family.name == name)
    values = outcome.result.figures()
    return [
        {"name": f.name, "label": f.label, "shown": f.display(values[f.name])}
        for f in outcome.family.scalars
        if f.headline
    ]


def _turns_plot(result) -> str:
    fig = Figure(figsize=(6.4, 2.8), layout="constrained")
    ax = fig.add_subplot()
    bins = result.bins_5min
    x = (bins["elapsed_s"] / 60).to_numpy()
    ax.bar(x, bins["turns"].to_numpy(), width=4.5, align="edge", color="#4C72B0")
    ax.set_xlabel("minutes from start")
    ax.set_ylabel("turns per 5 min")
    rate = "n/a" if result.response_rate is None else f"{result.response_rate:.0%}"
    ax.set_title(f"serve and return: {result.turns} turns; {rate} of child vocalisations answered")
    return svg(fig)


def _repair_plot(spells: pl.DataFrame, km: list[list[float]], h: float) -> str:
    fig = Figure(figsize=(6.4, 2.8), layout="constrained")
    timeline, survival = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
    shown = spells.filter(pl.col("onset_s") < 120)
    timeline.broken_barh(
        list(zip(shown["onset_s"], shown["offset_s"] - shown["onset_s"], strict=True)),
        (0, 1),
        color="#C44E52",
    )
    timeline.set_xlim(0, 120)
    timeline.set_yticks([])
    timeline.set_xlabel("seconds (first 2 min); red = mismatch")
    timeline.set_title("rupture and repair")
    if km:
        t, s = np.array(km).T
        survival.step(t, s, where="post", color="#C44E52", label="observed")
    grid = np.linspace(0, max(3 * REPAIR_WINDOW_S, 1), 100)
    survival.plot(grid, np.exp(-h * grid), color="black", ls="--", lw=1, label="model")
    survival.set_xlabel("seconds since rupture")
    survival.set_ylabel("not yet repaired")
    survival.set_ylim(0, 1.02)
    survival.legend(fontsize="small")
    return svg(fig)


def _development(responsiveness: float, repair_probability: float, seed: int):
    """Attachment class shares by age for caregivers with these values, and a note on what
    was simulated."""
    population = CaregiverPopulation(
        responsiveness=BetaSpec.constant(responsiveness),
        repair=BetaSpec.constant(repair_probability),
    )
    frame = simulate_population(POPULATION_CHILDREN, POPULATION_YEARS, seed, population=population)
    shares = (
        frame.group_by("age_weeks", "attachment_class")
        .len()
        .with_columns(share=pl.col("len") / pl.col("len").sum().over("age_weeks"))
        .sort("age_weeks")
    )
    ages = sorted(shares["age_weeks"].unique().to_list())
    fig = Figure(figsize=(6.4, 2.6), layout="constrained")
    ax = fig.add_subplot()
    bottom = np.zeros(len(ages))
    colours = {"A": "#DD8452", "B": "#55A868", "C": "#8172B3", "D": "#C44E52"}
    for cls in CLASSES:
        rows = shares.filter(pl.col("attachment_class") == cls)
        lookup = dict(zip(rows["age_weeks"].to_list(), rows["share"].to_list(), strict=True))
        values = np.array([lookup.get(a, 0.0) for a in ages])
        ax.bar(
            [f"{a / 52:g} y" for a in ages],
            values,
            bottom=bottom,
            label=cls,
            color=colours.get(cls),
        )
        bottom += values
    ax.set_ylabel("share of children")
    ax.set_title("attachment classes (A avoidant, B secure, C anxious, D disorganised)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    note = (
        f"{POPULATION_CHILDREN} simulated children followed for {POPULATION_YEARS} years, every "
        "caregiver with these two values and the model's defaults for everything else "
        "(attunement.simulate.population; docs/model.md)."
    )
    return svg(fig), note
