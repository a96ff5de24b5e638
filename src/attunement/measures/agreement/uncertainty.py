"""How far a turn count measured by an error-prone system (LENA, a voice type classifier) is
from what a careful human annotation would have given: a simulation-based interval.

Method: regression-adjusted approximate Bayesian computation (Beaumont, Zhang & Balding 2002,
Genetics 162:2025-2035), with the session generator as the model of true days:

1. From the rule's child and adult units in the observed recording, the true rates of child and
   adult vocalisations are estimated by inverting the error model's expected counts (misses,
   confusions, false alarms; male adults folded into female).
2. ``n_resamples`` true days of the recording's length are drawn from the session generator
   (``simulate.session.vocal_stream``) with parameters spread around those rates: response
   probability uniform on [0.02, 0.98], child and adult rates x e^U(-0.5, 0.5) (child rates
   capped at 90% of what the generator can place: very dense clips are simulated less dense).
3. Each day is corrupted by the error model (``corrupt``); the turn rule is run on the true and
   on the corrupted day.
4. The simulated days closest to the observed one in measured turns per hour, response rate,
   child and adult units per hour (scaled by their spread; the closest half, Epanechnikov
   weights) are kept; true turns per hour (and the true response rate) are regressed on the
   measured summaries (on the log scale for turns per hour, the logit scale for the rate), each
   simulated truth is moved to the observed summaries along that regression, and the weighted
   2.5% and 97.5% quantiles give the 95% interval, the weighted median the corrected value;
   bias = measured - corrected.

Assumptions, stated in every result: the error model holds for this recording (errors
independent from segment to segment, no split or merged segments); the generator's dyadic
structure (child serves, adult returns, adult talk; other children and male adults folded into
"adult") is close enough to the recording's; the interval is for what the turn rule would count
on a human annotation of the same audio, not for a "true" conversational quantity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attunement import segments as seg
from attunement.errors import DataError, ParameterError
from attunement.measures.agreement.corrupt import corrupt_arrays
from attunement.measures.agreement.error_model import ErrorModel

METHOD = (
    "regression-adjusted approximate Bayesian computation (Beaumont, Zhang & Balding 2002, "
    "Genetics 162:2025): true days from the session generator, corrupted by the error model, "
    "the mapping from measured to true learnt by local-linear regression and applied to this "
    "recording's measured turns per hour, response rate and unit rates"
)
ASSUMPTIONS = (
    "the error model holds for this recording (independent errors per segment, no split or "
    "merged segments); the session generator's structure (child serves, adult returns and "
    "adult talk; male adults and other children folded in) is close enough to this day; the "
    "interval is for what the rule would count on a human annotation of the same audio"
)
GAP_MS = 3_600_000  # between simulated days on one timeline: no rule window crosses it
MIN_RESAMPLES = 20


@dataclass(frozen=True)
class Observed:
    """The measured summaries of the observed recording."""

    hours: float
    turns_per_hour: float
    response_rate: float
    child_per_hour: float
    adult_per_hour: float
    class_counts: dict[str, int]


def observed(recording, result) -> Observed:
    """Summaries of ``recording``'s ``TurnResult``: the rule's own child and adult units stand
    for the measured CHI and adult (FEM, MAL folded in) counts."""
    hours = result.recorded_s / 3600
    if hours <= 0:
        raise DataError("no recorded time: an interval needs a recording with a duration")
    return Observed(
        hours=hours,
        turns_per_hour=result.turns / hours,
        response_rate=result.response_rate or 0.0,
        child_per_hour=result.child_units / hours,
        adult_per_hour=result.adult_units / hours,
        class_counts={"CHI": result.child_units, "FEM": result.adult_units},
    )


def true_rates(obs: Observed, model: ErrorModel) -> tuple[float, float]:
    """True child and adult vocalisations per minute: the measured class counts solved through
    the error model's expected counts, ``measured = A true`` with ``A[k, c] = (1 - miss_c)
    confusion[c][k] + [k = c] false_alarm_ratio_c``."""
    k = len(model.classes)
    miss = np.array([model.miss_rate[c] for c in model.classes])
    a = (model.matrix() * (1 - miss)[:, None]).T + np.diag(
        [model.false_alarm_ratio[c] for c in model.classes]
    )
    measured = np.array([obs.class_counts.get(c, 0) for c in model.classes], dtype=float)
    truth = np.clip(np.linalg.lstsq(a, measured, rcond=None)[0], 0, None)
    minutes = obs.hours * 60
    child = truth[model.classes.index("CHI")] / minutes
    adult = sum(truth[i] for i in range(k) if model.classes[i] in ("FEM", "MAL")) / minutes
    return max(child, 0.05), max(adult, 0.05)


def simulate(
    obs: Observed, model: ErrorModel, rule: str, rule_params: dict[str, Any], n: int, seed: int
) -> dict[str, np.ndarray]:
    """``n`` true days, corrupted: true and measured turns per hour, response rates and unit
    rates per day."""
    from attunement.simulate.session import vocal_stream
    from attunement.simulate.specs import SessionParameters

    for needed in ("CHI", "FEM"):
        if needed not in model.classes:
            raise ParameterError(f"the error model must cover {needed} to simulate turns")
    rng = np.random.default_rng(seed)
    child_rate, adult_rate = true_rates(obs, model)
    minutes = obs.hours * 60
    day_ms = round(minutes * 60_000)
    p = rng.uniform(0.02, 0.98, n)
    serve = child_rate * np.exp(rng.uniform(-0.5, 0.5, n))
    talk = np.maximum(adult_rate * np.exp(rng.uniform(-0.5, 0.5, n)) - p * serve, 0.05)
    chi, fem = model.classes.index("CHI"), model.classes.index("FEM")
    clean, noisy = [], []
    for i in range(n):
        params = SessionParameters(
            response_probability=float(p[i]),
            serve_rate_per_min=float(min(serve[i], 0.9 * max_serve_rate(float(p[i])))),
            adult_talk_per_min=float(talk[i]),
        )
        on, off, child = vocal_stream(params, minutes=minutes, seed=int(rng.integers(2**62)))
        cls = np.where(child, chi, fem)
        base = i * (day_ms + GAP_MS)
        clean.append((on + base, off + base, cls, np.full(len(on), i)))
        out = corrupt_arrays(
            on.astype(float), off.astype(float), cls, np.array([[0.0, day_ms]]), model, rng
        )
        noisy.append((out.onset + base, out.offset + base, out.cls, np.full(len(out.cls), i)))
    true = _measure(clean, model, rule, rule_params, n, obs.hours)
    measured = _measure(noisy, model, rule, rule_params, n, obs.hours)
    return {"true_" + k: v for k, v in true.items()} | {
        "measured_" + k: v for k, v in measured.items()
    }


def max_serve_rate(p: float) -> float:
    """The most child serves per minute the session generator can place when the caregiver
    returns with probability ``p`` (bouts plus the minimum gap fill the time; ``gap_mean_s``)."""
    from attunement.simulate.specs import SessionParameters, gap_mean_s

    slow = 1e-3
    probe = SessionParameters(response_probability=p, serve_rate_per_min=slow)
    k = 1.0 / (1.0 - p * probe.continue_probability)
    cycle = k * 60.0 / slow - gap_mean_s(probe, p)  # mean bout + the minimum gap, in s
    return k * 60.0 / cycle


def _measure(parts, model, rule, rule_params, n, hours) -> dict[str, np.ndarray]:
    from attunement.measures.turns import answered
    from attunement.measures.turns.kernels import ADULT, CHILD
    from attunement.measures.turns.rules import RULES

    on, off, cls, day = (np.concatenate([p[k] for p in parts]) for k in range(4))
    order = np.lexsort((on, day))
    speaker = pl.Series(list(model.classes), dtype=seg.SpeakerType).gather(cls[order])
    frame = seg.build(
        {
            "segment_onset": on[order],
            "segment_offset": off[order],
            "speaker_type": speaker,
            "speaker_id": speaker.cast(pl.String),
            "kind": pl.Series(["vocal"], dtype=seg.Kind).gather(np.zeros(len(order), np.int64)),
        },
        sort=False,
    )
    group = day[order]
    pairs = RULES[rule].count(frame, rule_params, group)
    child = pairs.role == CHILD
    ok = answered(on[order], off[order], pairs.role, rule_params)
    per_day = np.bincount(group[child], minlength=n)
    return {
        "turns_per_hour": np.bincount(group[pairs.response], minlength=n) / hours,
        "response_rate": np.bincount(group[child], weights=ok, minlength=n)
        / np.maximum(per_day, 1),
        "child_per_hour": per_day / hours,
        "adult_per_hour": np.bincount(group[pairs.role == ADULT], minlength=n) / hours,
    }


SUMMARIES = ("turns_per_hour", "response_rate", "child_per_hour", "adult_per_hour")
TRANSFORMS = {  # adjusted on a scale where the regression cannot leave the range
    "turns_per_hour": (np.log1p, lambda y: float(np.expm1(y))),
    "response_rate": (
        lambda p: np.log(np.clip(p, 1e-3, 1 - 1e-3) / (1 - np.clip(p, 1e-3, 1 - 1e-3))),
        lambda y: float(1 / (1 + np.exp(-y))),
    ),
}


def adjust(sims: dict[str, np.ndarray], obs: Observed) -> dict[str, Any]:
    """Regression-adjusted ABC (module docstring, step 4): intervals and corrected values."""
    s = np.column_stack([sims["measured_" + k] for k in SUMMARIES])
    target = np.array([getattr(obs, k) for k in SUMMARIES])
    scale = np.median(np.abs(s - np.median(s, axis=0)), axis=0) * 1.4826
    scale = np.where(scale > 0, scale, np.where(s.std(axis=0) > 0, s.std(axis=0), 1.0))
    d = np.sqrt((((s - target) / scale) ** 2).sum(axis=1))
    keep = np.argsort(d)[: max(len(d) // 2, min(len(d), 10))]
    delta = d[keep].max() or 1.0
    w = 1 - (d[keep] / (delta * 1.0001)) ** 2
    x = np.column_stack([np.ones(len(keep)), (s[keep] - target) / scale])
    out = {}
    for name in ("turns_per_hour", "response_rate"):
        forward, back = TRANSFORMS[name]
        theta = forward(sims["true_" + name][keep])
        beta = np.linalg.lstsq(x * np.sqrt(w)[:, None], theta * np.sqrt(w), rcond=None)[0]
        adjusted = theta - x[:, 1:] @ beta[1:]
        out[name] = tuple(back(q) for q in _weighted_quantiles(adjusted, w, (0.025, 0.5, 0.975)))
    out["accepted"] = len(keep)
    return out


def _weighted_quantiles(values, weights, qs) -> list[float]:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cdf, v)) for q in qs]


def turn_intervals(
    recording, result, model: ErrorModel, rule_params: dict[str, Any], n_resamples: int, seed: int
) -> dict[str, Any]:
    """The interval figures of a ``TurnResult`` (see the module docstring)."""
    if n_resamples < MIN_RESAMPLES:
        raise ParameterError(
            f"turns: an error model needs n_resamples >= {MIN_RESAMPLES} simulated days, "
            f"got {n_resamples}"
        )
    obs = observed(recording, result)
    sims = simulate(obs, model, result.rule, rule_params, n_resamples, seed)
    fit = adjust(sims, obs)
    outside = [
        name.replace("_", " ")
        for name in SUMMARIES
        if not np.quantile(sims["measured_" + name], 0.01)
        <= getattr(obs, name)
        <= np.quantile(sims["measured_" + name], 0.99)
    ]
    warnings = (
        [
            "the simulated days do not reach this recording's measured "
            + ", ".join(outside)
            + ": the interval is an extrapolation, not a measurement"
        ]
        if outside
        else []
    )
    (tph_low, tph_mid, tph_high), (rr_low, _, rr_high) = fit["turns_per_hour"], fit["response_rate"]
    return {
        "turns_low": int(np.floor(tph_low * obs.hours)),
        "turns_high": int(np.ceil(tph_high * obs.hours)),
        "turns_per_hour_low": tph_low,
        "turns_per_hour_high": tph_high,
        "response_rate_low": rr_low,
        "response_rate_high": rr_high,
        "turns_corrected": tph_mid * obs.hours,
        "turns_per_hour_corrected": tph_mid,
        "turns_bias": result.turns - tph_mid * obs.hours,
        "uncertainty": {
            "method": METHOD,
            "assumptions": ASSUMPTIONS,
            "error_model": model.source,
            "error_model_approximate": model.approximate,
            "simulated_days": n_resamples,
            "days_kept": fit["accepted"],
            "level": 0.95,
            "seed": seed,
            "warnings": warnings,
        },
    }
