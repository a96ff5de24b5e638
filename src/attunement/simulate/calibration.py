"""Calibration of the developmental model against published figures (``docs/model.md``).

Six parameters of :class:`DevelopmentParams` are fitted (``FITTED``): the three target
intercepts ``avoid_base``, ``anx_base``, ``dis_base`` (they set the class base rates), the
weekly ``state_noise`` (experience outside the model: it lowers long-term stability),
``prototype_pull`` (the prototype's pull back, bounded below by 0.01 so the fit cannot switch the
prototype off) and ``event_residual`` (the lasting share of a life event's drop in caregiving).
Everything else keeps its default; the defaults of the six are the values of the default run,
and the fit starts from them.

Method: simulation-based weighted least squares with common random numbers. One seed fixes
every caregiver and every random draw, so the objective is a deterministic function of the
parameters. The objective is ``sum_k w_k ((simulated_k - target_k) / scale_k) ** 2`` over the
``TARGETS`` marked ``fitted``; ``scale_k`` is a stated tolerance (not a standard error of the
literature figure). Three steps: (1) a coarse grid over ``state_noise`` x ``prototype_pull`` x
``event_residual`` on a quarter of the children, scoring only the stability terms; (2)
Nelder-Mead (scipy) over the three intercepts on 52-week runs of all children, scoring only the
base rates; (3) bounded Nelder-Mead over all six from there on the full objective, with a capped
number of evaluations (24 by default: the default run takes about 3 minutes on 2 cores).
Checks that are not fitted (sensitivity-security r, matched time) are reported beside them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl
from scipy.optimize import minimize

from attunement import repair as measure_repair
from attunement.attachment.agreement import cohen_kappa
from attunement.errors import ParameterError
from attunement.simulate.caregiver import Caregiver
from attunement.simulate.development import DevelopmentParams
from attunement.simulate.population import simulate_population
from attunement.simulate.session import SessionParameters, session

FITTED = (
    "avoid_base",
    "anx_base",
    "dis_base",
    "state_noise",
    "prototype_pull",
    "event_residual",
)
BOUNDS = {"state_noise": (0.0, 0.5), "prototype_pull": (0.01, 0.1), "event_residual": (0.0, 1.0)}
"""Bounds of the fitted rates. ``prototype_pull`` >= 0.01 (half the state rate): the model claims
Fraley's (2002) prototype, so the fit may weaken it but not switch it off."""
AGES = (52, 104, 260, 520, 780, 936)
"""Snapshot ages (weeks): 1, 2, 5, 10, 15 and 18 years (the model's end; Waters et al. compared
infancy with age ~21, we compare 1 with 18 years)."""
PLATEAU_AGES = (520, 780, 936)
NOISE_GRID = (0.06, 0.08, 0.10)
PULL_GRID = (0.01, 0.02, 0.04)
RESIDUAL_GRID = (0.5, 1.0)


@dataclass(frozen=True)
class Target:
    """One published figure: ``key`` in the measures, literature value, tolerance scale, weight,
    whether it enters the objective, and its source."""

    key: str
    label: str
    literature: float
    scale: float
    source: str
    fitted: bool = True
    weight: float = 1.0


