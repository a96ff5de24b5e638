"""Error models: how an automatic annotation (LENA, a voice type classifier) departs from a
human one, as a small JSON file with its source.

Per compared class c, at the level of segments (utterance-like stretches):

- ``miss_rate[c]``: share of reference segments of c left without a hypothesis segment;
- ``confusion[c][k]``: among the detected reference segments of c, the share labelled k (each
  row sums to 1);
- ``false_alarm_ratio[c]``: hypothesis segments of c that overlap no reference segment, per
  reference segment of c; ``false_alarm_duration_s[c]``: their mean length (None: as long as
  the class's own segments);
- ``boundary_jitter_s``: the standard deviation of onset and offset shifts of detected segments
  (estimated robustly: 1.4826 x the median absolute deviation).

Segments are paired one to one, largest overlap first (so a hypothesis segment that is the copy
of an overlapping reference segment of another class does not count as this one's label); a
reference segment left over that a hypothesis segment of its own class overlaps counts as
detected as its class, and such a hypothesis segment is no false alarm (one automatic segment
over two human utterances of the same speaker is a merge, not an error). ``estimate`` measures
one from a comparison (``attunement agree ... --save-error-model``);
``preset(name)`` loads a shipped one, each number with its published source, marked
``approximate``. ``corrupt`` (``measures.agreement.corrupt``) applies a model to a recording.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from attunement.errors import ParameterError, ReadError
from attunement.recording import Recording

FORMAT = "attunement-error-model"
MAX_BYTES = 1_000_000
PRESETS = ("lena-lavechin2020", "vtc-lavechin2020")


@dataclass
class ErrorModel:
    """One error model (see the module docstring)."""

    classes: tuple[str, ...]
    miss_rate: dict[str, float]
    confusion: dict[str, dict[str, float]]
    false_alarm_ratio: dict[str, float]
    false_alarm_duration_s: dict[str, float | None]
    boundary_jitter_s: float
    source: str
    approximate: bool = False
    counts: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.classes = tuple(self.classes)
        problems = []
        for c in self.classes:
            row = self.confusion.get(c, {})
            if not 0 <= self.miss_rate.get(c, -1) <= 1:
                problems.append(f"miss_rate of {c} must be from 0 to 1")
            if set(row) - set(self.classes) or any(not 0 <= v <= 1 for v in row.values()):
                problems.append(f"confusion row {c}: shares from 0 to 1 over {self.classes}")
            elif row and abs(sum(row.values()) - 1) > 1e-6:
                problems.append(f"confusion row {c} must sum to 1, sums to {sum(row.values()):g}")
            if not 0 <= self.false_alarm_ratio.get(c, -1) <= 100:
                problems.append(f"false_alarm_ratio of {c} must be from 0 to 100")
            duration = self.false_alarm_duration_s.get(c)
            if duration is not None and not 0.01 <= duration <= 600:
                problems.append(f"false_alarm_duration_s of {c} must be from 0.01 to 600 s")
        if not 0 <= self.boundary_jitter_s <= 60:
            problems.append("boundary_jitter_s must be from 0 to 60 s")
        if problems:
            raise ParameterError("error model: " + "; ".join(problems))

    def matrix(self) -> np.ndarray:
        """``confusion`` as a classes x classes array (identity rows where a row is missing)."""
        out = np.eye(len(self.classes))
        for i, c in enumerate(self.classes):
            row = self.confusion.get(c)
            if row:
                out[i] = [row.get(k, 0.0) for k in self.classes]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": 1, **asdict(self), "classes": list(self.classes)}

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON, atomically (the path is checked by the caller)."""
        from attunement.outputs import write_text

        return write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")


