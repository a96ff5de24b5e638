"""The interaction level of the developmental model: one caregiver-child session, moment to moment.

``session(params, minutes=..., seed=...)`` turns caregiver parameters into a segments table (the
same table the readers give, so every measure runs on it) and its ground truth:

- **vocal stream** (kind ``vocal``): the child (CHI) serves in bouts; each serve is returned by
  the caregiver (FEM) with probability ``response_probability`` after a gamma latency; a returned
  serve continues the bout with probability ``continue_probability``; bouts are separated by at
  least ``bout_gap_min_s``; the caregiver also talks on her own (a Poisson stream);
- **affect streams** (kind ``affect``): valence codes Cpos/Cneg and Mpos/Mneg with a known
  matching proportion and repair hazard, made by ``coded_dyad`` (Tronick's mutual regulation);
- **frightening behaviour** (kind ``behaviour``, FEM, code ``frightening``; Main & Hesse 1990);
- optional **Still-Face** phases FF/SF/RE (kind ``episode``; Tronick et al. 1978).

Every equation, default and source: ``docs/model-interaction.md``. The defaults are the
population means of ``CaregiverPopulation`` mapped by ``SessionParameters.from_caregiver``, or
round values in the range the cited studies report; they are modelling choices, not estimates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy import optimize

from attunement import segments as seg
from attunement.errors import ParameterError
from attunement.outputs import atomic, make_folder, write_text
from attunement.recording import Participant, Recording
from attunement.simulate.coded_dyad import Phase, coded_dyad
from attunement.simulate.specs import REPAIR_HORIZON_S, SessionParameters, gap_mean_s

LENA_WINDOW_S = 5.0
"""LENA's turn window: units of alternating speakers less than 5 s apart make a conversational
turn (Gilkerson & Richards 2008; Xu, Yapanel & Gray 2009); also our ``window`` rule's default."""

STILL_FACE = ("FF", "SF", "RE")


def expected_turns(params: SessionParameters, window: float = LENA_WINDOW_S) -> dict[str, float]:
    """What the ``window`` rule (overlap 0) should measure on a responsive stretch (not SF).

    A serve counts as returned when some adult vocal onset falls in [offset, offset + window].
    The true return does so with probability p F(window) (F: latency CDF); caregiver-initiated
    talk is a Poisson process of rate a = adult_talk_per_min / 60 per s, independent of the
    serve, so it puts an onset there with probability 1 - exp(-a window). No other adult onset
    can: bouts do not overlap and the next bout starts at least bout_gap_min_s >= window later.
    Hence, with G(x) = P(first adult onset within x of the serve's end) = 1 - (1 - p F(x)) e^{-a x}:

    - response rate R = G(window) = p F(w) + (1 - p F(w)) (1 - e^{-a w});
    - measured latency (first adult onset - serve offset, among counted serves) has CDF
      G(x) / G(window) on [0, window], so its median m solves G(m) = G(window) / 2.

    Exact under the generator's assumptions up to millisecond rounding and edge effects at phase
    and session ends (serves within ``window`` of an end lose part of their window).
    """
    if window > params.bout_gap_min_s:
        raise ParameterError(
            f"window {window:g} s exceeds bout_gap_min_s {params.bout_gap_min_s:g} s: the next "
            "bout's return could fall in the window and this expectation would not be exact"
        )
    p, a = params.response_probability, params.adult_talk_per_min / 60.0
    latency = params.latency

    def g(x: float) -> float:
        return 1.0 - (1.0 - p * latency.cdf(x)) * np.exp(-a * x)

    rate = g(window)
    median = None
    if rate > 0:
        median = float(optimize.brentq(lambda x: g(x) - rate / 2, 0.0, window, xtol=1e-9))
    return {
        "window_s": window,
        "contingent_return_probability": float(p * latency.cdf(window)),
        "chance_response_probability": float(1.0 - np.exp(-a * window)),
        "response_rate": float(rate),
        "latency_median_s": median,
        "generator_latency_median_s": params.latency_median_s,
    }


