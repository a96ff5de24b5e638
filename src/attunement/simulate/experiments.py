"""In-silico experiments with the developmental model (``docs/model.md``, "Experiments").

Each function returns ``(table, effects, figure, parameters)``: a polars frame of results, a
frame of effects in standard units (d or r with a 95% interval, each beside the closest
observed effect from the literature, ``effect_row``), a matplotlib Figure and a dict of every
parameter used. The numbers are consequences of the model's equations, not findings about
children; what they show is what the model implies.

- :func:`rhythm` "Rhythm, not content": equal adult talk, contingent vs randomly timed.
- :func:`repair` "Repair, not perfection": harmony vs rupture with repair vs without.
- :func:`earned_security`: insecure children meeting a secure relationship at different ages.
- :func:`power`: power to detect an intervention on responsiveness with the toolkit's measure.
- :func:`trial`: a randomised trial of a sensitivity (or representation) intervention.
- :func:`dose`: the trial's effects by number of sessions.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from matplotlib.figure import Figure
from scipy import stats

from attunement.errors import ParameterError
from attunement.measures.turns import turns
from attunement.simulate import affect
from attunement.simulate.calibration import BY_KEY, TRIAL, trial_measures
from attunement.simulate.caregiver import Caregiver
from attunement.simulate.development import DevelopmentParams, simulate_development
from attunement.simulate.effects import d_binary, d_from_r, d_groups, phi, r_interval
from attunement.simulate.session import SessionParameters, session

Result = tuple[pl.DataFrame, pl.DataFrame, Figure, dict[str, Any]]

_SENS_R = BY_KEY["sensitivity_r"]
OBSERVED = {
    "sensitivity_r": (
        "r sensitivity x security",
        _SENS_R.literature,
        _SENS_R.interval,
        _SENS_R.source,
    ),
    "sensitivity_d": (
        "sensitivity x security as d (2r / sqrt(1 - r^2))",
        d_from_r(_SENS_R.literature),
        tuple(d_from_r(v) for v in _SENS_R.interval),
        _SENS_R.source,
    ),
    **{
        key: (BY_KEY[key].label, BY_KEY[key].literature, BY_KEY[key].interval, BY_KEY[key].source)
        for key in ("intervention_sensitivity_d", "intervention_security_d")
    },
}
"""The observed effects the experiments are set beside (``calibration.TARGETS``)."""


def effect_row(
    effect: str, unit: str, value: float, interval: tuple[float, float], observed: str
) -> dict[str, Any]:
    """One effect in standard units beside the observed effect ``OBSERVED[observed]``;
    ``inside``: the value lies in the observed effect's 95% interval."""
    label, obs, (low, high), source = OBSERVED[observed]
    return {
        "effect": effect,
        "unit": unit,
        "value": float(value),
        "low": float(interval[0]),
        "high": float(interval[1]),
        "observed": label,
        "observed_value": float(obs),
        "observed_low": float(low),
        "observed_high": float(high),
        "inside": bool(low <= value <= high),
        "observed_source": source,
    }


def _latency_for_share(share: float, window: float) -> float:
    """Mean exponential latency whose probability of falling within ``window`` is ``share``."""
    return -window / np.log1p(-share)