_VIJ = "van IJzendoorn, Schuengel & Bakermans-Kranenburg (1999) Dev Psychopathol 11:225-249"
_WATERS = "Waters, Merrick, Treboux, Crowell & Albersheim (2000) Child Dev 71:684-689"
_FRALEY = "Fraley (2002) Pers Soc Psychol Rev 6:123-151"
TARGETS = (
    Target("share_B", "secure (B) at 1 y", 0.62, 0.02, _VIJ),
    Target("share_A", "avoidant (A) at 1 y", 0.15, 0.02, _VIJ),
    Target("share_C", "resistant (C) at 1 y", 0.09, 0.02, _VIJ),
    Target("share_D", "disorganised (D) at 1 y", 0.15, 0.02, _VIJ),
    Target(
        "sensitivity_r",
        "r responsiveness x secure (point-biserial) at 1 y",
        0.24,
        0.05,
        "De Wolff & van IJzendoorn (1997) Child Dev 68:571-591",
        fitted=False,
    ),
    Target("secure_agreement", "same secure/insecure 1 y -> 18 y", 0.72, 0.03, _WATERS),
    Target("secure_kappa", "kappa secure/insecure 1 y -> 18 y", 0.44, 0.05, _WATERS),
    Target("changed_event", "changed secure/insecure, life event", 0.44, 0.05, _WATERS),
    Target("changed_no_event", "changed secure/insecure, no life event", 0.22, 0.05, _WATERS),
    Target("stability_plateau", "phi secure 1 y vs 10-18 y (mean)", 0.39, 0.05, _FRALEY),
    Target(
        "matched_time",
        "matched share of time (repair, valence table)",
        0.30,
        0.05,
        "Tronick & Cohn (1989) Child Dev 60:85-92",
        fitted=False,
    ),
)
BASE_RATE_KEYS = ("share_B", "share_A", "share_C", "share_D")
STABILITY_KEYS = ("secure_agreement", "secure_kappa", "changed_event", "changed_no_event")
STABILITY_KEYS += ("stability_plateau",)


def population_measures(frame: pl.DataFrame) -> dict[str, float]:
    """Every development-level measure the targets need, from a population frame (rows per
    child and snapshot age, children in the same order at every age).

    ``share_*``: class shares at 52 weeks. ``sensitivity_r``: Pearson (point-biserial) r across
    children between caregiver ``responsiveness`` and secure (B = 1) at 52 weeks.
    ``secure_agreement``/``secure_kappa``: share with the same secure/insecure status at 52 and
    at the last snapshot age, and Cohen's kappa of that 2 x 2 table (``cohen_kappa``).
    ``changed_event``/``changed_no_event``: share changing secure/insecure status among children
    with / without a life event (``event_week >= 0``) before the last age. ``r_<age>``: the phi
    coefficient (Pearson r of the 0/1 secure indicators) between secure at 52 weeks and secure at
    each later age, the correlation Fraley (2002) pooled from secure/insecure tables;
    ``stability_plateau`` the mean of ``r_`` over ``PLATEAU_AGES`` present in the frame.
    """
    ages = sorted(frame["age_weeks"].unique().to_list())
    first, last = 52, ages[-1]
    base = frame.filter(pl.col("age_weeks") == first)
    classes = base["attachment_class"].cast(pl.String).to_numpy()
    out = {f"share_{c}": float(np.mean(classes == c)) for c in "ABCD"}
    secure = (classes == "B").astype(np.float64)
    out["sensitivity_r"] = float(np.corrcoef(base["responsiveness"].to_numpy(), secure)[0, 1])
    if last == first:
        return out
    end = frame.filter(pl.col("age_weeks") == last)
    secure_end = (end["attachment_class"] == "B").to_numpy().astype(np.float64)
    changed = secure != secure_end
    out["secure_agreement"] = float(1.0 - changed.mean())
    out["secure_kappa"] = float(cohen_kappa(secure, secure_end, categories=[0.0, 1.0]).kappa)
    event = base["event_week"].to_numpy()
    had = (event >= 0) & (event < last)
    out["changed_event"] = float(changed[had].mean()) if had.any() else float("nan")
    out["changed_no_event"] = float(changed[~had].mean()) if (~had).any() else float("nan")
    plateau = []
    for age in ages[ages.index(first) + 1 :]:
        later = frame.filter(pl.col("age_weeks") == age)["attachment_class"] == "B"
        out[f"r_{age}"] = float(np.corrcoef(secure, later.to_numpy().astype(np.float64))[0, 1])
        if age in PLATEAU_AGES:
            plateau.append(out[f"r_{age}"])
    if plateau:
        out["stability_plateau"] = float(np.mean(plateau))
    return out


