"""Coupled affect dynamics of one caregiver-child dyad: the matched share of time emerges.

Each partner's affect is in one of three states, the affective groups of the Monadic Phase
Scales (Tronick, Als & Brazelton 1980; Cohn & Tronick 1987): 0 negative, 1 neutral attention,
2 positive engagement; the dyad is matched when both are in the same group (the
``monadic-phases`` match table). A continuous-time Markov chain on the 9 joint states:

- the child changes spontaneously at rate ``child_change_per_s`` to a state drawn from its own
  distribution pi_c (negative ``child_negative``, positive p_c, neutral the rest; p_c varies
  between children: Beta with mean ``child_positive`` and concentration
  ``child_positive_concentration``); the caregiver at rate v (her ``volatility``) to a state drawn
  from pi_m = (``caregiver_negative``, ``caregiver_neutral``, rest positive);
- coupling, only while mismatched: the child moves to the caregiver's state at rate
  ``child_coupling_per_s`` (child-led repair); the caregiver repairs at rate k_m =
  -ln(1 - repair) / ``repair_horizon_s`` (her ``repair``: the probability she repairs within the
  horizon): she soothes a negative child (the child moves to her state) or follows a neutral or
  positive child's lead (she moves to the child's state) (Tronick & Gianino 1986; Tronick 1989).

Nothing here sets the matched share: it is the stationary probability of the matched states,
``stationary()``, and it moves with every rate above. The development level uses it per
caregiver: the share of exchanges that are ruptures is 1 - matched, and a rupture is repaired
with her ``repair`` probability (``stationary()`` also gives the dyad's whole repair hazard h,
child-led moves included, and 1 - exp(-h H) within the horizon H; the development level does
not use them).

Still-Face (Tronick, Als, Adamson, Wise & Brazelton 1978): in SF the caregiver is neutral and
still (no change, no repair). An upset u in [0, 1] builds during SF, du/dt = (1 - u) /
``upset_build_s``, and shifts the child's own distribution toward negative,
pi_c(u) = (1 - w u) pi_c + w u e_neg (w = ``upset_weight``). Carry-over into the reunion
(Mesman, van IJzendoorn & Bakermans-Kranenburg 2009): u decays with time constant
``carry_over_s``; ``carry_over_s`` = 0 switches carry-over off (u is 0 again when RE starts).
Sessions are simulated in steps of ``STEP_S`` seconds (a change happens in a step with
probability rate x step).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit, prange

from attunement import segments as seg
from attunement.recording import Participant, Recording
from attunement.simulate import rng

STEP_S = 0.1
CHILD_CODES = ("protest", "monitor", "play")
CAREGIVER_CODES = ("avert", "monitor", "play")
"""Codes of the three groups in the ``monadic-phases`` match table (negative, neutral, positive)."""
PHASES = ("FF", "SF", "RE")
AFFECT_STREAM = 5


def repair_rate(repair: np.ndarray, horizon_s: float) -> np.ndarray:
    """k_m = -ln(1 - repair) / horizon (repair clipped to 0.999): P(she repairs within the
    horizon) = repair."""
    return -np.log1p(-np.minimum(np.asarray(repair, dtype=np.float64), 0.999)) / horizon_s


def _generators(volatility, k_m, params) -> np.ndarray:
    """(n, 9, 9) generator matrices; joint state index 3 c + m."""
    lam_c, k_c = params.child_change_per_s, params.child_coupling_per_s
    pi_c = np.array(
        [
            params.child_negative,
            1 - params.child_negative - params.child_positive,
            params.child_positive,
        ]
    )
    pi_m = np.array(
        [
            params.caregiver_negative,
            params.caregiver_neutral,
            1 - params.caregiver_negative - params.caregiver_neutral,
        ]
    )
    n = len(volatility)
    q = np.zeros((n, 9, 9))
    for c in range(3):
        for m in range(3):
            s = 3 * c + m
            for c2 in range(3):
                if c2 != c:
                    q[:, s, 3 * c2 + m] += lam_c * pi_c[c2]
            for m2 in range(3):
                if m2 != m:
                    q[:, s, 3 * c + m2] += volatility * pi_m[m2]
            if c != m:
                q[:, s, 3 * m + m] += k_c
                if c == 0:
                    q[:, s, 3 * m + m] += k_m  # she soothes: the child moves to her state
                else:
                    q[:, s, 3 * c + c] += k_m  # she follows the child's lead
    q[:, np.arange(9), np.arange(9)] = -q.sum(axis=2)
    return q


def stationary(volatility, repair, params) -> dict[str, np.ndarray]:
    """Per caregiver (arrays): the stationary ``matched`` share, the mean ``repair_hazard`` out
    of mismatch into match (per s, weighted by the stationary mismatch states) and the
    ``repaired`` probability within the horizon, 1 - exp(-hazard x horizon), for a child with
    the population's mean distribution."""
    volatility = np.atleast_1d(np.asarray(volatility, dtype=np.float64))
    k_m = repair_rate(np.broadcast_to(repair, volatility.shape), params.repair_horizon_s)
    q = _generators(volatility, k_m, params)
    a = np.transpose(q, (0, 2, 1)).copy()
    a[:, -1, :] = 1.0  # replace one balance equation by sum(pi) = 1
    b = np.zeros((len(volatility), 9))
    b[:, -1] = 1.0
    pi = np.linalg.solve(a, b[..., None])[..., 0]
    diag = np.array([0, 4, 8])
    matched = pi[:, diag].sum(axis=1)
    into_match = q[:, :, diag].sum(axis=2)
    mismatch = np.setdiff1d(np.arange(9), diag)
    hazard = (pi[:, mismatch] * into_match[:, mismatch]).sum(axis=1) / (1.0 - matched)
    return {
        "matched": matched,
        "repair_hazard": hazard,
        "repaired": 1.0 - np.exp(-hazard * params.repair_horizon_s),
    }