def rhythm(
    children: int = 4000,
    seed: int = 0,
    *,
    contingent_share: float = 0.95,
    random_span_s: float = 60.0,
    age_weeks: int = 52,
    dyads: int = 40,
    minutes: float = 10.0,
) -> Result:
    """Same adult responses, different timing.

    Development level: the same sampled caregivers in two arms that differ only in
    ``latency_scale``: *contingent*, latencies with P(latency <= window) = ``contingent_share``;
    *random*, a response falls anywhere in a ``random_span_s`` span after the serve, so
    P(within window) = window / span. The number of adult responses per week (availability x
    responsiveness x bids) is the same in both arms. Outcomes at ``age_weeks``: relational
    scaffolding, avoidance, share secure (B).
    Interaction level: ``dyads`` sessions of ``minutes`` with the population-mean caregiver; the
    random arm returns no serve (response probability 0) but talks on its own at the rate the
    contingent arm's returns add (adult_talk + response_probability x serve_rate), so adult talk
    is equal in expectation. Measured with ``attunement.turns`` (rule ``lena``, no chance
    baseline): adult units, turns per hour and the child-serve response rate.
    """
    params = DevelopmentParams()
    window = params.contingency_window_s
    random_share = window / random_span_s
    base = Caregiver.sample(children, seed)
    arms = {
        "contingent": _latency_for_share(contingent_share, window),
        "random": _latency_for_share(random_share, window),
    }
    rows = []
    secure = {}
    natural = simulate_development(base, age_weeks, seed, snapshot_ages=[age_weeks], params=params)
    timing = 1.0 - np.exp(-window / base.latency_scale)
    r_natural = phi(timing, (natural["attachment_class"] == "B").to_numpy())
    for arm, latency in arms.items():
        cg = replace(base, latency_scale=np.full(children, latency))
        frame = simulate_development(cg, age_weeks, seed, snapshot_ages=[age_weeks], params=params)
        secure[arm] = (frame["attachment_class"] == "B").to_numpy()
        per_week = float(np.mean(cg.availability * cg.responsiveness) * params.bids_per_week)
        rows += [
            _row("development", arm, "adult responses per week (expected)", per_week),
            _row("development", arm, "scaffolding", _mean(frame, "scaffolding")),
            _row("development", arm, "avoidance", _mean(frame, "avoidance")),
            _row("development", arm, "share secure (B)", _share_b(frame)),
        ]
    mean_params = SessionParameters()
    extra_talk = mean_params.response_probability * mean_params.serve_rate_per_min
    session_arms = {
        "contingent": mean_params,
        "random": replace(
            mean_params,
            response_probability=0.0,
            adult_talk_per_min=mean_params.adult_talk_per_min + extra_talk,
        ),
    }
    for arm, sp in session_arms.items():
        measured = [
            turns(
                session(sp, minutes=minutes, seed=seed * 100_003 + i).recording,
                rule="lena",
                n_resamples=0,
                bins=False,
            )
            for i in range(dyads)
        ]
        rows += [
            _row("interaction", arm, "adult units", np.mean([m.adult_units for m in measured])),
            _row(
                "interaction", arm, "turns per hour", np.mean([m.turns_per_hour for m in measured])
            ),
            _row(
                "interaction",
                arm,
                "response rate",
                np.nanmean([_num(m.response_rate) for m in measured]),
            ),
        ]
    table = pl.DataFrame(rows)
    d, ci = d_binary(secure["random"], secure["contingent"])
    effects = pl.DataFrame(
        [
            effect_row(
                "secure (B), contingent vs random timing (all responses in vs out of the window)",
                "d",
                d,
                ci,
                "sensitivity_d",
            ),
            effect_row(
                "r timing (share of returns within the window) x secure, natural population",
                "r",
                r_natural,
                r_interval(r_natural, children),
                "sensitivity_r",
            ),
        ]
    )
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    for ax, (level, measure) in zip(
        axes,
        [
            ("development", "scaffolding"),
            ("development", "share secure (B)"),
            ("interaction", "response rate"),
        ],
        strict=True,
    ):
        sub = table.filter((pl.col("level") == level) & (pl.col("measure") == measure))
        ax.bar(sub["arm"].to_list(), sub["value"].to_list(), color=["#3a7", "#b55"])
        ax.set_title(f"{measure} ({level})", fontsize=9)
    fig.suptitle("Rhythm, not content: equal adult responses, contingent vs random timing")
    fig.tight_layout()
    parameters = {
        "experiment": "rhythm",
        "children": children,
        "seed": seed,
        "contingent_share": contingent_share,
        "random_span_s": random_span_s,
        "random_share": random_share,
        "latency_scale": arms,
        "age_weeks": age_weeks,
        "dyads": dyads,
        "minutes": minutes,
        "turn_rule": "lena",
        "session_parameters": {a: sp.to_dict() for a, sp in session_arms.items()},
        "development_params": params.to_dict(),
    }
    return table, effects, fig, parameters


REPAIR_ARMS = {
    "harmony": (0.3, 0.7),
    "rupture + repair": (2.1, 0.95),
    "rupture, no repair": (2.1, 0.1),
}
"""Arm: (caregiver volatility per s, repair). Harmony: a steady caregiver (the population's
lowest volatility) with the mean repair, so fewer ruptures; the other two: the population's
highest volatility with repair 95% or 10%. The matched share is not set: it emerges from these
rates (``simulate.affect``) and is reported per arm."""