def objective(measures: dict[str, float], keys: tuple[str, ...] | None = None) -> float:
    """``sum w ((simulated - literature) / scale) ** 2`` over the fitted ``TARGETS`` (or those in
    ``keys``); a missing or NaN measure counts as a large penalty (1e6)."""
    total = 0.0
    for t in TARGETS:
        if not t.fitted or (keys is not None and t.key not in keys):
            continue
        value = measures.get(t.key, float("nan"))
        if not np.isfinite(value):
            total += 1e6
            continue
        total += t.weight * ((value - t.literature) / t.scale) ** 2
    return total


def matched_time(n_dyads: int, seed: int, minutes: float = 5.0) -> float:
    """Mean matched share of time (``matching_proportion_total`` of ``attunement.repair`` with
    the ``valence`` match table) over ``n_dyads`` interaction-level sessions (``session.py``) of
    caregivers sampled from the default population (``SessionParameters.from_caregiver``;
    frightening episodes off, as they are coded outside the valence table)."""
    caregiver = Caregiver.sample(n_dyads, seed)
    shares = []
    for i in range(n_dyads):
        params = SessionParameters.from_caregiver(caregiver, i, frightening=0.0)
        recording = session(params, minutes=minutes, seed=seed * 1_000_003 + i).recording
        shares.append(measure_repair(recording, match_table="valence").matching_proportion_total)
    return float(np.mean(shares))


@dataclass
class Calibration:
    """A calibration run: fitted values (``fitted``), starting values, the objective at the end,
    evaluations used, the target table and every setting."""

    fitted: dict[str, float]
    start: dict[str, float]
    objective: float
    evaluations: int
    table: pl.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> DevelopmentParams:
        return replace(DevelopmentParams(), **self.fitted)

    def rows(self) -> list[dict[str, Any]]:
        """One JSON-ready object per target: target, literature, simulated, source, ..."""
        return self.table.to_dicts()


def _with(params: DevelopmentParams, names: tuple[str, ...], x: np.ndarray) -> DevelopmentParams:
    values = dict(zip(names, (float(v) for v in x), strict=True))
    for name, (low, high) in BOUNDS.items():
        if name in values:
            values[name] = min(max(values[name], low), high)
    return replace(params, **values)


