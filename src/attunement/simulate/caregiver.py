"""Caregivers of the developmental model: one parameter set per child, as arrays.

A :class:`Caregiver` holds, for ``n`` children, the primary caregiver's parameters (with her own
attachment representation), the child's susceptibility to caregiving, and the scheduled changes
of the child's relational world (life events, later relationships, an intervention).
:class:`CaregiverPopulation` gives the distributions they are sampled from. Definitions,
equations and sources: ``docs/model.md``. The defaults are modelling choices, documented there,
not estimates; ``simulate.calibration`` fits some development parameters to published targets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np
import polars as pl
from numba import njit, prange

from attunement.errors import ParameterError
from attunement.simulate import rng

NEVER = -1
"""Week value meaning "this child has no such scheduled change"."""


@dataclass(frozen=True)
class BetaSpec:
    """``low + (high - low) * Beta(a, b)``; a constant ``low`` when ``low == high``."""

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0

    @classmethod
    def constant(cls, value: float) -> BetaSpec:
        return cls(1.0, 1.0, value, value)

    @property
    def mean(self) -> float:
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)


@dataclass(frozen=True)
class CaregiverPopulation:
    """Distributions of caregiver parameters and of scheduled changes (weeks of child age).

    Defaults (see ``docs/model.md`` for the reasoning): responsiveness Beta(6, 3), mean 0.67;
    latency scale 0.5 + 4.5 Beta(2, 5) s, mean 1.8 s; consistency Beta(6, 2), mean 0.75;
    availability Beta(6, 2), mean 0.75; volatility (how often her affect changes on its own,
    per s) 0.3 + 1.8 Beta(2, 4), mean 0.9; repair Beta(7, 3), mean 0.70 (the probability she
    repairs a mismatch within 5 s; the matched share of time is not a parameter: it emerges from
    these rates, ``simulate.affect``); frightening Beta(0.3, 30), mean ~0.01 with a long right
    tail (Main & Hesse 1990); drift of caregiving (an Ornstein-Uhlenbeck deviation on logit
    responsiveness) sd 0.5 and correlation time 104 weeks. The child's susceptibility to
    caregiving 0.5 + Beta(2, 2), mean 1 (``BetaSpec.constant(1.0)`` switches differential
    susceptibility off). The caregiver's own attachment representation (AAI: secure-autonomous,
    dismissing, preoccupied, unresolved) with shares ``representation_shares``. 20% of
    children meet a life event (start uniform in weeks [0, 936), lasting 13-104 weeks, lowering
    responsiveness and availability by Beta(4, 6), mean 40%); 30% form a new significant
    relationship (partner, therapist, friend) starting uniform in weeks [520, 936) with
    sensitivity Beta(6, 3) and a 40% share of the child's bids; nobody receives an intervention
    by default (rate 0; when on: start in weeks ``intervention_start``, ``intervention_sessions``
    weekly sessions aimed at ``intervention_target``: 0 sensitivity, 1 representation).
    """

    responsiveness: BetaSpec = BetaSpec(6.0, 3.0)
    latency_scale: BetaSpec = BetaSpec(2.0, 5.0, 0.5, 5.0)
    consistency: BetaSpec = BetaSpec(6.0, 2.0)
    availability: BetaSpec = BetaSpec(6.0, 2.0)
    volatility: BetaSpec = BetaSpec(2.0, 4.0, 0.3, 2.1)
    repair: BetaSpec = BetaSpec(7.0, 3.0)
    frightening: BetaSpec = BetaSpec(0.3, 30.0)
    drift_sd: BetaSpec = BetaSpec(1.0, 1.0, 0.5, 0.5)  # constant
    drift_weeks: BetaSpec = BetaSpec(1.0, 1.0, 104.0, 104.0)  # constant
    susceptibility: BetaSpec = BetaSpec(2.0, 2.0, 0.5, 1.5)
    representation_shares: tuple[float, float, float, float] = (0.56, 0.16, 0.09, 0.19)
    event_rate: float = 0.2
    event_start: tuple[int, int] = (0, 936)
    event_duration: tuple[int, int] = (13, 104)
    event_drop: BetaSpec = BetaSpec(4.0, 6.0)
    relation_rate: float = 0.3
    relation_start: tuple[int, int] = (520, 936)
    relation_sensitivity: BetaSpec = BetaSpec(6.0, 3.0)
    relation_weight: BetaSpec = BetaSpec(1.0, 1.0, 0.4, 0.4)  # constant
    intervention_rate: float = 0.0
    intervention_start: tuple[int, int] = (26, 27)
    intervention_sessions: int = 8
    intervention_target: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, BetaSpec) and (value.a <= 0 or value.b <= 0):
                raise ParameterError(f"population.{f.name}: Beta shapes must be > 0, got {value}")
            if isinstance(value, BetaSpec) and value.high < value.low:
                raise ParameterError(f"population.{f.name}: high must be >= low, got {value}")
            if f.name.endswith("_rate") and not 0.0 <= value <= 1.0:
                raise ParameterError(f"population.{f.name} must be a share in [0, 1], got {value}")
            if f.name.endswith(("_start", "_duration")) and not 0 <= value[0] < value[1]:
                raise ParameterError(
                    f"population.{f.name} must be a pair 0 <= first < second, got {value}"
                )
        shares = self.representation_shares
        if len(shares) != 4 or min(shares) < 0 or abs(sum(shares) - 1.0) > 1e-9:
            raise ParameterError(
                "population.representation_shares must be four shares >= 0 summing to 1 "
                f"(secure, dismissing, preoccupied, unresolved), got {shares}"
            )
        if self.intervention_sessions < 0 or self.intervention_target not in (0, 1):
            raise ParameterError(
                "population.intervention_sessions must be >= 0 and intervention_target 0 "
                f"(sensitivity) or 1 (representation), got {self.intervention_sessions}, "
                f"{self.intervention_target}"
            )

    def to_dict(self) -> dict:
        return asdict(self)

    def _specs(self) -> np.ndarray:
        names = (*CONTINUOUS, "event_drop", "relation_sensitivity", "relation_weight")
        return np.array([astuple_spec(getattr(self, n)) for n in names], dtype=np.float64)

    def _schedule(self) -> np.ndarray:
        return np.array(
            [
                self.event_rate,
                *self.event_start,
                *self.event_duration,
                self.relation_rate,
                *self.relation_start,
                self.intervention_rate,
                *self.intervention_start,
                self.intervention_sessions,
                self.intervention_target,
                *np.cumsum(self.representation_shares)[:3],
            ],
            dtype=np.float64,
        )


def astuple_spec(spec: BetaSpec) -> tuple[float, float, float, float]:
    return (spec.a, spec.b, spec.low, spec.high)


CONTINUOUS = (
    "responsiveness",
    "latency_scale",
    "consistency",
    "availability",
    "volatility",
    "repair",
    "frightening",
    "drift_sd",
    "drift_weeks",
    "susceptibility",
)
PROBABILITIES = (
    "responsiveness",
    "consistency",
    "availability",
    "repair",
    "frightening",
    "event_drop",
    "relation_sensitivity",
    "relation_weight",
)
WEEKS = ("event_week", "event_weeks", "relation_week", "intervention_week")
CODES = ("representation", "intervention_sessions", "intervention_target")
REPRESENTATIONS = ("F", "Ds", "E", "U")
"""Adult Attachment Interview classes: F secure-autonomous, Ds dismissing, E preoccupied,
U unresolved (Main, Goldwyn & Hesse; codes 0..3)."""


@dataclass(frozen=True)
class Caregiver:
    """Parameters of ``n`` children's caregiving, one array entry per child.

    - ``responsiveness``: probability that the caregiver returns a child's serve.
    - ``latency_scale``: mean response latency in seconds (exponential); a return counts as
      contingent when it comes within the model's contingency window.
    - ``consistency``: occasion-to-occasion stability in [0, 1]; 1 - consistency scales the
      week-to-week noise of responsiveness and is the chance that an encounter goes against
      what the child has come to expect.
    - ``availability``: probability the caregiver is there, warm and reachable when sought.
    - ``volatility``: rate (per s) at which her affect changes on its own (``simulate.affect``).
    - ``repair``: probability that she repairs a mismatch within the repair horizon (5 s).
    - ``frightening``: probability that an encounter contains frightening/unpredictable
      caregiver behaviour (Main & Hesse 1990).
    - ``drift_sd``, ``drift_weeks``: stationary sd (logit scale) and correlation time of the
      slow drift of the caregiver's responsiveness over the years.
    - ``susceptibility``: the child's susceptibility to caregiving (1 = average; it scales the
      distance of the attachment targets from the class boundary, both ways).
    - ``representation``: her own attachment representation, code 0..3 (``REPRESENTATIONS``).
    - ``event_week``, ``event_weeks``, ``event_drop``: a life event from ``event_week`` for
      ``event_weeks`` weeks multiplies responsiveness and availability by ``1 - event_drop``
      (afterwards by ``1 - event_residual * event_drop``, ``DevelopmentParams``).
    - ``relation_week``, ``relation_sensitivity``, ``relation_weight``: from ``relation_week`` a
      new relationship (partner, therapist, friend) of the given sensitivity receives a share
      ``relation_weight`` of the child's bids.
    - ``intervention_week``, ``intervention_sessions``, ``intervention_target``: from
      ``intervention_week`` one session a week, ``intervention_sessions`` in all, aimed at her
      sensitivity (target 0) or at her representation (target 1) (``DevelopmentParams``).

    Weeks are weeks of child age; ``NEVER`` (-1) means no such change.
    """

    responsiveness: np.ndarray
    latency_scale: np.ndarray
    consistency: np.ndarray
    availability: np.ndarray
    volatility: np.ndarray
    repair: np.ndarray
    frightening: np.ndarray
    drift_sd: np.ndarray
    drift_weeks: np.ndarray
    susceptibility: np.ndarray
    representation: np.ndarray
    event_week: np.ndarray
    event_weeks: np.ndarray
    event_drop: np.ndarray
    relation_week: np.ndarray
    relation_sensitivity: np.ndarray
    relation_weight: np.ndarray
    intervention_week: np.ndarray
    intervention_sessions: np.ndarray
    intervention_target: np.ndarray
    first_child: int = field(default=0)

    def __post_init__(self) -> None:
        n = None
        for name in FIELDS:
            dtype = np.int64 if name in WEEKS or name in CODES else np.float64
            value = np.ascontiguousarray(np.asarray(getattr(self, name), dtype=dtype))
            if value.ndim == 0 and n is not None:
                value = np.full(n, value, dtype=dtype)
            if value.ndim != 1:
                raise ParameterError(
                    f"caregiver.{name} must be a 1-d array, got shape {value.shape}"
                )
            n = len(value) if n is None else n
            if len(value) != n:
                raise ParameterError(f"caregiver.{name} must have length {n}, got {len(value)}")
            bad = _invalid(name, value)
            if bad.size:
                raise ParameterError(
                    f"caregiver.{name}: child {self.first_child + int(bad[0])} has "
                    f"{value[bad[0]]!r}; {_RULE[_kind(name)]}"
                )
            object.__setattr__(self, name, value)

    @property
    def n(self) -> int:
        return len(self.responsiveness)

    @classmethod
    def constant(cls, n: int, first_child: int = 0, **values: float) -> Caregiver:
        """``n`` identical caregivers: the population means, a secure-autonomous representation,
        susceptibility 1, no scheduled changes, except the parameters given in ``values``."""
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ParameterError(
                f"unknown caregiver parameter(s) {sorted(unknown)}; choose from {', '.join(FIELDS)}"
            )
        base = {name: getattr(CaregiverPopulation(), name).mean for name in CONTINUOUS}
        base |= {"event_drop": 0.0, "relation_sensitivity": 0.0, "relation_weight": 0.0}
        base |= {"susceptibility": 1.0, "representation": 0, "intervention_sessions": 0}
        base |= {"intervention_target": 0} | dict.fromkeys(WEEKS, NEVER)
        base |= values
        return cls(
            **{k: np.broadcast_to(v, (n,)).copy() for k, v in base.items()}, first_child=first_child
        )

    @classmethod
    def sample(
        cls,
        n: int,
        seed: int,
        population: CaregiverPopulation | None = None,
        first_child: int = 0,
        representation: np.ndarray | None = None,
    ) -> Caregiver:
        """Caregivers of children ``first_child .. first_child + n - 1`` drawn from
        ``population``; child i's draw depends only on (seed, i), never on ``n``.
        ``representation`` (codes, one per child) replaces the drawn representations (the
        generations model passes the previous generation's outcome)."""
        population = population or CaregiverPopulation()
        if seed < 0:
            raise ParameterError(f"seed must be >= 0, got {seed}")
        matrix = _sample(
            np.uint64(seed), first_child, n, population._specs(), population._schedule()
        )
        if representation is not None:
            matrix[FIELDS.index("representation")] = np.asarray(representation, dtype=np.float64)
        return cls.from_matrix(matrix, first_child)

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, first_child: int = 0) -> Caregiver:
        return cls(**dict(zip(FIELDS, matrix, strict=True)), first_child=first_child)

    def to_matrix(self) -> np.ndarray:
        """The parameters as a (fields, n) float64 array in ``FIELDS`` order (kernel input)."""
        return np.ascontiguousarray(np.stack([getattr(self, f).astype(np.float64) for f in FIELDS]))

    def to_frame(self) -> pl.DataFrame:
        """One row per child: ``child`` and every parameter."""
        child = np.arange(self.first_child, self.first_child + self.n, dtype=np.int64)
        return pl.DataFrame({"child": child, **{f: getattr(self, f) for f in FIELDS}})