def recovery_minutes(regulation: np.ndarray, rate_per_min: float, threshold: float) -> np.ndarray:
    """Recovery time after the standard stressor: arousal starts at 1 and decays as
    ``exp(-rate * G * t)`` (self-regulation in proportion to regulation capacity G); the time to
    fall below ``threshold`` is ``ln(1 / threshold) / (rate * G)`` minutes (inf at G = 0)."""
    with np.errstate(divide="ignore"):
        return np.log(1.0 / threshold) / (rate_per_min * np.asarray(regulation, dtype=np.float64))


def repair(
    children: int = 4000,
    seed: int = 0,
    *,
    age_weeks: int = 104,
    rate_per_min: float = 1.0,
    threshold: float = 0.1,
) -> Result:
    """Harmony vs rupture-with-repair vs rupture-without-repair (``REPAIR_ARMS``) for the same
    sampled caregivers, differing only in ``volatility`` and ``repair``. Resilience at
    ``age_weeks``: the regulation capacity G and the recovery time after a standard stressor
    (:func:`recovery_minutes`); also the emergent matched share, ruptures and repairs per week
    and share secure. Effect: d (``effects.d_binary``) of secure, rupture + repair over
    rupture without repair, beside the sensitivity-security association."""
    params = DevelopmentParams()
    base = Caregiver.sample(children, seed)
    rows = []
    recovery, secure = {}, {}
    for arm, (volatility, repair_p) in REPAIR_ARMS.items():
        cg = replace(
            base, volatility=np.full(children, volatility), repair=np.full(children, repair_p)
        )
        matching = float(affect.stationary(cg.volatility[:1], repair_p, params)["matched"][0])
        frame = simulate_development(cg, age_weeks, seed, snapshot_ages=[age_weeks], params=params)
        regulation = frame["regulation"].to_numpy().astype(np.float64)
        rec = recovery_minutes(regulation, rate_per_min, threshold)
        recovery[arm] = rec
        secure[arm] = (frame["attachment_class"] == "B").to_numpy()
        rows.append(
            {
                "arm": arm,
                "volatility": volatility,
                "matched_share": matching,
                "repair": repair_p,
                "ruptures_per_week": float(frame["ruptures"].mean()) / age_weeks,
                "repairs_per_week": float(frame["repairs"].mean()) / age_weeks,
                "regulation": float(regulation.mean()),
                "recovery_median_min": float(np.median(rec)),
                "recovery_p90_min": float(np.quantile(rec, 0.9)),
                "share_secure": _share_b(frame),
            }
        )
    table = pl.DataFrame(rows)
    d, ci = d_binary(secure["rupture, no repair"], secure["rupture + repair"])
    effects = pl.DataFrame(
        [
            effect_row(
                "secure (B), rupture + repair vs rupture without repair",
                "d",
                d,
                ci,
                "sensitivity_d",
            )
        ]
    )
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.boxplot([np.minimum(r, 60) for r in recovery.values()], showfliers=False)
    ax.set_xticks(range(1, len(recovery) + 1), list(recovery))
    ax.set_ylabel("recovery time after stressor (min)")
    ax.set_title(f"Repair, not perfection (age {age_weeks / 52:g} y)")
    fig.tight_layout()
    parameters = {
        "experiment": "repair",
        "children": children,
        "seed": seed,
        "arms": {k: {"volatility": v, "repair": r} for k, (v, r) in REPAIR_ARMS.items()},
        "age_weeks": age_weeks,
        "stressor": "arousal 1 at t=0, decays as exp(-rate * regulation * t)",
        "rate_per_min": rate_per_min,
        "threshold": threshold,
        "development_params": params.to_dict(),
    }
    return table, effects, fig, parameters


