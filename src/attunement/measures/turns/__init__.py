"""Serve and return: turns, responsiveness and exchanges under a named rule.

``turns(recording, rule="lena", **params)`` returns a ``TurnResult``; ``RULES`` holds the four
definitions (``lena``, ``alternation``, ``window``, ``adjacent``) with their defaults and sources.
Everything is computed from timing and roles alone, so inputs without text work fully.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from attunement import segments as seg
from attunement.measures.nulls import monte_carlo_p
from attunement.measures.params import validate
from attunement.measures.turns import chance as chance_mod
from attunement.measures.turns import clock, lena_check, units
from attunement.measures.turns.kernels import ADULT, CHILD
from attunement.measures.turns.result import TurnResult
from attunement.measures.turns.rules import RULES, Pairs, parameters
from attunement.recording import Recording

__all__ = ["RULES", "TurnResult", "answered", "count_turns", "turns"]

LATENCY_BIN_S = 0.5


def turns(
    recording: Recording,
    rule: str = "lena",
    *,
    n_resamples: int = 100,
    seed: int = 0,
    min_shift_s: float = 60.0,
    bins: bool = True,
    project_12h: bool = False,
    allow_large: bool = False,
    error_model: Any = None,
    **params: Any,
) -> TurnResult:
    """Count turns in ``recording`` under ``rule`` and derive every serve-and-return figure.

    ``params`` override the rule's parameters (see ``RULES[rule].defaults``); ``n_resamples`` is
    the number of circular shifts for the chance baseline (0 turns it off), ``seed`` seeds them
    and ``min_shift_s`` is the smallest shift; ``bins`` adds clock-aligned 5-minute and 1-hour bins;
    ``project_12h`` adds LENA's 12-hour projection (turns per hour x 12), labelled as such.
    ``error_model`` (an ``ErrorModel``, a JSON file from ``attunement agree
    --save-error-model`` or a preset name) adds 95% intervals for turns, turns per hour and the
    response rate and the naive count's bias, from ``n_resamples`` simulated days
    (``measures.agreement.uncertainty``; ``seed`` seeds them). Every value is checked by the
    ``turns`` family's declarations (``allow_large`` lets ``n_resamples`` pass its cap).
    """
    spec = RULES.get(rule)
    p = parameters(rule, params)
    _check(rule, n_resamples, seed, min_shift_s, project_12h, params, allow_large)
    frame = seg.timed(recording.segments)
    pairs = spec.count(frame, p)
    recorded = clock.recorded_ms(recording)
    onset = frame["segment_onset"].to_numpy()
    offset = frame["segment_offset"].to_numpy()
    serve_role = pairs.role[pairs.serve]
    child_to_adult = serve_role == CHILD
    latencies = (onset[pairs.response] - offset[pairs.serve])[child_to_adult] / 1000
    first = _exchange_starts(pairs)
    lengths = np.bincount(pairs.exchange) if len(pairs.exchange) else np.empty(0, np.int64)
    lengths = lengths[lengths > 0]
    ln, lc = np.unique(lengths, return_counts=True)
    n_turns = len(pairs.serve)
    partners = _partner_rows(pairs)

    shifted = chance_mod.shifted_counts(
        frame,
        pairs.role,
        lambda f: len(spec.count(f, {**p, "blocks": False} if "blocks" in p else p).serve),
        duration_ms=int(recording.duration_ms or 0),
        n_resamples=n_resamples,
        seed=seed,
        min_shift_ms=round(min_shift_s * 1000),
    )
    chance = monte_carlo_p(n_turns, shifted) if len(shifted) else None
    chance_mean = chance.null_mean if chance else None
    per_hour = n_turns / (recorded / 3_600_000) if recorded > 0 else None
    result = TurnResult(
        path=recording.path,
        recording_id=recording.id,
        parameters={
            "rule": rule,
            **{k: list(v) if isinstance(v, tuple) else v for k, v in p.items()},
            "n_resamples": n_resamples,
            "seed": seed,
            "min_shift_s": min_shift_s,
            "project_12h": project_12h,
            "latency_bin_s": LATENCY_BIN_S,
        },
        source=spec.source,
        definition=spec.definition,
        recorded_s=recorded / 1000,
        turns=n_turns,
        turns_per_hour=None if per_hour is None else round(per_hour, 3),
        child_units=int((pairs.role == CHILD).sum()),
        adult_units=int((pairs.role == ADULT).sum()),
        child_serves=int((pairs.role[pairs.serve[first]] == CHILD).sum()),
        adult_serves=int((pairs.role[pairs.serve[first]] == ADULT).sum()),
        adult_returns=int(child_to_adult.sum()),
        child_returns=int((serve_role == ADULT).sum()),
        response_rate=_response_rate(onset, offset, pairs.role, p),
        latency_median_s=float(np.median(latencies)) if len(latencies) else None,
        latency_q1_s=float(np.percentile(latencies, 25)) if len(latencies) else None,
        latency_q3_s=float(np.percentile(latencies, 75)) if len(latencies) else None,
        latency_histogram=_histogram(latencies),
        exchanges=len(lengths),
        exchange_lengths=dict(zip(ln.tolist(), lc.tolist(), strict=True)),
        longest_exchange=int(lengths.max()) if len(lengths) else 0,
        by_caregiver=_by_caregiver(frame, partners),
        other_child_units=int(
            (
                units.is_type(frame, ["OCH"]) & units.roles(frame, child_types=["OCH"]).astype(bool)
            ).sum()
        ),
        other_child_turns=int(units.is_type(frame, ["OCH"])[partners].sum()),
        chance_turns=chance_mean,
        chance_sd=chance.null_sd if chance and chance.n > 1 else None,
        chance_ratio=(n_turns / chance_mean) if chance_mean else None,
        chance_p=chance.p if chance else None,
        lena_12h_projection=round(per_hour * 12, 1)
        if project_12h and per_hour is not None
        else None,
        warnings=_warnings(recording, frame, shifted, n_resamples),
        pairs=_pairs_frame(frame, pairs),
    )
    if rule == "lena":
        result.lena_agreement = _agreement(frame, pairs, result.warnings)
    if error_model is not None:
        from attunement.measures.agreement.error_model import load
        from attunement.measures.agreement.uncertainty import turn_intervals

        model = load(error_model)
        for name, value in turn_intervals(recording, result, model, p, n_resamples, seed).items():
            setattr(result, name, value)
        result.warnings += result.uncertainty["warnings"]
        result.parameters["error_model"] = model.source
    if bins:
        events = {
            "turns": onset[pairs.response],
            "child_units": onset[pairs.role == CHILD],
            "adult_units": onset[pairs.role == ADULT],
        }
        result.bins_5min = clock.bins(recording, events, 5)
        result.bins_1h = clock.bins(recording, events, 60)
    return result


def _check(rule, n_resamples, seed, min_shift_s, project_12h, params, allow_large) -> None:
    from attunement.measures.families.turns import PARAMETERS

    names = {p.name for p in PARAMETERS}
    values = {k: v for k, v in params.items() if k in names}
    values |= {"rule": rule, "n_resamples": n_resamples, "seed": seed}
    values |= {"min_shift_s": min_shift_s, "project_12h": project_12h}
    validate(PARAMETERS, values, "turns", allow_large=allow_large)


def count_turns(recording: Recording | pl.DataFrame, rule: str = "lena", **params: Any) -> int:
    """Only the number of turns under ``rule`` (the same count as ``turns(...).turns``), without
    the other figures: the lean path for large batches."""
    frame = recording if isinstance(recording, pl.DataFrame) else recording.segments
    return len(RULES[rule].count(seg.timed(frame), parameters(rule, params)).serve)


def _exchange_starts(pairs: Pairs) -> np.ndarray:
    """Index of the first turn of each exchange."""
    if not len(pairs.exchange):
        return np.empty(0, np.int64)
    _, first = np.unique(pairs.exchange, return_index=True)
    return first


def _response_rate(onset, offset, role, p) -> float | None:
    ok = answered(onset, offset, role, p)
    return float(ok.mean()) if len(ok) else None


def answered(onset, offset, role, p) -> np.ndarray:
    """For each child unit (in row order), whether an adult unit starts within
    [offset - overlap_s, offset + window_s] (not before the child's own onset): the response
    rate's definition."""
    child = np.flatnonzero(role == CHILD)
    adult_onsets = onset[role == ADULT]
    window = round(p.get("window_s", 5.0) * 1000)
    overlap = round(p.get("overlap_s", 0.0) * 1000)
    lower = np.maximum(offset[child] - overlap, onset[child])
    j = np.searchsorted(adult_onsets, lower, side="left")
    ok = j < len(adult_onsets)
    ok[ok] &= adult_onsets[j[ok]] <= offset[child][ok] + window
    return ok


def _histogram(latencies: np.ndarray) -> dict[str, list]:
    if not len(latencies):
        return {"edges_s": [], "counts": []}
    lo = np.floor(latencies.min() / LATENCY_BIN_S) * LATENCY_BIN_S
    hi = np.ceil(latencies.max() / LATENCY_BIN_S) * LATENCY_BIN_S + LATENCY_BIN_S
    edges = np.arange(lo, hi + LATENCY_BIN_S / 2, LATENCY_BIN_S)
    counts, edges = np.histogram(latencies, bins=edges)
    return {"edges_s": [round(e, 3) for e in edges.tolist()], "counts": counts.tolist()}


def _partner_rows(pairs: Pairs) -> np.ndarray:
    """The non-child side of each turn."""
    return np.where(pairs.role[pairs.serve] == CHILD, pairs.response, pairs.serve)


def _by_caregiver(frame: pl.DataFrame, partners: np.ndarray) -> dict[str, dict[str, int]]:
    partner = frame[partners.tolist()] if len(partners) else frame.head(0)
    out = {}
    for column in ("speaker_type", "speaker_id"):
        counts = partner.get_column(column).cast(pl.String).value_counts(sort=True)
        out[column] = {str(k): int(v) for k, v in counts.iter_rows()}
    return out


def _pairs_frame(frame: pl.DataFrame, pairs: Pairs) -> pl.DataFrame:
    cols = ["segment_onset", "segment_offset", "speaker_type", "speaker_id"]
    serve = (
        frame[pairs.serve.tolist()].select(cols) if len(pairs.serve) else frame.select(cols).head(0)
    )
    resp = (
        frame[pairs.response.tolist()].select(cols)
        if len(pairs.serve)
        else frame.select(cols).head(0)
    )
    out = pl.concat(
        [
            serve.rename({c: f"serve_{c}" for c in cols}),
            resp.rename({c: f"response_{c}" for c in cols}),
        ],
        how="horizontal",
    )
    return out.with_columns(
        exchange=pl.Series(pairs.exchange, dtype=pl.Int64),
        latency_s=(pl.col("response_segment_onset") - pl.col("serve_segment_offset")) / 1000,
    )


def _agreement(frame: pl.DataFrame, pairs: Pairs, warnings: list[str]) -> dict | None:
    table = lena_check.block_agreement(frame, pairs.response)
    if table is None:
        return None
    off = table.filter(~pl.col("agree"))
    if off.height:
        warnings.append(
            f"differs from LENA's own turn tags in {off.height} of {table.height} conversation "
            f"block(s) (ours {int(table['ours'].sum())}, LENA {int(table['lena'].sum())})"
        )
    return {
        "blocks": table.height,
        "blocks_agreeing": table.height - off.height,
        "lena_turns": int(table["lena"].sum()),
        "disagreements": off.select("block", "lena", "ours").to_dicts(),
    }


def _warnings(rec: Recording, frame: pl.DataFrame, shifted: np.ndarray, n: int) -> list[str]:
    out = []
    untimed = rec.segments.height - frame.height
    if untimed:
        out.append(f"{untimed} untimed segment(s) left out: turn rules need times")
    if n > 0 and not len(shifted):
        out.append("no chance baseline: the recording is too short for the shifts, or has no adult")
    return out
