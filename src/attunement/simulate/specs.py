"""What a simulated session is, without simulating it: ``SessionParameters`` (every parameter,
its default, its source and its checks) and the population-model defaults the command line
shows. Light on purpose (no numpy), so that ``attunement --help`` stays fast; the simulators
(``session``, ``population``) import from here."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from attunement.errors import ParameterError

if TYPE_CHECKING:
    from attunement.simulate.caregiver import Caregiver

DEFAULT_CHUNK = 100_000
"""Children per chunk of a simulated population (no effect on the results)."""

REPAIR_HORIZON_S = 5.0
"""The horizon that turns the development level's repair probability into a hazard:
P(repaired within 5 s) = repair. Tronick (1989) describes normal face-to-face play as moving
from miscoordinated to coordinated states every few (about 3-5) seconds."""


@dataclass(frozen=True)
class SessionParameters:
    """Every parameter of a session; times in seconds, rates per minute.

    Vocal stream (serve and return):

    - ``response_probability`` = 0.5: probability the caregiver returns a serve; from a
      ``Caregiver``, responsiveness x availability (population means 0.67 x 0.75).
    - ``latency_mean_s`` = 1.8, ``latency_shape`` = 1.0: the return's latency (child offset to
      adult onset) is Gamma(shape, mean / shape); shape 1 is the development level's exponential
      with mean ``latency_scale`` (population mean 1.8 s). Maternal latencies are typically
      within 1-2 s (Van Egeren, Barratt & Roach 2001, Dev Psychol 37:684; maternal timing stable
      over 3-18 months: Hilbrink, Gattis & Levinson 2015, Front Psychol 6:1492). Latencies beyond
      the measuring rule's window (LENA: 5 s) are real returns that the rule does not count.
    - ``serve_rate_per_min`` = 3.0: expected child vocalisations (serves) per minute, chained
      ones included, held fixed whatever the caregiver does (the social feedback loop of
      Warlaumont et al. 2014 is not modelled). Daylong averages are lower (LENA child
      vocalisation counts are of the order of 1-2 per minute over a 12-hour day, Gilkerson et al.
      2017); face-to-face play is denser.
    - ``child_duration_median_s`` = 1.0, ``child_duration_sigma`` = 0.5: infant utterance
      durations, lognormal (median 1 s; ~0.5-2 s between the 8th and 92nd percentiles), the
      range of infant vocalisations and LENA key-child segments.
    - ``adult_duration_median_s`` = 1.5, ``adult_duration_sigma`` = 0.6: adult utterances,
      lognormal; short, as infant-directed utterances are.
    - ``continue_probability`` = 0.5: after a return, the child answers again (the bout goes on)
      with this probability; a modelling choice.
    - ``child_latency_median_s`` = 1.0, ``child_latency_sigma`` = 0.6: from the end of the
      adult's return to the child's next serve, lognormal (infant turn gaps of about 0.5-1.5 s:
      Hilbrink et al. 2015; Gratier et al. 2015, Front Psychol 6:1167).
    - ``adult_talk_per_min`` = 2.0: caregiver-initiated utterances, a Poisson process
      independent of the child (talk to others, commentary); it may overlap anything. Some of it
      falls in a serve's window by chance: the measured response rate exceeds the true
      contingent one (``expected_turns``).
    - ``bout_gap_min_s`` = 5.0: a bout starts at least this long after the previous one ended
      (then an exponential wait fixed by the serve rate): LENA ends a conversation at a 5-s
      pause, so bouts are distinct conversations, and no later bout falls in a serve's window.

    Affect streams (rupture and repair; ``coded_dyad``):

    - ``matching`` = 0.30: long-run share of matched time (Tronick & Cohn 1989: coordinated
      about 30% of the time); strictly between 0 and 1.
    - ``repair_hazard`` = 0.24 per s: constant rate at which a mismatch ends (mean 1 / hazard,
      median ln 2 / hazard); the population mean repair 0.7 mapped by ``REPAIR_HORIZON_S``.
    - ``child_repair_share`` = 0.5: share of changes (hence repairs) made by the child; infants
      take part in repair (Tronick & Gianino 1986).

    Frightening behaviour (Main & Hesse 1990):

    - ``frightening`` = 0.0: probability that a serve's encounter contains a frightening
      caregiver episode (the development level's per-bid p_fright), starting a latency after the
      serve; the episode rate per minute is frightening x serve_rate_per_min.
    - ``frightening_median_s`` = 2.0: episode duration, lognormal with sigma 0.5 (brief
      behaviours: looming, sudden changes of tone); a modelling choice.

    Still-Face (Tronick, Als, Adamson, Wise & Brazelton 1978; Mesman, van IJzendoorn &
    Bakermans-Kranenburg 2009, Dev Rev 29:120):

    - ``still_face_s`` = None: (FF, SF, RE) phase lengths in s; typically 120 s each. When set,
      the session is these three phases. In SF the caregiver neither returns serves nor talks
      (response probability 0, no caregiver talk, no frightening episodes) and the affect
      streams take the SF values below; FF and RE take the session's values.
    - ``still_face_matching`` = 0.15, ``still_face_repair_hazard`` = 0.08: SF matching and
      repair hazard (the still-face effect: less positive, more negative infant affect);
      modelling choices.
    """

    response_probability: float = 0.5
    latency_mean_s: float = 1.8
    latency_shape: float = 1.0
    serve_rate_per_min: float = 3.0
    child_duration_median_s: float = 1.0
    child_duration_sigma: float = 0.5
    adult_duration_median_s: float = 1.5
    adult_duration_sigma: float = 0.6
    continue_probability: float = 0.5
    child_latency_median_s: float = 1.0
    child_latency_sigma: float = 0.6
    adult_talk_per_min: float = 2.0
    bout_gap_min_s: float = 5.0
    matching: float = 0.30
    repair_hazard: float = 0.24
    child_repair_share: float = 0.5
    frightening: float = 0.0
    frightening_median_s: float = 2.0
    still_face_s: tuple[float, float, float] | None = None
    still_face_matching: float = 0.15
    still_face_repair_hazard: float = 0.08

    def __post_init__(self) -> None:
        for name in ("response_probability", "continue_probability", "child_repair_share"):
            _check(name, getattr(self, name), 0.0, 1.0)
        _check("frightening", self.frightening, 0.0, 1.0)
        for name in ("matching", "still_face_matching"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ParameterError(
                    f"session.{name} must lie strictly between 0 and 1, got {value}"
                )
        positive = (
            "latency_mean_s",
            "latency_shape",
            "serve_rate_per_min",
            "child_duration_median_s",
            "adult_duration_median_s",
            "child_latency_median_s",
            "repair_hazard",
            "still_face_repair_hazard",
            "frightening_median_s",
        )
        for name in positive:
            if not 0 < getattr(self, name) < math.inf:
                raise ParameterError(
                    f"session.{name} must be a finite number > 0, got {getattr(self, name)}"
                )
        for name in (
            "child_duration_sigma",
            "adult_duration_sigma",
            "child_latency_sigma",
            "adult_talk_per_min",
            "bout_gap_min_s",
        ):
            if not 0 <= getattr(self, name) < math.inf:
                raise ParameterError(
                    f"session.{name} must be a finite number >= 0, got {getattr(self, name)}"
                )
        if self.still_face_s is not None:
            lengths = tuple(float(s) for s in self.still_face_s)
            if len(lengths) != 3 or not all(0 < s < math.inf for s in lengths):
                raise ParameterError(
                    f"session.still_face_s must be three phase lengths > 0 (FF, SF, RE), got "
                    f"{self.still_face_s}"
                )
            object.__setattr__(self, "still_face_s", lengths)
        for p in (self.response_probability, 0.0):
            gap_mean_s(self, p)  # raises when the serve rate cannot fit

    @classmethod
    def from_caregiver(
        cls, caregiver: Caregiver, index: int, **overrides: Any
    ) -> SessionParameters:
        """Child ``index``'s caregiver as session parameters (``overrides`` replace any field).

        Mapping (``docs/model.md``): response_probability = responsiveness x availability;
        latency_mean_s = latency_scale (shape 1: the same exponential latency as the development
        level); matching = the stationary matched share of her coupled affect dynamics
        (``simulate.affect.stationary`` with her volatility and repair and the default
        ``DevelopmentParams``), clipped to [0.001, 0.999]; repair_hazard = -ln(1 - repair) /
        REPAIR_HORIZON_S, with repair clipped to at most 0.999; frightening = frightening (per
        serve, as per bid).
        ``consistency`` acts between occasions, not within one, and the scheduled changes act
        over weeks: a session uses the baseline parameters (draw sessions at several ages with
        changed caregivers to see them).
        """
        if not 0 <= index < caregiver.n:
            raise ParameterError(
                f"index must be in 0..{caregiver.n - 1} (out of range), got {index}"
            )
        from attunement.simulate.affect import stationary
        from attunement.simulate.development import DevelopmentParams

        repair = min(float(caregiver.repair[index]), 0.999)
        matched = stationary(caregiver.volatility[index : index + 1], repair, DevelopmentParams())[
            "matched"
        ][0]
        values = {
            "response_probability": float(
                caregiver.responsiveness[index] * caregiver.availability[index]
            ),
            "latency_mean_s": float(caregiver.latency_scale[index]),
            "latency_shape": 1.0,
            "matching": min(max(float(matched), 0.001), 0.999),
            "repair_hazard": -math.log1p(-repair) / REPAIR_HORIZON_S,
            "frightening": float(caregiver.frightening[index]),
        }
        return cls(**(values | overrides))

    @property
    def latency_median_s(self) -> float:
        """Median of the generating latency distribution, Gamma(shape, mean / shape)."""
        return float(self.latency.median())

    @property
    def latency(self):
        """The generating latency distribution (a frozen ``scipy.stats.gamma``)."""
        from scipy import stats

        return stats.gamma(self.latency_shape, scale=self.latency_mean_s / self.latency_shape)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["still_face_s"] = None if self.still_face_s is None else list(self.still_face_s)
        return out


def _check(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ParameterError(f"session.{name} must lie in [{low:g}, {high:g}], got {value}")


def _lognormal_mean(median: float, sigma: float) -> float:
    return median * math.exp(sigma**2 / 2)


def gap_mean_s(params: SessionParameters, p: float) -> float:
    """Mean of the exponential part of the gap between bouts, so that child serves come at
    ``serve_rate_per_min`` in the long run when the caregiver returns with probability ``p``.

    Serves per bout K are geometric: E[K] = 1 / (1 - p q). A bout lasts E[K] child
    vocalisations, E[K] p returns (latency + adult utterance) and E[K] - 1 child answers; bout
    starts are a renewal process with mean cycle E[K] 60 / rate = E[bout] + gap_min + gap_mean.
    """
    k = 1.0 / (1.0 - p * params.continue_probability)
    bout = (
        k * _lognormal_mean(params.child_duration_median_s, params.child_duration_sigma)
        + k * p * params.latency_mean_s
        + k * p * _lognormal_mean(params.adult_duration_median_s, params.adult_duration_sigma)
        + (k - 1) * _lognormal_mean(params.child_latency_median_s, params.child_latency_sigma)
    )
    gap = k * 60.0 / params.serve_rate_per_min - bout - params.bout_gap_min_s
    if gap <= 0:
        top = k * 60.0 / (bout + params.bout_gap_min_s)
        raise ParameterError(
            f"session.serve_rate_per_min {params.serve_rate_per_min:g} does not fit: bouts of "
            f"{bout:.2f} s plus the {params.bout_gap_min_s:g}-s minimum gap allow fewer than "
            f"{top:.2f} serves per minute"
        )
    return gap