def params_vector(params) -> np.ndarray:
    """The affect parameters in the order the kernel reads them."""
    return np.array(
        [
            params.child_change_per_s,
            params.child_coupling_per_s,
            params.child_negative,
            params.child_positive,
            params.child_positive_concentration,
            params.caregiver_negative,
            params.caregiver_neutral,
            params.upset_build_s,
            params.upset_weight,
            params.carry_over_s,
        ]
    )


@njit(cache=True)
def _draw3(p0, p1, state):
    u, state = rng.uniform(state)
    return (0 if u < p0 else (1 if u < p0 + p1 else 2)), state


@njit(cache=True, parallel=True, error_model="numpy")
def _dyads(seed, first, volatility, k_m, prm, phase_steps, still, record):
    """Simulate dyads in steps; returns per dyad and phase the child's positive share and the
    matched share, and (when ``record``) every step's joint state (else an empty array)."""
    n = volatility.size
    n_phases = phase_steps.size
    total = int(phase_steps.sum())
    shares = np.zeros((n, n_phases, 2))
    trace = np.zeros((n if record else 0, total), dtype=np.int8)
    lam_c, k_c, neg_c, pos_mean, conc = prm[0], prm[1], prm[2], prm[3], prm[4]
    neg_m, neu_m, build, weight, carry = prm[5], prm[6], prm[7], prm[8], prm[9]
    for i in prange(n):
        state = rng.stream(seed, first + i, AFFECT_STREAM)
        pos_c, state = rng.beta(pos_mean * conc, (1.0 - pos_mean) * conc, state)
        pos_c = min(pos_c, 1.0 - neg_c)
        c, state = _draw3(neg_c, 1.0 - neg_c - pos_c, state)
        m, state = _draw3(neg_m, neu_m, state)
        upset = 0.0
        k = 0
        for ph in range(n_phases):
            sf = still[ph]
            if not sf and carry <= 0.0:
                upset = 0.0
            if sf:
                m = 1
            pos_steps = 0
            match_steps = 0
            for _ in range(phase_steps[ph]):
                if sf:
                    upset += (1.0 - upset) * STEP_S / build
                elif carry > 0.0:
                    upset -= upset * STEP_S / carry
                shift = weight * upset
                p_neg = (1.0 - shift) * neg_c + shift
                p_pos = (1.0 - shift) * pos_c
                u, state = rng.uniform(state)
                if u < lam_c * STEP_S:
                    c, state = _draw3(p_neg, 1.0 - p_neg - p_pos, state)
                if not sf:
                    u, state = rng.uniform(state)
                    if u < volatility[i] * STEP_S:
                        m, state = _draw3(neg_m, neu_m, state)
                if c != m:
                    u, state = rng.uniform(state)
                    if u < k_c * STEP_S:
                        c = m
                    elif not sf and u < (k_c + k_m[i]) * STEP_S:
                        if c == 0:
                            c = m
                        else:
                            m = c
                pos_steps += c == 2
                match_steps += c == m
                if record:
                    trace[i, k] = 3 * c + m
                k += 1
            shares[i, ph, 0] = pos_steps / phase_steps[ph]
            shares[i, ph, 1] = match_steps / phase_steps[ph]
    return shares, trace


