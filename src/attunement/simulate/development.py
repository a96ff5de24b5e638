"""The development level of the simulator: a weekly-step model of attachment from birth on.

Per child and week: the child makes ``bids`` serves; the caregiver (and, later, other
relationships) returns some contingently, is predictable or not, matches or mismatches, repairs
ruptures or not, and sometimes frightens. From these counts the child updates an internal
working model (discounted Beta beliefs about availability, predictability and fright),
relational scaffolding and regulation capacity; these set targets for the attachment dimensions
(avoidance/deactivation, anxiety/hyperactivation, disorganisation), which a revisable state
follows while a prototype formed in the first year pulls it back (Fraley 2002); life events
lower caregiving, leave a lasting residual and reopen the prototype. The caregiver's own
attachment representation shapes her sensitivity, availability, consistency and (unresolved)
frightening behaviour; an intervention raises her sensitivity or works on her representation,
session by session; the child's susceptibility scales how far caregiving moves the targets, both
ways; the Strange Situation classification at each snapshot is the state seen through assessment
noise. Ruptures and repairs follow the matched share and repair rate that emerge from the coupled
affect dynamics (``simulate.affect``). Every state,
equation and default is written down in ``docs/model.md``; the equations are modelling choices.

The kernel runs in parallel over children with one counter-based random stream per child
(:mod:`attunement.simulate.rng`): results do not depend on chunking or thread count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import polars as pl
from numba import njit, prange

from attunement.errors import ParameterError
from attunement.simulate import affect, rng
from attunement.simulate.caregiver import FIELDS, Caregiver

WEEKS_PER_YEAR = 52
CLASSES = ("A", "B", "C", "D")
"""Class codes 0..3: A avoidant, B secure, C resistant/ambivalent, D disorganised."""

STATES = (
    "availability_belief",
    "predictability_belief",
    "fright_belief",
    "scaffolding",
    "regulation",
    "avoidance",
    "anxiety",
    "disorganisation",
    "prototype_avoidance",
    "prototype_anxiety",
    "prototype_disorganisation",
    "sensitivity",
)
COUNTS = ("serves", "returns", "ruptures", "repairs", "frightening_episodes")
"""Cumulative counts from birth to the snapshot age."""
_N_OUT = len(STATES) + 1 + len(COUNTS)


@dataclass(frozen=True)
class DevelopmentParams:
    """Every parameter of the weekly development model, with its default (``docs/model.md``).

    Experience: ``bids_per_week`` salient child serves per week (Poisson mean);
    ``contingency_window_s`` a return is contingent when its latency (exponential, mean
    ``latency_scale``) is within this window; ``occasion_sd`` logit-scale sd of week-to-week
    responsiveness at consistency 0.
    Beliefs: ``belief_discount`` weekly forgetting factor of the Beta beliefs; ``evidence_weight``
    pseudo-observations per encounter; ``prior_*_a``/``_b`` the Beta priors at birth.
    Scaffolding: ``scaffold_gain`` per returned serve (as a share of bids), ``scaffold_decay``
    per week. Regulation: ``regulation_gain`` per repaired rupture, ``regulation_loss`` per
    unrepaired rupture (both per bid), ``regulation_initial`` at birth.
    Targets (logit scale): avoidance ``avoid_base + avoid_unavailable * (1 - a) * p +
    avoid_unscaffolded * (1 - S)``; anxiety ``anx_base + anx_unpredictable * (1 - p) +
    anx_dysregulated * (1 - G)``; disorganisation ``dis_base + dis_fright * f +
    dis_conflict * avoidance * anxiety``.
    State: ``state_rate`` weekly pull of the state toward its target, ``state_noise`` sd of
    weekly experience outside the model; ``prototype_weeks`` sensitive period over which the
    prototype forms (running mean of the state); ``prototype_pull`` weekly pull of the state
    toward the prototype afterwards (0 switches the prototype off); ``prototype_revision``
    weekly rate at which the prototype itself follows the state afterwards.
    Classes: D when disorganisation >= ``disorganisation_threshold``; else B when avoidance <
    ``avoidance_threshold`` and anxiety < ``anxiety_threshold``; else A or C by the larger
    relative excess over its threshold.
    Life events: after an event ends, responsiveness and availability stay multiplied by
    ``1 - event_residual * event_drop`` (the lasting share of the drop; Waters et al. 2000:
    negative life events predict change of security); during an event the prototype reopens:
    no pull toward it, and it revises toward the state at ``event_revision`` (Fraley 2002).
    Assessment: ``assessment_noise`` logit-scale sd added to each dimension when the class is
    read at a snapshot (the Strange Situation sees the state through occasion and coder noise);
    the reported dimensions are noise-free.
    Caregiver representation (codes ``caregiver.REPRESENTATIONS``): every insecure one lowers
    logit responsiveness by ``rep_sensitivity``; dismissing lowers availability by the share
    ``rep_dismissing_availability``, preoccupied consistency by ``rep_preoccupied_consistency``;
    unresolved adds ``rep_unresolved_fright`` to the probability of frightening behaviour.
    Intervention: after k of its weekly sessions the effect is e = 1 - exp(-k /
    ``intervention_sessions_scale``); aimed at sensitivity it adds ``intervention_gain`` x e to
    logit responsiveness; aimed at the representation it multiplies every representation effect
    above by 1 - e.
    Susceptibility s (per child, ``Caregiver``): each target is t* = b + s (t - b), b the logit
    of its class threshold.
    Affect dynamics (``simulate.affect``): ``child_*``, ``caregiver_negative``,
    ``caregiver_neutral``, ``upset_*``, ``carry_over_s``, ``repair_horizon_s``.
    Defaults: the values of the default calibration run (``simulate.calibration``) for the
    fitted parameters; the rest are round modelling choices (``docs/model.md``).
    """

    bids_per_week: float = 30.0
    contingency_window_s: float = 3.0
    occasion_sd: float = 1.0
    belief_discount: float = 0.98
    evidence_weight: float = 0.1
    prior_availability_a: float = 1.0
    prior_availability_b: float = 1.0
    prior_predictability_a: float = 1.0
    prior_predictability_b: float = 1.0
    prior_fright_a: float = 0.1
    prior_fright_b: float = 9.9
    scaffold_gain: float = 0.05
    scaffold_decay: float = 0.01
    regulation_gain: float = 0.05
    regulation_loss: float = 0.05
    regulation_initial: float = 0.5
    avoid_base: float = -6.54296
    avoid_unavailable: float = 9.55213
    avoid_unscaffolded: float = 2.0
    anx_base: float = -4.58244
    anx_unpredictable: float = 6.0
    anx_dysregulated: float = 2.0
    dis_base: float = -1.90965
    dis_fright: float = 40.0
    dis_conflict: float = 4.0
    state_rate: float = 0.02
    state_noise: float = 0.15351
    prototype_weeks: float = 52.0
    prototype_pull: float = 0.02715
    prototype_revision: float = 0.001
    avoidance_threshold: float = 0.5
    anxiety_threshold: float = 0.5
    disorganisation_threshold: float = 0.5
    event_residual: float = 0.97024
    event_revision: float = 0.02
    assessment_noise: float = 0.67261
    rep_sensitivity: float = 0.53827
    rep_dismissing_availability: float = 0.2
    rep_preoccupied_consistency: float = 0.3
    rep_unresolved_fright: float = 0.02
    intervention_gain: float = 0.8
    intervention_sessions_scale: float = 6.0
    child_change_per_s: float = 3.91593
    child_coupling_per_s: float = 0.09846
    child_negative: float = 0.15
    child_positive: float = 0.10815
    child_positive_concentration: float = 10.0
    caregiver_negative: float = 0.05
    caregiver_neutral: float = 0.05778
    upset_build_s: float = 30.0
    upset_weight: float = 0.60236
    carry_over_s: float = 186.73221
    repair_horizon_s: float = 5.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value):
                raise ParameterError(f"params.{f.name} must be finite, got {value}")
        positive = ("bids_per_week", "contingency_window_s", "evidence_weight", "prototype_weeks")
        positive += ("intervention_sessions_scale", "child_positive_concentration")
        positive += ("upset_build_s", "repair_horizon_s")
        for name in positive + tuple(n for n in _names(self) if n.startswith("prior_")):
            if getattr(self, name) <= 0:
                raise ParameterError(f"params.{name} must be > 0, got {getattr(self, name)}")
        unit = ("belief_discount", "scaffold_gain", "scaffold_decay", "regulation_gain")
        unit += ("regulation_loss", "regulation_initial", "state_rate", "prototype_pull")
        unit += ("prototype_revision", "avoidance_threshold", "anxiety_threshold")
        unit += ("disorganisation_threshold", "event_residual", "event_revision")
        unit += ("rep_dismissing_availability", "rep_preoccupied_consistency")
        unit += ("rep_unresolved_fright", "child_negative", "child_positive")
        unit += ("caregiver_negative", "caregiver_neutral", "upset_weight")
        for name in unit:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ParameterError(f"params.{name} must lie in [0, 1], got {getattr(self, name)}")
        if self.state_rate + self.prototype_pull > 1.0:
            raise ParameterError(
                "params.state_rate + params.prototype_pull must be <= 1, got "
                f"{self.state_rate} + {self.prototype_pull}"
            )
        nonnegative = ("occasion_sd", "state_noise", "assessment_noise", "rep_sensitivity")
        nonnegative += ("intervention_gain", "child_change_per_s", "child_coupling_per_s")
        nonnegative += ("carry_over_s",)
        for name in nonnegative:
            if getattr(self, name) < 0:
                raise ParameterError(f"params.{name} must be >= 0, got {getattr(self, name)}")
        if self.child_negative + self.child_positive > 1 or (
            self.caregiver_negative + self.caregiver_neutral > 1
        ):
            raise ParameterError(
                "params: child_negative + child_positive and caregiver_negative + "
                "caregiver_neutral must each be <= 1"
            )

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    def as_array(self) -> np.ndarray:
        return np.array([getattr(self, n) for n in _names(self)], dtype=np.float64)


def _names(params) -> tuple[str, ...]:
    return tuple(f.name for f in fields(params))


@njit(cache=True)
def beta_update(alpha, beta, successes, trials, discount, weight):
    """One week of a discounted Beta belief: ``alpha' = discount * alpha + weight * successes``,
    ``beta' = discount * beta + weight * (trials - successes)``; returns ``(alpha', beta')``.
    With ``discount = 1`` and ``weight = 1`` this is the conjugate Beta-binomial update; the
    discount (a power prior / forgetting factor) keeps the belief revisable."""
    return (
        discount * alpha + weight * successes,
        discount * beta + weight * (trials - successes),
    )


@njit(cache=True)
def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@njit(cache=True)
def _logit(p):
    p = min(max(p, 1e-9), 1.0 - 1e-9)
    return np.log(p / (1.0 - p))


@njit(cache=True)
def classify(avoidance, anxiety, disorganisation, thr_avoid, thr_anx, thr_dis):
    """Class code 0..3 (A, B, C, D) of one state (thresholds: ``DevelopmentParams``)."""
    if disorganisation >= thr_dis:
        return 3
    if avoidance < thr_avoid and anxiety < thr_anx:
        return 1
    return 0 if avoidance / thr_avoid >= anxiety / thr_anx else 2


@njit(cache=True)
def _targets(a_hat, p_hat, f_hat, scaffold, regulation, avoid_now, anx_now, prm, sus):
    """The three targets (logit scale), each scaled by the susceptibility ``sus`` around the
    logit of its class threshold."""
    avoid = prm[16] + prm[17] * (1.0 - a_hat) * p_hat + prm[18] * (1.0 - scaffold)
    anx = prm[19] + prm[20] * (1.0 - p_hat) + prm[21] * (1.0 - regulation)
    dis = prm[22] + prm[23] * f_hat + prm[24] * avoid_now * anx_now
    ba, bx, bd = _logit(prm[30]), _logit(prm[31]), _logit(prm[32])
    return ba + sus * (avoid - ba), bx + sus * (anx - bx), bd + sus * (dis - bd)


@njit(cache=True)
def _effect(t, week, sessions, scale):
    """Share of an intervention's full effect after the sessions delivered by week t."""
    if week < 0 or t < week or sessions <= 0:
        return 0.0
    return 1.0 - np.exp(-min(t - week + 1.0, sessions) / scale)


