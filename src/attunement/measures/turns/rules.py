"""The four turn rules: named, documented definitions that give ``Pairs`` (serve -> response).

All times in the parameters are seconds; every rule has one ``window_s`` parameter whose meaning
and default its definition states, so no window is ever implicit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attunement.errors import ParameterError
from attunement.measures.turns import kernels, units
from attunement.measures.turns.kernels import ADULT, CHILD


@dataclass(frozen=True)
class Pairs:
    """Counted turns of one recording: index pairs into the timed segments, and exchange ids."""

    serve: np.ndarray
    response: np.ndarray
    exchange: np.ndarray
    role: np.ndarray  # role code of every row (kernels.CHILD/ADULT/CANCEL/IGNORE)


@dataclass(frozen=True)
class Rule:
    name: str
    defaults: dict[str, Any]
    source: str
    count: Callable[..., Pairs]
    definition: str


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _arrays(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return (
        frame["segment_onset"].to_numpy().astype(np.int64),
        frame["segment_offset"].to_numpy().astype(np.int64),
    )


def _groups(frame: pl.DataFrame, group: np.ndarray | None) -> np.ndarray:
    """Recording of each row (all zeros for a single recording)."""
    return np.zeros(frame.height, np.int64) if group is None else group


def _lena(frame: pl.DataFrame, p: dict[str, Any], group: np.ndarray | None = None) -> Pairs:
    role = units.roles(
        frame,
        cancel_types=("OCH",),
        cancel_exclude_ids=p["cancel_exclude_ids"],
        adult_words=True,
    )
    onset, offset = _arrays(frame)
    use_blocks = p["blocks"] and "lena_block_number" in frame.columns
    block = _groups(frame, group) << 32
    if use_blocks:
        number = frame["lena_block_number"]
        number = number if number.null_count() == 0 else number.fill_null(-1)
        block = block + number.to_numpy().astype(np.int64)
    serve, response, exchange = kernels.lena_pairs(role, onset, offset, block, _ms(p["window_s"]))
    return Pairs(serve, response, exchange, role)


def _alternation(frame: pl.DataFrame, p: dict[str, Any], group: np.ndarray | None = None) -> Pairs:
    role = units.roles(frame)
    onset, offset = _arrays(frame)
    serve, response, exchange = kernels.alternation_pairs(
        role, onset, offset, _groups(frame, group), _ms(p["window_s"])
    )
    return Pairs(serve, response, exchange, role)


def _window(frame: pl.DataFrame, p: dict[str, Any], group: np.ndarray | None = None) -> Pairs:
    role = units.roles(frame)
    onset, offset = _arrays(frame)
    window, overlap = _ms(p["window_s"]), _ms(p["overlap_s"])
    if group is not None and len(onset):
        # put recordings far apart on one axis, so that no search crosses from one to the next
        spacing = int(offset.max()) + window + overlap + 1
        onset, offset = onset + group * spacing, offset + group * spacing
    serves, responses = [], []
    for serve_role, answer_role in ((CHILD, ADULT), (ADULT, CHILD)):
        s = np.flatnonzero(role == serve_role)
        a = np.flatnonzero(role == answer_role)
        if not len(s) or not len(a):
            continue
        lower = np.maximum(offset[s] - overlap, onset[s])
        j = np.searchsorted(onset[a], lower, side="left")
        ok = j < len(a)
        ok[ok] &= onset[a[j[ok]]] <= offset[s[ok]] + window
        serves.append(s[ok])
        responses.append(a[j[ok]])
    serve = np.concatenate(serves) if serves else np.empty(0, np.int64)
    response = np.concatenate(responses) if responses else np.empty(0, np.int64)
    order = np.argsort(serve, kind="stable")
    serve, response = serve[order], response[order]
    exchange = kernels.linked_exchanges(serve, response, frame.height)
    return Pairs(serve, response, exchange, role)


def _adjacent(frame: pl.DataFrame, p: dict[str, Any], group: np.ndarray | None = None) -> Pairs:
    partners = tuple(p["partners"])
    role = units.roles(frame, adult_types=partners, kinds=p["kinds"])
    onset, offset = _arrays(frame)
    idx = np.flatnonzero(role != 0)
    prev, cur = idx[:-1], idx[1:]
    gap = onset[cur] - offset[prev]
    delay = onset[cur] - onset[prev]
    turn = (role[prev] != role[cur]) & (gap < _ms(p["window_s"])) & (delay >= _ms(p["min_delay_s"]))
    if group is not None:
        turn &= group[prev] == group[cur]
    serve, response = prev[turn], cur[turn]
    return Pairs(serve, response, kernels.chain_ids(serve, response), role)


RULES: dict[str, Rule] = {
    "lena": Rule(
        "lena",
        {"window_s": 5.0, "blocks": True, "cancel_exclude_ids": ("CXF",)},
        "LENA Foundation, LENA Pro Conversational Turns Report (Gilkerson & Richards 2008; "
        "Xu, Yapanel & Gray 2009); recomputed from segments",
        _lena,
        "Alternating key-child and adult units less than `window_s` s apart, counted in pairs "
        "(C-A = 1, A-C = 1, C-A-C = 1, C-A-C-A = 2). Child units: key-child segments of kind "
        "vocal (LENA: childUttCnt > 0; cries and vegetative sounds never count). Adult units: "
        "FEM/MAL/ADU vocal segments with words > 0 where a word count exists. Same-role units "
        "within the window extend a run; an other-child segment (OCH, except the ids in "
        "`cancel_exclude_ids`: LENA ignores faint CXF) cancels a pending turn; overlap, noise, "
        "TV and silence segments are transparent; with `blocks`, no turn crosses LENA's "
        "conversation blocks (column lena_block_number); otherwise a pause of `window_s` or more "
        "ends a conversation.",
    ),
    "alternation": Rule(
        "alternation",
        {"window_s": 5.0},
        "serve-return 0.1.0, rule.count_turns (Vanjare 2025): the five-second rule",
        _alternation,
        "Same-role units merge into one block while the gap from the block's end is at most "
        "`window_s` s; every two consecutive blocks of different roles (key child vs adult) with a "
        "gap of at most `window_s` s are one turn, so C-A-C = 2. Other speakers are ignored.",
    ),
    "window": Rule(
        "window",
        {"window_s": 5.0, "overlap_s": 0.0},
        "Contingent response within a window: Warlaumont, Richards, Gilkerson & Oller 2014 "
        "(Psychological Science 25:1314) use 1 s; Bornstein et al. 2008 for contingency windows",
        _window,
        "A serve (a key-child vocal unit) is returned when an adult vocal unit starts in "
        "[max(offset - overlap_s, onset), offset + window_s] of it; adult serves answered by the "
        "child likewise. Each returned serve is one turn, answered by the first such unit; a "
        "turn whose serve was itself a response continues that exchange.",
    ),
    "adjacent": Rule(
        "adjacent",
        {"window_s": 1.0, "min_delay_s": 0.0, "partners": ("FEM", "MAL", "OCH"), "kinds": None},
        "ChildProject 0.4.6 metricsFunctions.simple_CTC (Gautheron et al. 2022)",
        _adjacent,
        "Among rows of the key child and the `partners` (ChildProject's default: FEM, MAL, OCH; "
        "of any kind unless `kinds` is set), each adjacent child<->partner transition whose gap "
        "(onset - previous offset, negative for overlap) is below `window_s` s and whose onsets "
        "are at least `min_delay_s` s apart is a turn.",
    ),
}


def parameters(rule: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """The full parameter set of ``rule``: its defaults with ``overrides`` checked and laid over."""
    if rule not in RULES:
        raise ParameterError(f"unknown turn rule {rule!r}; choose one of {', '.join(RULES)}")
    spec = RULES[rule]
    unknown = set(overrides) - set(spec.defaults)
    if unknown:
        raise ParameterError(
            f"rule {rule!r} takes no parameter {', '.join(sorted(unknown))}; "
            f"its parameters are {', '.join(spec.defaults)}"
        )
    merged = {**spec.defaults, **{k: v for k, v in overrides.items() if v is not None}}
    for name in ("window_s", "overlap_s", "min_delay_s"):
        if name in merged and not (isinstance(merged[name], int | float) and merged[name] >= 0):
            raise ParameterError(f"{name} must be a number of seconds >= 0, got {merged[name]!r}")
    for name in ("partners", "kinds", "cancel_exclude_ids"):
        if merged.get(name) is not None:
            merged[name] = tuple(merged[name])
    return merged