def earned_security(
    children: int = 2000,
    seed: int = 0,
    *,
    start_years: tuple[float, ...] = (1, 3, 5, 8, 11, 15),
    responsiveness: float = 0.3,
    availability: float = 0.5,
    relation_sensitivity: float = 0.8,
    relation_weight: float = 0.2,
    end_weeks: int = 936,
) -> Result:
    """Children of an insensitive caregiver (``responsiveness``, ``availability``; other
    parameters at the population means) who are insecure at 1 year, and a secure later
    relationship (sensitivity ``relation_sensitivity``, share ``relation_weight`` of bids) that
    starts at each of ``start_years`` (and a no-relationship arm): the share secure (B) at
    ``end_weeks`` (18 years) among those insecure at 52 weeks."""
    params = DevelopmentParams()
    rows = []
    earned_by = {}
    for start in (None, *start_years):
        week = -1 if start is None else round(start * 52)
        cg = Caregiver.constant(
            children,
            responsiveness=responsiveness,
            availability=availability,
            relation_week=week,
            relation_sensitivity=relation_sensitivity if start is not None else 0.0,
            relation_weight=relation_weight if start is not None else 0.0,
        )
        frame = simulate_development(
            cg, end_weeks, seed, snapshot_ages=[52, end_weeks], params=params
        )
        first = frame.filter(pl.col("age_weeks") == 52)["attachment_class"].to_numpy()
        last = frame.filter(pl.col("age_weeks") == end_weeks)["attachment_class"].to_numpy()
        insecure = first != "B"
        earned = last[insecure] == "B"
        earned_by[start] = earned
        rows.append(
            {
                "relationship_from_years": start,
                "insecure_at_1y": int(insecure.sum()),
                "secure_at_end": int(earned.sum()),
                "share_earned_secure": float(earned.mean()) if insecure.any() else float("nan"),
            }
        )
    table = pl.DataFrame(rows, schema_overrides={"relationship_from_years": pl.Float64})
    effects = pl.DataFrame(
        [
            effect_row(
                f"secure at 18 y, relationship from {start:g} y vs none (children insecure at 1 y)",
                "d",
                *d_binary(earned_by[None], earned_by[start]),
                "intervention_security_d",
            )
            for start in start_years
        ]
    )
    with_rel = table.filter(pl.col("relationship_from_years").is_not_null())
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(with_rel["relationship_from_years"], with_rel["share_earned_secure"], "o-")
    none = table.filter(pl.col("relationship_from_years").is_null())["share_earned_secure"][0]
    ax.axhline(none, ls="--", color="grey", label="no later relationship")
    ax.set_xlabel("secure relationship starts at age (years)")
    ax.set_ylabel(f"share secure at {end_weeks / 52:g} y")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title("Earned security among children insecure at 1 year")
    fig.tight_layout()
    parameters = {
        "experiment": "earned-security",
        "children": children,
        "seed": seed,
        "start_years": list(start_years),
        "responsiveness": responsiveness,
        "availability": availability,
        "relation_sensitivity": relation_sensitivity,
        "relation_weight": relation_weight,
        "end_weeks": end_weeks,
        "development_params": params.to_dict(),
    }
    return table, effects, fig, parameters