@njit(cache=True, parallel=True, error_model="numpy")
def _develop(seed, first_child, cg, prm, snaps, n_weeks):
    n = cg.shape[1]
    out = np.empty((n, snaps.size, _N_OUT))
    bids, window, occasion_sd, discount, weight = prm[0], prm[1], prm[2], prm[3], prm[4]
    s_gain, s_decay, g_gain, g_loss, g_init = prm[11], prm[12], prm[13], prm[14], prm[15]
    rate, noise, proto_weeks, pull, revision = prm[25], prm[26], prm[27], prm[28], prm[29]
    residual, event_revision, assess = prm[33], prm[34], prm[35]
    rep_sens, rep_avail, rep_cons, rep_fright = prm[36], prm[37], prm[38], prm[39]
    int_gain, int_scale = prm[40], prm[41]
    for i in prange(n):
        state = rng.stream(seed, first_child + i, rng.DEVELOPMENT_STREAM)
        seen = rng.stream(seed, first_child + i, rng.ASSESSMENT_STREAM)
        resp0, latency, cons0, avail0 = cg[0, i], cg[1, i], cg[2, i], cg[3, i]
        matching, repair, fright0 = cg[4, i], cg[5, i], cg[6, i]
        drift_sd, drift_weeks, sus, rep = cg[7, i], cg[8, i], cg[9, i], cg[10, i]
        ev_week, ev_weeks, ev_drop = cg[11, i], cg[12, i], cg[13, i]
        rel_week, rel_sens, rel_weight = cg[14, i], cg[15, i], cg[16, i]
        int_week, int_sessions, int_target = cg[17, i], cg[18, i], cg[19, i]
        contingent = 1.0 - np.exp(-window / latency)
        keep = np.exp(-1.0 / drift_weeks)
        innovation = drift_sd * np.sqrt(1.0 - keep * keep)
        z, _, state = rng.normal2(state)
        drift = drift_sd * z
        aa, ab, pa, pb, fa, fb = prm[5], prm[6], prm[7], prm[8], prm[9], prm[10]
        scaffold, regulation = 0.0, g_init
        n_serves, n_returns, n_ruptures, n_repairs, n_fright = 0.0, 0.0, 0.0, 0.0, 0.0
        a_hat, p_hat, f_hat = aa / (aa + ab), pa / (pa + pb), fa / (fa + fb)
        la, lx, _ = _targets(a_hat, p_hat, f_hat, scaffold, regulation, 0.0, 0.0, prm, sus)
        _, _, ld = _targets(
            a_hat, p_hat, f_hat, scaffold, regulation, _sigmoid(la), _sigmoid(lx), prm, sus
        )
        qa, qx, qd = la, lx, ld
        # the caregiver's representation: constant unless an intervention works on it
        insecure = 1.0 if rep > 0.5 else 0.0
        dismissing = 1.0 if 0.5 < rep < 1.5 else 0.0
        preoccupied = 1.0 if 1.5 < rep < 2.5 else 0.0
        unresolved = 1.0 if rep > 2.5 else 0.0
        base_logit = _logit(resp0) - rep_sens * insecure
        avail = avail0 * (1.0 - rep_avail * dismissing)
        consistency = cons0 * (1.0 - rep_cons * preoccupied)
        fright = min(fright0 + rep_fright * unresolved, 1.0)
        resp_logit, avail_t = base_logit, avail
        k = 0
        for t in range(n_weeks + 1):
            while k < snaps.size and snaps[k] == t:
                row = out[i, k]
                row[0], row[1], row[2] = a_hat, p_hat, f_hat
                row[3], row[4] = scaffold, regulation
                row[5], row[6], row[7] = _sigmoid(la), _sigmoid(lx), _sigmoid(ld)
                row[8], row[9], row[10] = _sigmoid(qa), _sigmoid(qx), _sigmoid(qd)
                # sensitivity: last week's P(prompt return of a bid), before drift and noise
                row[11] = avail_t * _sigmoid(resp_logit) * contingent
                z1, z2, seen = rng.normal2(seen)
                z3, _, seen = rng.normal2(seen)
                row[12] = classify(
                    _sigmoid(la + assess * z1),
                    _sigmoid(lx + assess * z2),
                    _sigmoid(ld + assess * z3),
                    prm[30],
                    prm[31],
                    prm[32],
                )
                row[13], row[14], row[15] = n_serves, n_returns, n_ruptures
                row[16], row[17] = n_repairs, n_fright
                k += 1
            if t == n_weeks:
                break
            # this week's caregiving
            effect = _effect(t, int_week, int_sessions, int_scale)
            if effect > 0.0:
                if int_target < 0.5:
                    base_logit = _logit(resp0) - rep_sens * insecure + int_gain * effect
                else:
                    left = 1.0 - effect
                    base_logit = _logit(resp0) - rep_sens * insecure * left
                    avail = avail0 * (1.0 - rep_avail * dismissing * left)
                    consistency = cons0 * (1.0 - rep_cons * preoccupied * left)
                    fright = min(fright0 + rep_fright * unresolved * left, 1.0)
            avail_t, resp_logit = avail, base_logit
            event = ev_week >= 0 and ev_week <= t < ev_week + ev_weeks
            after = ev_week >= 0 and t >= ev_week + ev_weeks and residual > 0.0
            if event or after:
                keep_share = 1.0 - ev_drop if event else 1.0 - residual * ev_drop
                resp_logit = _logit(_sigmoid(base_logit) * keep_share)
                avail_t = avail * keep_share
            occasion_noise = occasion_sd * (1.0 - consistency)
            z1, z2, state = rng.normal2(state)
            drift = keep * drift + innovation * z1
            resp = _sigmoid(resp_logit + drift + occasion_noise * z2)
            p_return = avail_t * resp * contingent
            p_predict = consistency * (1.0 - fright)
            p_repair, p_fright = repair, fright
            if rel_week >= 0 and t >= rel_week:
                p_return = (1.0 - rel_weight) * p_return + rel_weight * rel_sens
                p_predict = (1.0 - rel_weight) * p_predict + rel_weight * rel_sens
                p_repair = (1.0 - rel_weight) * p_repair + rel_weight * rel_sens
                p_fright = (1.0 - rel_weight) * p_fright
            # this week's experience
            serves, state = rng.poisson(bids, state)
            returns, state = rng.binomial(serves, p_return, state)
            predictable, state = rng.binomial(serves, p_predict, state)
            frights, state = rng.binomial(serves, p_fright, state)
            ruptures, state = rng.binomial(returns, 1.0 - matching, state)
            repairs, state = rng.binomial(ruptures, p_repair, state)
            unrepaired = ruptures - repairs
            n_serves += serves
            n_returns += returns
            n_ruptures += ruptures
            n_repairs += repairs
            n_fright += frights
            # internal working model
            aa, ab = beta_update(aa, ab, returns, serves, discount, weight)
            pa, pb = beta_update(pa, pb, predictable, serves, discount, weight)
            fa, fb = beta_update(fa, fb, frights, serves, discount, weight)
            a_hat, p_hat, f_hat = aa / (aa + ab), pa / (pa + pb), fa / (fa + fb)
            # scaffolding and regulation
            scaffold += s_gain * (returns / bids) * (1.0 - scaffold) - s_decay * scaffold
            regulation += g_gain * (repairs / bids) * (1.0 - regulation)
            regulation -= g_loss * (unrepaired / bids) * regulation
            # attachment state, prototype
            ta, tx, td = _targets(
                a_hat, p_hat, f_hat, scaffold, regulation, _sigmoid(la), _sigmoid(lx), prm, sus
            )
            z1, z2, state = rng.normal2(state)
            z3, _, state = rng.normal2(state)
            formed = t >= proto_weeks
            p_pull = pull if formed and not event else 0.0
            la += rate * (ta - la) + p_pull * (qa - la) + noise * z1
            lx += rate * (tx - lx) + p_pull * (qx - lx) + noise * z2
            ld += rate * (td - ld) + p_pull * (qd - ld) + noise * z3
            step = event_revision if event else revision
            if not formed:
                step = 1.0 / (t + 2.0)
            qa += step * (la - qa)
            qx += step * (lx - qx)
            qd += step * (ld - qd)
    return out