def calibrate(
    children: int = 20_000,
    seed: int = 0,
    *,
    quick: bool = False,
    max_joint_evaluations: int = 24,
    dyads: int = 100,
    progress: Callable[[int, str], None] | None = None,
) -> Calibration:
    """Fit ``FITTED`` to the fitted ``TARGETS`` (method: module docstring). ``quick`` skips the
    joint step and uses fewer evaluations (for tests). Same arguments, same result.
    ``progress(runs_so_far, step)`` is called before every model run."""
    if children < 100:
        raise ParameterError(f"children must be >= 100, got {children}")
    if seed < 0:
        raise ParameterError(f"seed must be >= 0, got {seed}")
    params = DevelopmentParams()
    start = {n: getattr(params, n) for n in FITTED}
    count = 0

    step = "grid"

    def run(p: DevelopmentParams, n: int, ages: tuple[int, ...]) -> dict[str, float]:
        nonlocal count
        if progress is not None:
            progress(count, step)
        count += 1
        years = ages[-1] / 52
        frame = simulate_population(n, years, seed, snapshot_ages=list(ages), params=p)
        return population_measures(frame)

    # 1. coarse grid over noise x pull x residual, stability terms only, a quarter of the children
    grid_n = max(children // 4, 100)
    grids = (NOISE_GRID, PULL_GRID, RESIDUAL_GRID)
    if quick:
        grids = tuple(g[::2] for g in grids)
    scores = {}
    for point in itertools.product(*grids):
        trial = _with(params, FITTED[3:], np.array(point))
        scores[point] = objective(run(trial, grid_n, AGES), STABILITY_KEYS)
    params = _with(params, FITTED[3:], np.array(min(scores, key=scores.get)))

    # 2. intercepts on the base rates at 1 year (52-week runs, all children)
    step = "intercepts"
    names = FITTED[:3]
    x0 = np.array([getattr(params, n) for n in names])
    fit = minimize(
        lambda x: objective(run(_with(params, names, x), children, (52,)), BASE_RATE_KEYS),
        x0,
        method="Nelder-Mead",
        options={
            "maxfev": 25 if quick else 120,
            "xatol": 0.005,
            "fatol": 0.05,
            "initial_simplex": _simplex(x0, 0.15),
        },
    )
    params = _with(params, names, fit.x)

    # 3. all six jointly on the full objective (steps point into the bounds)
    if not quick:
        step = "joint"
        x0 = np.array([getattr(params, n) for n in FITTED])
        steps = np.array([0.1, 0.1, 0.1, 0.01, 0.005, -0.1 if x0[5] > 0.5 else 0.1])
        fit = minimize(
            lambda x: objective(run(_with(params, FITTED, x), children, AGES)),
            x0,
            method="Nelder-Mead",
            bounds=[BOUNDS.get(n, (None, None)) for n in FITTED],
            options={"maxfev": max_joint_evaluations, "initial_simplex": _simplex(x0, steps)},
        )
        params = _with(params, FITTED, fit.x)

    step = "final"
    measures = run(params, children, AGES)
    measures["matched_time"] = matched_time(dyads if not quick else 10, seed)
    fitted = {n: round(float(getattr(params, n)), 5) for n in FITTED}
    settings = {
        "children": children,
        "seed": seed,
        "quick": quick,
        "max_joint_evaluations": max_joint_evaluations,
        "dyads": dyads if not quick else 10,
        "ages_weeks": list(AGES),
        "plateau_ages_weeks": list(PLATEAU_AGES),
        "noise_grid": list(grids[0]),
        "pull_grid": list(grids[1]),
        "residual_grid": list(grids[2]),
        "bounds": {k: list(v) for k, v in BOUNDS.items()},
        "grid_children": grid_n,
        "security": "secure = class B; stability = phi of secure at 1 y with secure later",
        "sensitivity": "caregiver responsiveness (probability of returning a serve)",
        "matched_time_generator": "session.py, SessionParameters.from_caregiver, 5 min",
    }
    return Calibration(
        fitted=fitted,
        start=start,
        objective=round(objective(measures), 4),
        evaluations=count,
        table=target_table(measures),
        settings=settings,
    )


def _simplex(x0: np.ndarray, step: float | np.ndarray) -> np.ndarray:
    """Nelder-Mead start: x0 and x0 moved by ``step`` along each axis."""
    return np.vstack([x0, x0 + np.diag(np.broadcast_to(step, x0.shape))])


def target_table(measures: dict[str, float]) -> pl.DataFrame:
    """target, literature, simulated, scale, standardised difference, fitted?, source; then the
    stability curve ``r_<age>`` rows (no literature value)."""
    rows = []
    for t in TARGETS:
        value = measures.get(t.key, float("nan"))
        rows.append(
            {
                "target": t.label,
                "key": t.key,
                "literature": t.literature,
                "simulated": round(value, 4),
                "scale": t.scale,
                "z": round((value - t.literature) / t.scale, 2),
                "fitted": t.fitted,
                "source": t.source,
            }
        )
    for key in sorted((k for k in measures if k.startswith("r_")), key=lambda k: int(k[2:])):
        age = int(key[2:])
        rows.append(
            {
                "target": f"phi secure 1 y vs {age / 52:g} y",
                "key": key,
                "literature": None,
                "simulated": round(measures[key], 4),
                "scale": None,
                "z": None,
                "fitted": False,
                "source": f"{_FRALEY}: long-run plateau ~.39",
            }
        )
    return pl.DataFrame(
        rows, schema_overrides={"literature": pl.Float64, "scale": pl.Float64, "z": pl.Float64}
    )