FIELDS = tuple(f.name for f in fields(Caregiver) if f.name != "first_child")
_RULE = {
    "probability": "must lie in [0, 1]",
    "week": f"must be a week >= 0 or {NEVER} (never)",
    "positive": "must be > 0",
    "nonnegative": "must be >= 0",
    "code": "must be a code: representation 0..3, sessions >= 0, target 0 or 1",
}


def _kind(name: str) -> str:
    if name in PROBABILITIES:
        return "probability"
    if name in WEEKS:
        return "week"
    if name in CODES:
        return "code"
    return "positive" if name in ("latency_scale", "drift_weeks") else "nonnegative"


def _invalid(name: str, value: np.ndarray) -> np.ndarray:
    kind = _kind(name)
    if kind == "probability":
        ok = (value >= 0.0) & (value <= 1.0)
    elif kind == "week":
        ok = value >= NEVER
    elif kind == "positive":
        ok = value > 0.0
    elif kind == "code":
        top = {"representation": 3, "intervention_target": 1}.get(name, 10**6)
        ok = (value >= 0) & (value <= top)
    else:
        ok = value >= 0.0
    return np.flatnonzero(~ok)


@njit(cache=True)
def _draw(spec, state):
    if spec[3] == spec[2]:
        return spec[2], state
    x, state = rng.beta(spec[0], spec[1], state)
    return spec[2] + (spec[3] - spec[2]) * x, state