@dataclass
class SessionTruth:
    """What really happened in a session.

    - ``parameters``: the generating ``SessionParameters``; ``seed``.
    - ``serves``: one row per child vocalisation (every one is a serve): ``serve``, ``bout``,
      ``position`` (1-based within the bout), ``phase``, ``onset_s``, ``offset_s``, ``returned``
      (the caregiver's return is in the table), ``response_onset_s``, ``response_offset_s``,
      ``latency_s`` (null when not returned), ``continued`` (the child served again in this
      bout), ``cut`` (a return was drawn but would have ended after the phase or session end,
      so it is not in the table), ``frightening`` (the encounter has a frightening episode).
    - ``mismatches``: every mismatch spell of the affect streams: ``onset_s``, ``offset_s``,
      ``duration_s``, ``phase``, ``repaired``, ``censored`` (cut by a phase or session end),
      ``who`` repaired (``child`` / ``caregiver``, null when censored).
    - ``frightening``: the frightening episodes (``serve``, ``onset_s``, ``offset_s``).
    - ``phases``: ``phase``, ``onset_s``, ``offset_s`` (one unnamed phase without Still-Face).
    """

    parameters: SessionParameters
    seed: int
    serves: pl.DataFrame = field(repr=False)
    mismatches: pl.DataFrame = field(repr=False)
    frightening: pl.DataFrame = field(repr=False)
    phases: pl.DataFrame = field(repr=False)

    def summary(self) -> dict[str, Any]:
        """Counts and shares of the truth, per phase: serves, returned, contingent within
        LENA's window, median true latency, matched share of time, mismatches, repaired."""
        out = {}
        for name, on, off in self.phases.iter_rows():
            s = self.serves.filter(pl.col("phase") == name)
            m = self.mismatches.filter(pl.col("phase") == name)
            latency = s["latency_s"].drop_nulls()
            mismatch_s = float(m["duration_s"].sum())
            out[name] = {
                "duration_s": off - on,
                "serves": s.height,
                "returned": int(s["returned"].sum()),
                "returned_within_window": int((latency <= LENA_WINDOW_S).sum()),
                "latency_median_s": float(latency.median()) if len(latency) else None,
                "matched_share": 1.0 - mismatch_s / (off - on),
                "mismatches": m.height,
                "repaired": int(m["repaired"].sum()),
                "frightening_episodes": int(s["frightening"].sum()),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters.to_dict(),
            "seed": self.seed,
            "by_phase": self.summary(),
        }

    def write(self, directory: str | Path) -> list[Path]:
        """``serves.csv``, ``mismatches.csv``, ``frightening.csv``, ``phases.csv`` and
        ``parameters.json`` in ``directory`` (created if needed, its parent must exist), each
        written atomically; returns the paths."""
        directory = make_folder(directory)
        paths = []
        for name in ("serves", "mismatches", "frightening", "phases"):
            path = directory / f"{name}.csv"
            with atomic(path) as temp:
                getattr(self, name).write_csv(temp)
            paths.append(path)
        path = write_text(
            directory / "parameters.json", json.dumps(self.to_dict(), indent=2) + "\n"
        )
        return [*paths, path]


@dataclass
class Session:
    """A simulated session: the ``recording`` (segments table) and its ``truth``."""

    recording: Recording
    truth: SessionTruth

    def phase(self, name: str) -> Recording:
        """The segments starting inside phase ``name``, times from the phase's start (generated
        segments never cross a phase end, so nothing is cut)."""
        row = self.truth.phases.filter(pl.col("phase") == name)
        if row.height != 1:
            raise ParameterError(
                f"unknown phase {name!r}; choose one of {self.truth.phases['phase'].to_list()}"
            )
        on, off = round(row["onset_s"][0] * 1000), round(row["offset_s"][0] * 1000)
        onset = pl.col("segment_onset")
        table = self.recording.segments.filter((onset >= on) & (onset < off)).with_columns(
            onset - on, pl.col("segment_offset") - on
        )
        return Recording(
            id=f"{self.recording.id}-{name}",
            path=self.recording.path,
            format=self.recording.format,
            segments=table,
            duration_ms=off - on,
            participants=list(self.recording.participants),
            extra={**self.recording.extra, "phase": name},
        )


