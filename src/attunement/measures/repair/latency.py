"""Repair latency as time-to-event: Kaplan-Meier within a dyad, Cox regression across dyads.

A mismatch episode's latency is observed when it ends in a match and right-censored otherwise
(see ``episodes``). Ignoring censoring biases latency down: the mean of repaired episodes only
leaves out exactly the long mismatches. We use lifelines (Davidson-Pilon 2019, JOSS 4:1317)
rather than our own estimator: it is the maintained reference implementation in Python.

- Kaplan & Meier (1958): S(t) = prod over event times t_i <= t of (1 - d_i / n_i); the median
  latency is the smallest t with S(t) <= 0.5 (``None`` when S never reaches 0.5: "not reached").
- Constant-hazard estimate (``summary``): repairs / total duration of the episodes (the
  exponential maximum-likelihood rate, per second), which censoring does not bias when the
  hazard is constant.
- Cox (1972) proportional hazards across dyads: hazard of repair ~ dyad covariates, with
  Lin-Wei robust (sandwich) standard errors clustered by dyad, since episodes of one dyad are
  not independent.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from attunement.errors import DataError


def kaplan_meier(durations: np.ndarray, repaired: np.ndarray) -> dict[str, Any]:
    """Median (s, or None if not reached) and the curve ``[[t, S(t)], ...]`` of repair
    latencies; None / empty without episodes."""
    if len(durations) == 0:
        return {"median_s": None, "curve": []}
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter().fit(durations, event_observed=repaired)
    median = float(fitter.median_survival_time_)
    curve = fitter.survival_function_.iloc[:, 0]
    return {
        "median_s": median if math.isfinite(median) else None,
        "curve": [[float(t), float(s)] for t, s in zip(curve.index, curve.to_numpy(), strict=True)],
    }


def cox_model(
    results: Sequence[Any],
    covariates: pl.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    id_column: str = "recording_id",
    penalizer: float = 0.0,
) -> dict[str, Any]:
    """Cox proportional-hazards model of repair latency across dyads.

    ``results``: per-dyad ``RepairResult`` objects; ``covariates``: one row per dyad with
    ``id_column`` matching each result's ``recording_id`` and numeric covariate ``columns``
    (default: every other column). Every mismatch episode is one observation (duration, repaired)
    carrying its dyad's covariates; standard errors are clustered by dyad. Returns the
    coefficients, hazard ratios with 95% CIs, p-values, concordance and counts. Dyads missing from
    ``covariates`` raise ``ValueError`` naming them.
    """
    from lifelines import CoxPHFitter

    if id_column not in covariates.columns:
        raise DataError(f"covariates need a {id_column!r} column, got columns {covariates.columns}")
    names = (
        list(columns) if columns is not None else [c for c in covariates.columns if c != id_column]
    )
    if not names:
        raise DataError(f"no covariate columns besides {id_column!r}")
    frames = [
        r.mismatches.select("duration_s", "repaired").with_columns(
            pl.lit(r.recording_id).alias(id_column)
        )
        for r in results
    ]
    episodes = pl.concat(frames) if frames else pl.DataFrame()
    if episodes.height == 0:
        raise DataError("no mismatch episodes in any result")
    known = set(covariates[id_column].cast(pl.String).to_list())
    missing = sorted({r.recording_id for r in results} - known)
    if missing:
        raise DataError(f"no covariates for dyad(s): {', '.join(missing[:10])}")
    data = episodes.join(
        covariates.select(pl.col(id_column).cast(pl.String), *names), on=id_column, how="left"
    ).with_columns(pl.col("repaired").cast(pl.Int8))
    frame = data.to_pandas()
    fitter = CoxPHFitter(penalizer=penalizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines' advice notes; convergence errors still raise
        fitter.fit(
            frame,
            duration_col="duration_s",
            event_col="repaired",
            cluster_col=id_column,
            robust=True,
        )
    summary = fitter.summary
    terms = {
        name: {
            "coef": float(summary.loc[name, "coef"]),
            "hazard_ratio": float(summary.loc[name, "exp(coef)"]),
            "hazard_ratio_ci95": [
                float(summary.loc[name, "exp(coef) lower 95%"]),
                float(summary.loc[name, "exp(coef) upper 95%"]),
            ],
            "se_robust": float(summary.loc[name, "se(coef)"]),
            "p": float(summary.loc[name, "p"]),
        }
        for name in names
    }
    return {
        "method": "cox",
        "source": "Cox (1972) JRSS-B 34:187-220; lifelines CoxPHFitter, SE clustered by dyad",
        "parameters": {"covariates": names, "penalizer": penalizer, "id_column": id_column},
        "terms": terms,
        "concordance": float(fitter.concordance_index_),
        "episodes": int(data.height),
        "repairs": int(data["repaired"].sum()),
        "dyads": int(data[id_column].n_unique()),
    }