@njit(cache=True)
def _week(low, high, state):
    u, state = rng.uniform(state)
    return np.float64(low + np.floor(u * (high - low))), state


@njit(cache=True, parallel=True)
def _sample(seed, first_child, n, specs, schedule):
    """Fill the (20, n) matrix in FIELDS order; child i uses only its own stream."""
    out = np.empty((20, n))
    for i in prange(n):
        state = rng.stream(seed, first_child + i, rng.CAREGIVER_STREAM)
        for j in range(10):  # the continuous parameters, CONTINUOUS order
            out[j, i], state = _draw(specs[j], state)
        u, state = rng.uniform(state)
        out[10, i] = (
            0.0
            if u < schedule[13]
            else (1.0 if u < schedule[14] else (2.0 if u < schedule[15] else 3.0))
        )
        out[11, i], out[12, i], out[13, i] = -1.0, 0.0, 0.0
        u, state = rng.uniform(state)
        if u < schedule[0]:
            out[11, i], state = _week(schedule[1], schedule[2], state)
            out[12, i], state = _week(schedule[3], schedule[4], state)
            out[13, i], state = _draw(specs[10], state)
        out[14, i], out[15, i], out[16, i] = -1.0, 0.0, 0.0
        u, state = rng.uniform(state)
        if u < schedule[5]:
            out[14, i], state = _week(schedule[6], schedule[7], state)
            out[15, i], state = _draw(specs[11], state)
            out[16, i], state = _draw(specs[12], state)
        out[17, i], out[18, i], out[19, i] = -1.0, 0.0, 0.0
        u, state = rng.uniform(state)
        if u < schedule[8]:
            out[17, i], state = _week(schedule[9], schedule[10], state)
            out[18, i], out[19, i] = schedule[11], schedule[12]
    return out