@dataclass(frozen=True)
class _Stretch:
    """One phase of a session as the vocal generator sees it."""

    name: str
    start_ms: int
    stop_ms: int
    responsive: bool


def session(
    params: SessionParameters | None = None,
    *,
    minutes: float | None = None,
    seed: int = 0,
    recording_id: str = "session",
) -> Session:
    """Simulate one session (see the module docstring and ``docs/model-interaction.md``).

    ``minutes``: the session length; required without Still-Face, and with ``still_face_s`` it
    must be omitted or equal to the phases' sum. ``seed`` (>= 0) fixes everything: the vocal
    stream and the affect streams use independent children of ``numpy.random.SeedSequence(seed)``.
    """
    params = params or SessionParameters()
    if seed < 0:
        raise ParameterError(f"seed must be >= 0, got {seed}")
    stretches, affect_phases = _plan(params, minutes)
    vocal_seq, affect_seq = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(vocal_seq)
    serves, adult, fright = [], [], []
    first_bout = 0
    for stretch in stretches:
        s, a, f = _vocal_stretch(rng, params, stretch, first_bout)
        first_bout += int(s["bout"].max()) + 1 if s.height else 0
        serves.append(s)
        adult.append(a)
        fright.append(f)
    serves_frame = pl.concat(serves).with_columns(serve=pl.int_range(pl.len(), dtype=pl.Int64))
    dyad = coded_dyad(
        phases=affect_phases,
        seed=int(affect_seq.generate_state(1, dtype=np.uint64)[0]),
        recording_id=recording_id,
    )
    table = _segments(serves_frame, pl.concat(adult), pl.concat(fright), dyad.recording.segments)
    total_ms = stretches[-1].stop_ms
    truth = SessionTruth(
        parameters=params,
        seed=seed,
        serves=_serve_truth(serves_frame),
        mismatches=dyad.spells.select(
            "onset_s",
            "offset_s",
            duration_s=pl.col("offset_s") - pl.col("onset_s"),
            phase="phase",
            repaired="repaired",
            censored=~pl.col("repaired"),
            who="who",
        ),
        frightening=_frightening_truth(serves_frame),
        phases=pl.DataFrame(
            {
                "phase": [s.name for s in stretches],
                "onset_s": [s.start_ms / 1000 for s in stretches],
                "offset_s": [s.stop_ms / 1000 for s in stretches],
            }
        ),
    )
    recording = Recording(
        id=recording_id,
        path="",
        format="simulated",
        segments=table,
        duration_ms=total_ms,
        participants=[
            Participant("child", "Target_Child", "CHI"),
            Participant("mother", "Mother", "FEM"),
        ],
        extra={"seed": seed, "parameters": params.to_dict()},
    )
    return Session(recording=recording, truth=truth)


MAX_MINUTES = 31 * 24 * 60  # a session longer than a month is a typo


def _plan(params: SessionParameters, minutes: float | None) -> tuple[list[_Stretch], list[Phase]]:
    """The phases: one unnamed stretch, or FF / SF / RE."""
    share = params.child_repair_share
    if params.still_face_s is None:
        if minutes is None or not 0 < minutes <= MAX_MINUTES:
            raise ParameterError(
                f"minutes must be > 0 and <= {MAX_MINUTES} (31 days), got {minutes}"
            )
        stop = round(minutes * 60_000)
        return [_Stretch("", 0, stop, True)], [
            Phase("", stop / 1000, params.matching, params.repair_hazard, share)
        ]
    total = sum(params.still_face_s)
    if total > MAX_MINUTES * 60:
        raise ParameterError(
            f"the Still-Face phases last {total / 60:g} min, over {MAX_MINUTES} (31 days)"
        )
    if minutes is not None and abs(minutes * 60 - total) > 1e-6:
        raise ParameterError(
            f"minutes {minutes:g} differs from the Still-Face phases' sum {total / 60:g} min; "
            "omit minutes or change still_face_s"
        )
    stretches, phases, start = [], [], 0
    for name, seconds in zip(STILL_FACE, params.still_face_s, strict=True):
        stop = start + round(seconds * 1000)
        still = name == "SF"
        stretches.append(_Stretch(name, start, stop, not still))
        matching = params.still_face_matching if still else params.matching
        hazard = params.still_face_repair_hazard if still else params.repair_hazard
        phases.append(Phase(name, (stop - start) / 1000, matching, hazard, share))
        start = stop
    return stretches, phases