def simulate_development(
    caregiver: Caregiver,
    weeks: int,
    seed: int,
    *,
    snapshot_ages: list[int] | tuple[int, ...] | np.ndarray,
    params: DevelopmentParams | None = None,
) -> pl.DataFrame:
    """Run the weekly model for the children of ``caregiver`` from birth to ``weeks`` weeks.

    Returns one row per child and snapshot age (weeks; 0 is birth), ordered by child then age:
    ``child``, ``age_weeks``, every state in ``STATES`` (``sensitivity``: the caregiver's
    probability of a prompt, contingent return of a bid that week, availability x
    responsiveness x P(latency <= window), after her representation, events and any
    intervention, before drift and occasion noise: Ainsworth's sensitivity is perceiving a
    signal and answering it promptly and appropriately), ``attachment_class`` (A/B/C/D, read
    through assessment noise), the cumulative ``COUNTS``, every caregiver parameter and
    ``matched_share`` (the stationary matched share of the dyad's affect dynamics,
    ``simulate.affect``). Child i's results depend
    only on (seed, i, its caregiver, params).
    """
    params = params or DevelopmentParams()
    ages = np.asarray(snapshot_ages, dtype=np.int64)
    if seed < 0:
        raise ParameterError(f"seed must be >= 0, got {seed}")
    if weeks < 1:
        raise ParameterError(f"weeks must be >= 1, got {weeks}")
    if ages.size == 0 or np.any(np.diff(ages) <= 0) or ages[0] < 0 or ages[-1] > weeks:
        raise ParameterError(
            f"snapshot_ages must be strictly increasing weeks in [0, {weeks}], got {ages.tolist()}"
        )
    matrix = caregiver.to_matrix()
    emergent = affect.stationary(caregiver.volatility, caregiver.repair, params)
    matrix[4] = emergent["matched"]
    raw = _develop(np.uint64(seed), caregiver.first_child, matrix, params.as_array(), ages, weeks)
    return _frame(raw, ages, caregiver, emergent["matched"])