def power(
    seed: int = 0,
    *,
    effect: float = 0.1,
    minutes: tuple[float, ...] = (5, 10, 20, 40),
    dyads: tuple[int, ...] = (10, 20, 40),
    studies: int = 400,
    pool: int | None = None,
    alpha: float = 0.05,
    measure: str = "response_rate",
) -> Result:
    """Power of a two-arm study (control vs intervention, ``n`` dyads each) to detect an
    intervention that raises responsiveness by ``effect`` (capped at 1), by Welch's t-test
    (``scipy.stats.ttest_ind``, two-sided, ``alpha``) on the per-dyad ``measure`` of
    ``attunement.turns`` (rule ``lena``: ``response_rate`` or ``turns_per_hour``).

    Dyads: caregivers sampled from the default population, sessions from ``session.py``
    (``SessionParameters.from_caregiver``). For each recording length a pool of ``pool`` dyads
    per arm (default 4 x the largest n) is simulated and measured once; each of ``studies``
    simulated studies draws n dyads per arm from the pools without replacement (power is then
    conditional on the pool; the pool is several times the largest n to keep that small).
    """
    if measure not in ("response_rate", "turns_per_hour"):
        raise ParameterError(f"measure must be response_rate or turns_per_hour, got {measure!r}")
    pool = pool or 4 * max(dyads)
    if pool < max(dyads):
        raise ParameterError(
            f"pool must be >= the largest number of dyads ({max(dyads)}), got {pool}"
        )
    caregiver = Caregiver.sample(2 * pool, seed)
    rng = np.random.default_rng(seed)
    rows = []
    effects = []
    for m in minutes:
        values = {}
        for arm, offset in (("control", 0), ("intervention", pool)):
            vals = []
            for i in range(pool):
                sp = SessionParameters.from_caregiver(caregiver, offset + i, frightening=0.0)
                if arm == "intervention":
                    r = min(float(caregiver.responsiveness[offset + i]) + effect, 1.0)
                    sp = replace(
                        sp, response_probability=r * float(caregiver.availability[offset + i])
                    )
                rec = session(sp, minutes=m, seed=seed * 1_000_003 + offset + i).recording
                vals.append(
                    _num(getattr(turns(rec, rule="lena", n_resamples=0, bins=False), measure))
                )
            values[arm] = np.asarray(vals, dtype=np.float64)
        d, ci = d_groups(
            values["control"][np.isfinite(values["control"])],
            values["intervention"][np.isfinite(values["intervention"])],
        )
        effects.append(
            effect_row(
                f"{measure} of {m:g}-min recordings, responsiveness +{effect:g} vs control",
                "d",
                d,
                ci,
                "intervention_sensitivity_d",
            )
        )
        for n in dyads:
            hits = untestable = 0
            for _ in range(studies):
                a = rng.choice(values["control"], n, replace=False)
                b = rng.choice(values["intervention"], n, replace=False)
                if np.nanvar(a) == 0 and np.nanvar(b) == 0:
                    untestable += 1  # every dyad alike in both arms (short recordings): no test
                    continue
                with warnings.catch_warnings():
                    # one arm may be constant (every dyad answered every serve): Welch's test is
                    # still defined, but scipy warns about the zero variance it computes for it
                    warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
                    p = stats.ttest_ind(b, a, equal_var=False, nan_policy="omit").pvalue
                hits += bool(p < alpha)
            rows.append(
                {
                    "minutes": float(m),
                    "dyads_per_arm": n,
                    "power": hits / studies,
                    "studies": studies,
                    "untestable": untestable,
                    "mean_control": float(np.nanmean(values["control"])),
                    "mean_intervention": float(np.nanmean(values["intervention"])),
                }
            )
    table = pl.DataFrame(rows)
    grid = table.pivot(on="dyads_per_arm", index="minutes", values="power").sort("minutes")
    heat = grid.drop("minutes").to_numpy()
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    im = ax.imshow(heat, vmin=0, vmax=1, cmap="viridis", origin="lower", aspect="auto")
    ax.set_xticks(range(len(dyads)), [str(d) for d in dyads])
    ax.set_yticks(range(len(minutes)), [f"{m:g}" for m in grid["minutes"]])
    for (i, j), v in np.ndenumerate(heat):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w" if v < 0.6 else "k")
    ax.set_xlabel("dyads per arm")
    ax.set_ylabel("recording minutes")
    ax.set_title(f"Power, responsiveness +{effect:g} ({measure}, α = {alpha:g})")
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    parameters = {
        "experiment": "power",
        "seed": seed,
        "effect": effect,
        "minutes": list(minutes),
        "dyads": list(dyads),
        "studies": studies,
        "pool": pool,
        "alpha": alpha,
        "measure": measure,
        "turn_rule": "lena",
        "test": "Welch two-sample t-test, two-sided (scipy.stats.ttest_ind, equal_var=False)",
        "generator": "session.py, SessionParameters.from_caregiver (frightening off)",
    }
    return table, pl.DataFrame(effects), fig, parameters