def _vocal_stretch(
    rng: np.random.Generator, params: SessionParameters, stretch: _Stretch, first_bout: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Serves (with returns), caregiver-initiated talk and frightening episodes of one phase.

    Vectorised: a pool of serves is drawn with independent return and continuation flags; a bout
    ends after every serve that is not both returned and continued, so bout membership is a
    cumulative sum and every time a cumulative sum of durations. The pool doubles until it
    covers the phase; serves whose vocalisation would end after the phase are dropped.
    """
    p = params.response_probability if stretch.responsive else 0.0
    q = params.continue_probability
    span_s = (stretch.stop_ms - stretch.start_ms) / 1000
    gap_mean = gap_mean_s(params, p)
    n = int(1.2 * span_s * params.serve_rate_per_min / 60) + 16
    while True:
        returned = rng.random(n) < p
        continued = returned & (rng.random(n) < q)
        child = _lognormal(rng, params.child_duration_median_s, params.child_duration_sigma, n)
        latency = params.latency.rvs(size=n, random_state=rng)
        adult = _lognormal(rng, params.adult_duration_median_s, params.adult_duration_sigma, n)
        answer = _lognormal(rng, params.child_latency_median_s, params.child_latency_sigma, n)
        gap = params.bout_gap_min_s + rng.exponential(gap_mean, n)
        first = np.ones(n, dtype=bool)
        first[1:] = ~continued[:-1]
        span = child + returned * (latency + adult) + continued * answer
        start = np.cumsum(np.where(first, gap, 0.0) + span) - span
        if start[-1] > span_s:
            break
        n *= 2
    base = stretch.start_ms
    on = base + np.round(start * 1000).astype(np.int64)
    off = base + np.round((start + child) * 1000).astype(np.int64)
    r_on = base + np.round((start + child + latency) * 1000).astype(np.int64)
    r_off = base + np.round((start + child + latency + adult) * 1000).astype(np.int64)
    keep = off <= stretch.stop_ms
    fits = r_off <= stretch.stop_ms
    n_kept = int(keep.sum())
    flag = rng.random(n) < (params.frightening if stretch.responsive else 0.0)
    f_on = off + np.round(params.latency.rvs(size=n, random_state=rng) * 1000).astype(np.int64)
    f_len = _lognormal(rng, params.frightening_median_s, 0.5, n)
    f_off = np.minimum(f_on + np.round(f_len * 1000).astype(np.int64), stretch.stop_ms)
    flag &= f_on < stretch.stop_ms
    bout = first_bout + np.cumsum(first) - 1
    position = np.arange(n) - np.maximum.accumulate(np.where(first, np.arange(n), 0)) + 1
    serves = pl.DataFrame(
        {
            "bout": bout,
            "position": position,
            "phase": [stretch.name] * n,
            "on": on,
            "off": off,
            "returned": returned & fits,
            "r_on": r_on,
            "r_off": r_off,
            "continued": continued & (np.arange(n) + 1 < n_kept),
            "cut": returned & ~fits,
            "frightening": flag,
            "f_on": f_on,
            "f_off": f_off,
        }
    ).head(n_kept)
    talk = rng.poisson((params.adult_talk_per_min if stretch.responsive else 0.0) * span_s / 60)
    t_on = np.sort(base + np.floor(rng.uniform(0, span_s * 1000, talk)).astype(np.int64))
    t_len = _lognormal(rng, params.adult_duration_median_s, params.adult_duration_sigma, talk)
    t_off = np.minimum(t_on + np.round(t_len * 1000).astype(np.int64), stretch.stop_ms)
    talk_frame = pl.DataFrame({"on": t_on, "off": t_off})
    return serves, talk_frame, serves.filter("frightening").select(on="f_on", off="f_off")


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return rng.lognormal(np.log(median), sigma, n)


def _segments(
    serves: pl.DataFrame, talk: pl.DataFrame, fright: pl.DataFrame, affect: pl.DataFrame
) -> pl.DataFrame:
    """The session's segments table: vocal (CHI, FEM), affect and episodes, behaviour."""
    returns = serves.filter("returned").select(on="r_on", off="r_off")
    parts = [
        serves.select("on", "off").with_columns(who=pl.lit("CHI"), kind=pl.lit("vocal")),
        pl.concat([returns, talk]).with_columns(who=pl.lit("FEM"), kind=pl.lit("vocal")),
        fright.with_columns(who=pl.lit("FEM"), kind=pl.lit("behaviour")),
    ]
    vocal = pl.concat(parts)
    vocal = seg.build(
        {
            "segment_onset": vocal["on"],
            "segment_offset": vocal["off"],
            "speaker_type": vocal["who"],
            "speaker_id": vocal["who"].replace_strict({"CHI": "child", "FEM": "mother"}),
            "kind": vocal["kind"],
            "code": pl.Series([None] * (vocal.height - fright.height), dtype=pl.String).append(
                pl.Series(["frightening"] * fright.height, dtype=pl.String)
            ),
        }
    )
    return seg.build(pl.concat([affect, vocal]))


def _serve_truth(serves: pl.DataFrame) -> pl.DataFrame:
    returned = pl.col("returned")
    return serves.select(
        "serve",
        "bout",
        "position",
        "phase",
        onset_s=pl.col("on") / 1000,
        offset_s=pl.col("off") / 1000,
        returned=returned,
        response_onset_s=pl.when(returned).then(pl.col("r_on") / 1000),
        response_offset_s=pl.when(returned).then(pl.col("r_off") / 1000),
        latency_s=pl.when(returned).then((pl.col("r_on") - pl.col("off")) / 1000),
        continued="continued",
        cut="cut",
        frightening="frightening",
    )


def _frightening_truth(serves: pl.DataFrame) -> pl.DataFrame:
    return serves.filter("frightening").select(
        "serve", onset_s=pl.col("f_on") / 1000, offset_s=pl.col("f_off") / 1000
    )


def vocal_stream(
    params: SessionParameters | None = None, *, minutes: float | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Only the vocal stream of ``session(params, minutes=minutes, seed=seed)``: the same child
    serves, caregiver returns and caregiver talk (identical times), without the affect streams
    and frightening episodes, as arrays ``(onset_ms, offset_ms, is_child)`` sorted by onset; for
    simulations that need hundreds of days (a 16-hour session costs ~25 ms, this ~2 ms)."""
    params = params or SessionParameters()
    stretches, _ = _plan(params, minutes)
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])
    on, off, child, first_bout = [], [], [], 0
    for stretch in stretches:
        s, a, _ = _vocal_stretch(rng, params, stretch, first_bout)
        first_bout += int(s["bout"].max()) + 1 if s.height else 0
        returned = s.filter("returned")
        for part, is_child in (
            (s.select("on", "off"), True),
            (returned.select(on="r_on", off="r_off"), False),
            (a, False),
        ):
            on.append(part["on"].to_numpy())
            off.append(part["off"].to_numpy())
            child.append(np.full(part.height, is_child))
    onset, offset, is_child = (np.concatenate(x) for x in (on, off, child))
    order = np.argsort(onset, kind="stable")
    return onset[order], offset[order], is_child[order]


__all__ = [
    "LENA_WINDOW_S",
    "REPAIR_HORIZON_S",
    "Session",
    "SessionParameters",
    "SessionTruth",
    "expected_turns",
    "session",
    "vocal_stream",
]