def simulate_dyads(
    volatility: np.ndarray,
    repair: np.ndarray,
    params,
    *,
    phases_s: tuple[float, ...] = (120.0, 120.0, 120.0),
    still: tuple[bool, ...] = (False, True, False),
    seed: int = 0,
    first_dyad: int = 0,
    record: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Dyads with the given caregivers (arrays ``volatility``, ``repair``) through phases of
    ``phases_s`` seconds (``still``: which are still-face). Returns ``(shares, trace)``: shares
    (dyads, phases, 2) = the child's positive share and the matched share of each phase; trace
    (dyads, steps) the joint state 3 c + m of every ``STEP_S`` step when ``record``. Dyad i's
    numbers depend only on (seed, first_dyad + i) and its caregiver."""
    volatility = np.ascontiguousarray(volatility, dtype=np.float64)
    k_m = repair_rate(np.broadcast_to(repair, volatility.shape), params.repair_horizon_s)
    steps = np.array([max(1, round(s / STEP_S)) for s in phases_s], dtype=np.int64)
    return _dyads(
        np.uint64(seed),
        first_dyad,
        volatility,
        np.ascontiguousarray(k_m),
        params_vector(params),
        steps,
        np.array(still, dtype=np.bool_),
        record,
    )


def recording(trace: np.ndarray, phases_s: tuple[float, ...] | None = None) -> Recording:
    """One dyad's trace (``simulate_dyads(..., record=True)[1][i]``) as a Recording: affect
    segments coded for the ``monadic-phases`` match table (child CHI, caregiver FEM) and, with
    ``phases_s``, episode segments FF / SF / RE."""
    step_ms = round(STEP_S * 1000)
    child, carer = trace // 3, trace % 3
    parts = []
    for who, codes, values in (("CHI", CHILD_CODES, child), ("FEM", CAREGIVER_CODES, carer)):
        change = np.flatnonzero(np.diff(values)) + 1
        first = np.concatenate(([0], change))
        last = np.concatenate((change, [len(values)]))
        parts.append(
            pl.DataFrame(
                {
                    "on": first * step_ms,
                    "off": last * step_ms,
                    "code": np.asarray(codes)[values[first]],
                    "who": [who] * len(first),
                    "kind": ["affect"] * len(first),
                }
            )
        )
    if phases_s is not None:
        bounds = np.concatenate(([0], np.cumsum([round(s / STEP_S) for s in phases_s])))
        parts.append(
            pl.DataFrame(
                {
                    "on": bounds[:-1] * step_ms,
                    "off": bounds[1:] * step_ms,
                    "code": list(PHASES[: len(phases_s)]),
                    "who": ["UNK"] * len(phases_s),
                    "kind": ["episode"] * len(phases_s),
                }
            )
        )
    frame = pl.concat(parts)
    table = seg.build(
        {
            "segment_onset": frame["on"],
            "segment_offset": frame["off"],
            "speaker_type": frame["who"],
            "speaker_id": frame["who"].replace({"CHI": "child", "FEM": "mother"}),
            "kind": frame["kind"],
            "code": frame["code"],
        }
    )
    return Recording(
        id="coupled dyad",
        path="",
        format="simulated",
        segments=table,
        duration_ms=len(trace) * step_ms,
        participants=[
            Participant("child", "Target_Child", "CHI"),
            Participant("mother", "Mother", "FEM"),
        ],
    )