def trial(
    children: int = 3000,
    seed: int = 0,
    *,
    sessions: int = TRIAL["sessions"],
    start_week: int = TRIAL["start_week"],
) -> Result:
    """A randomised trial in the model (``calibration.trial_measures``): ``children`` per arm,
    caregivers from the default population; treated caregivers get ``sessions`` weekly
    sessions from ``start_week`` aimed at sensitivity, or (a second trial, same control arm
    design) at their representation. d on sensitivity at 40 weeks and on security at 78 weeks,
    each beside Bakermans-Kranenburg et al.'s (2003) randomised effects."""
    params = DevelopmentParams()
    rows, effects = [], []
    for target, name in ((0, "sensitivity"), (1, "representation")):
        got = trial_measures(
            params, children, seed, sessions=sessions, start_week=start_week, target=target
        )
        rows.append(
            {
                "target": name,
                "d_sensitivity": got["intervention_sensitivity_d"],
                "d_security": got["intervention_security_d"],
                "secure_control": got["secure_control"],
                "secure_treated": got["secure_treated"],
            }
        )
        effects += [
            effect_row(
                f"{name} intervention: sensitivity at 40 weeks",
                "d",
                got["intervention_sensitivity_d"],
                got["intervention_sensitivity_ci"],
                "intervention_sensitivity_d",
            ),
            effect_row(
                f"{name} intervention: secure (B) at 78 weeks",
                "d",
                got["intervention_security_d"],
                got["intervention_security_ci"],
                "intervention_security_d",
            ),
        ]
    table = pl.DataFrame(rows)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    x = np.arange(len(rows))
    ax.bar(x - 0.2, table["d_sensitivity"], 0.4, label="d on sensitivity")
    ax.bar(x + 0.2, table["d_security"], 0.4, label="d on security")
    for key, style in (("intervention_sensitivity_d", "--"), ("intervention_security_d", ":")):
        ax.axhline(BY_KEY[key].literature, ls=style, color="grey")
    ax.set_xticks(x, [f"aimed at {r['target']}" for r in rows])
    ax.set_ylabel("d (treated - control)")
    ax.set_title(f"Randomised trial, {sessions} sessions from week {start_week}")
    ax.legend()
    fig.tight_layout()
    parameters = {
        "experiment": "trial",
        "children_per_arm": children,
        "seed": seed,
        "sessions": sessions,
        "start_week": start_week,
        "posttest_week": TRIAL["posttest_week"],
        "outcome_week": TRIAL["outcome_week"],
        "development_params": params.to_dict(),
    }
    return table, pl.DataFrame(effects), fig, parameters


def dose(
    children: int = 3000,
    seed: int = 0,
    *,
    sessions: tuple[int, ...] = (1, 2, 4, 8, 16, 32),
) -> Result:
    """The trial (sensitivity target) at each number of weekly ``sessions``: d on sensitivity
    and on security with 95% intervals, beside the observed randomised effects."""
    params = DevelopmentParams()
    rows, effects = [], []
    for k in sessions:
        got = trial_measures(params, children, seed, sessions=k)
        rows.append(
            {
                "sessions": k,
                "d_sensitivity": got["intervention_sensitivity_d"],
                "d_sensitivity_low": got["intervention_sensitivity_ci"][0],
                "d_sensitivity_high": got["intervention_sensitivity_ci"][1],
                "d_security": got["intervention_security_d"],
                "d_security_low": got["intervention_security_ci"][0],
                "d_security_high": got["intervention_security_ci"][1],
            }
        )
        effects.append(
            effect_row(
                f"{k} sessions: secure (B) at 78 weeks",
                "d",
                got["intervention_security_d"],
                got["intervention_security_ci"],
                "intervention_security_d",
            )
        )
    table = pl.DataFrame(rows)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    for key, label in (("d_sensitivity", "sensitivity"), ("d_security", "security")):
        ax.errorbar(
            table["sessions"],
            table[key],
            yerr=[table[key] - table[f"{key}_low"], table[f"{key}_high"] - table[key]],
            marker="o",
            capsize=3,
            label=f"d on {label}",
        )
    ax.set_xscale("log", base=2)
    ax.set_xlabel("weekly sessions")
    ax.set_ylabel("d (treated - control)")
    ax.set_title("Dose: effects by number of sessions")
    ax.legend()
    fig.tight_layout()
    parameters = {
        "experiment": "dose",
        "children_per_arm": children,
        "seed": seed,
        "sessions": list(sessions),
        "trial": TRIAL,
        "development_params": params.to_dict(),
    }
    return table, pl.DataFrame(effects), fig, parameters


def _row(level: str, arm: str, measure: str, value: float) -> dict[str, Any]:
    return {"level": level, "arm": arm, "measure": measure, "value": float(value)}


def _mean(frame: pl.DataFrame, column: str) -> float:
    return float(frame[column].cast(pl.Float64).mean())


def _share_b(frame: pl.DataFrame) -> float:
    return float((frame["attachment_class"] == "B").mean())


def _num(x: float | None) -> float:
    return float("nan") if x is None else float(x)


EXPERIMENTS = {
    "rhythm": rhythm,
    "repair": repair,
    "earned-security": earned_security,
    "power": power,
    "trial": trial,
    "dose": dose,
}