def _frame(
    raw: np.ndarray, ages: np.ndarray, caregiver: Caregiver, matched: np.ndarray
) -> pl.DataFrame:
    n, m = raw.shape[0], ages.size
    flat = raw.reshape(n * m, _N_OUT)
    child = np.repeat(np.arange(caregiver.first_child, caregiver.first_child + n), m)
    columns = {"child": child, "age_weeks": np.tile(ages, n).astype(np.int32)}
    columns |= {name: flat[:, j].astype(np.float32) for j, name in enumerate(STATES)}
    codes = flat[:, len(STATES)].astype(np.int64)
    columns["attachment_class"] = np.asarray(CLASSES)[codes]
    offset = len(STATES) + 1
    columns |= {name: flat[:, offset + j].astype(np.int32) for j, name in enumerate(COUNTS)}
    for name in FIELDS:
        value = np.repeat(getattr(caregiver, name), m)
        columns[name] = value if value.dtype == np.int64 else value.astype(np.float32)
    columns["matched_share"] = np.repeat(matched, m).astype(np.float32)
    return pl.DataFrame(columns).with_columns(
        pl.col("attachment_class").cast(pl.Enum(list(CLASSES)))
    )


assert _names(DevelopmentParams) == (
    *("bids_per_week", "contingency_window_s", "occasion_sd", "belief_discount"),
    *("evidence_weight", "prior_availability_a", "prior_availability_b"),
    *("prior_predictability_a", "prior_predictability_b", "prior_fright_a", "prior_fright_b"),
    *("scaffold_gain", "scaffold_decay", "regulation_gain", "regulation_loss"),
    *("regulation_initial", "avoid_base", "avoid_unavailable", "avoid_unscaffolded"),
    *("anx_base", "anx_unpredictable", "anx_dysregulated", "dis_base", "dis_fright"),
    *("dis_conflict", "state_rate", "state_noise", "prototype_weeks", "prototype_pull"),
    *("prototype_revision", "avoidance_threshold", "anxiety_threshold"),
    *("disorganisation_threshold", "event_residual", "event_revision", "assessment_noise"),
    *("rep_sensitivity", "rep_dismissing_availability", "rep_preoccupied_consistency"),
    *("rep_unresolved_fright", "intervention_gain", "intervention_sessions_scale"),
    *("child_change_per_s", "child_coupling_per_s", "child_negative", "child_positive"),
    *("child_positive_concentration", "caregiver_negative", "caregiver_neutral"),
    *("upset_build_s", "upset_weight", "carry_over_s", "repair_horizon_s"),
), "the kernel reads DevelopmentParams by position: keep the order in step"