def load(source: str | Path | ErrorModel) -> ErrorModel:
    """An error model from a JSON file, a preset name (``PRESETS``) or an ``ErrorModel``."""
    if isinstance(source, ErrorModel):
        return source
    if str(source) in PRESETS:
        return preset(str(source))
    path = Path(source)
    if not path.is_file():
        raise ReadError(path, "no such error model file (or a preset: " + ", ".join(PRESETS) + ")")
    if path.stat().st_size > MAX_BYTES:
        raise ReadError(
            path, f"an error model is a small file; this one is over {MAX_BYTES:,} bytes"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(path, f"not a JSON error model ({type(exc).__name__})") from None
    return from_dict(data, path)


def from_dict(data: Any, path: str | Path = "error model") -> ErrorModel:
    """An ``ErrorModel`` from its JSON form; anything else is a ``ReadError``."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ReadError(path, f'not an error model (no "format": "{FORMAT}")')
    keys = ("classes", "miss_rate", "confusion", "false_alarm_ratio", "false_alarm_duration_s")
    try:
        values = {k: data[k] for k in keys}
        jitter = float(data["boundary_jitter_s"])
        source = str(data["source"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ReadError(path, f"error model field missing or wrong: {exc}") from None
    if not source.strip():
        raise ReadError(path, "an error model must name its source")
    try:
        return ErrorModel(
            **values,
            boundary_jitter_s=jitter,
            source=source,
            approximate=bool(data.get("approximate", False)),
            counts=dict(data.get("counts") or {}),
            notes=[str(n) for n in data.get("notes") or []],
        )
    except (ParameterError, TypeError, AttributeError) as exc:
        raise ReadError(path, str(exc)) from None


def preset(name: str) -> ErrorModel:
    """A shipped error model (``PRESETS``): approximate, every number with its source."""
    if name not in PRESETS:
        raise ParameterError(f"unknown error model preset {name!r}; presets: {', '.join(PRESETS)}")
    text = resources.files("attunement.measures.agreement").joinpath(f"presets/{name}.json")
    return from_dict(json.loads(text.read_text(encoding="utf-8")), name)


def _vocal(rec: Recording, classes: tuple[str, ...], region: np.ndarray) -> pl.DataFrame:
    """Segments of the classes (vocal kinds) starting inside ``region`` (ms)."""
    from attunement.measures.agreement.timeline import VOCAL_KINDS

    frame = rec.segments.filter(
        pl.col("segment_onset").is_not_null()
        & pl.col("kind").cast(pl.String).is_in(VOCAL_KINDS)
        & pl.col("speaker_type").cast(pl.String).is_in(classes)
        & (pl.col("segment_offset") > pl.col("segment_onset"))
    ).sort("segment_onset")
    on = frame["segment_onset"].to_numpy()
    k = np.searchsorted(region[:, 1], on, side="right")
    inside = (k < len(region)) & (on >= region[np.minimum(k, len(region) - 1), 0])
    return frame.filter(pl.Series(inside))


def overlaps(a_on, a_off, b_on, b_off) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair (i, j) of intervals of a and b (b sorted by onset) that overlap, with the
    overlap in ms."""
    reach = np.maximum.accumulate(b_off) if len(b_off) else b_off
    lo = np.searchsorted(reach, a_on, side="right")
    hi = np.searchsorted(b_on, a_off, side="left")
    count = np.maximum(hi - lo, 0)
    i = np.repeat(np.arange(len(a_on)), count)
    j = np.repeat(lo, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    amount = np.minimum(a_off[i], b_off[j]) - np.maximum(a_on[i], b_on[j])
    keep = amount > 0
    return i[keep], j[keep], amount[keep]


def one_to_one(i, j, amount, n_a: int, n_b: int) -> tuple[np.ndarray, np.ndarray]:
    """Greedy one-to-one matching of overlapping pairs, largest overlap first: each segment of
    either side is matched at most once."""
    used_a, used_b = np.zeros(n_a, dtype=bool), np.zeros(n_b, dtype=bool)
    out_a, out_b = [], []
    for k in np.argsort(-amount, kind="stable").tolist():
        a, b = int(i[k]), int(j[k])
        if not (used_a[a] or used_b[b]):
            used_a[a] = used_b[b] = True
            out_a.append(a)
            out_b.append(b)
    return np.array(out_a, dtype=np.int64), np.array(out_b, dtype=np.int64)


def estimate(
    reference: Recording,
    hypothesis: Recording,
    region: np.ndarray,
    classes: tuple[str, ...],
    source: str,
) -> ErrorModel:
    """The error model of ``hypothesis`` against ``reference`` over ``region`` (ms)."""
    ref, hyp = _vocal(reference, classes, region), _vocal(hypothesis, classes, region)
    r_on, r_off = (ref[c].to_numpy().astype(float) for c in ("segment_onset", "segment_offset"))
    h_on, h_off = (hyp[c].to_numpy().astype(float) for c in ("segment_onset", "segment_offset"))
    index = {c: n for n, c in enumerate(classes)}
    r_cls = np.array([index[c] for c in ref["speaker_type"].cast(pl.String)], dtype=np.int64)
    h_cls = np.array([index[c] for c in hyp["speaker_type"].cast(pl.String)], dtype=np.int64)
    i, j, amount = overlaps(r_on, r_off, h_on, h_off)
    best_i, best_j = one_to_one(i, j, amount, len(r_on), len(h_on))
    detected_r = np.zeros(len(r_on), dtype=bool)
    detected_r[best_i] = True
    matched_h = np.zeros(len(h_on), dtype=bool)
    matched_h[best_j] = True
    same = r_cls[i] == h_cls[j]  # a merge: one hypothesis segment over two of the same class
    extra_i = np.unique(i[same & ~detected_r[i]])
    matched_h[j[same]] = True
    n_ref = np.bincount(r_cls, minlength=len(classes))
    detected = np.zeros((len(classes), len(classes)))
    np.add.at(detected, (r_cls[best_i], h_cls[best_j]), 1)
    np.add.at(detected, (r_cls[extra_i], r_cls[extra_i]), 1)
    fa = ~matched_h
    n_fa = np.bincount(h_cls[fa], minlength=len(classes))
    fa_len = np.bincount(h_cls[fa], weights=(h_off - h_on)[fa], minlength=len(classes))
    kept = r_cls[best_i] == h_cls[best_j]
    b_i, b_j = best_i[kept], best_j[kept]
    shifts = np.concatenate([h_on[b_j] - r_on[b_i], h_off[b_j] - r_off[b_i]]) / 1000
    jitter = 1.4826 * float(np.median(np.abs(shifts - np.median(shifts)))) if len(shifts) else 0.0
    notes = []
    miss, confusion, ratio, duration = {}, {}, {}, {}
    for n, c in enumerate(classes):
        found = detected[n].sum()
        miss[c] = float(1 - found / n_ref[n]) if n_ref[n] else 0.0
        confusion[c] = (
            {k: float(detected[n, m] / found) for m, k in enumerate(classes)}
            if found
            else {k: float(k == c) for k in classes}
        )
        ratio[c] = float(n_fa[n] / n_ref[n]) if n_ref[n] else 0.0
        duration[c] = float(fa_len[n] / n_fa[n] / 1000) if n_fa[n] else None
        if not n_ref[n] and n_fa[n]:
            notes.append(f"{c}: {n_fa[n]} false alarm(s) but no reference segment: left out")
    return ErrorModel(
        classes=classes,
        miss_rate=miss,
        confusion=confusion,
        false_alarm_ratio=ratio,
        false_alarm_duration_s=duration,
        boundary_jitter_s=round(jitter, 4),
        source=source,
        counts={
            "reference_segments": {c: int(n_ref[n]) for n, c in enumerate(classes)},
            "false_alarm_segments": {c: int(n_fa[n]) for n, c in enumerate(classes)},
            "compared_s": float((region[:, 1] - region[:, 0]).sum() / 1000),
        },
        notes=notes,
    )
