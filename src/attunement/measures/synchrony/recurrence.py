"""Categorical cross-recurrence quantification (CRQA) of a child and a caregiver code stream.

Two equally sampled categorical sequences ``x`` (child) and ``y`` (caregiver) of length n
define the cross-recurrence matrix ``R[i, j] = (x_i == y_j)`` (rows: child time i, columns:
caregiver time j). Positions whose label is missing (``""``, ``None`` or NaN by default) recur
with nothing. No Theiler window: in cross-recurrence the main diagonal is data (the two streams
in the same state at the same time), not a trivial self-match.

Measures (Marwan, Romano, Thiel & Kurths 2007; categorical CRQA: Dale, Warlaumont & Richardson
2011; Coco & Dale 2014, R package ``crqa``). A *diagonal line* of length l is a maximal run of
l recurrent points ``R[i+k, j+k]``, k = 0..l-1; a *vertical line* of length v is a maximal run
``R[i, j+k]``, k = 0..v-1 (child time i fixed: the caregiver stays in the state the child had
at i). Swap ``x`` and ``y`` to get the horizontal (child-stays) counterpart.

* ``rr``: recurrence rate, recurrent points / n².
* ``det``: share of recurrent points on diagonal lines of length >= ``lmin``.
* ``l_mean`` (L): mean length of the diagonal lines of length >= ``lmin``.
* ``l_max`` (Lmax): longest diagonal line (0 when no line reaches ``lmin``).
* ``entr`` (ENTR): Shannon entropy, natural log, of the distribution of diagonal line lengths
  p(l) = (lines of length l) / (lines of length >= lmin), over l >= ``lmin``.
* ``lam`` (LAM): share of recurrent points on vertical lines of length >= ``vmin``.
* ``tt`` (TT): mean length of the vertical lines of length >= ``vmin``; ``v_max`` the longest.
* Diagonal cross-recurrence profile (Dale, Warlaumont & Richardson 2011): the recurrence rate
  on each diagonal ``lag = j - i`` for |lag| <= ``max_lag``. ``lag > 0`` counts matches of the
  caregiver at t + lag with the child at t (the child leads); ``lag < 0`` the caregiver leads.
  Same sign as ``crqa::drpfromts(ts1 = x, ts2 = y)``.

Ratios with an empty denominator (no recurrent point, no line) are ``None``. The result is a
``recurrence`` family result (``measures/families/recurrence.py`` names each figure).

Departures from peer tools, on purpose:

* multiSyncPy's ``rqa_metrics`` (Hudson et al. 2023) averages line length over *all* runs,
  length-1 runs included, and reads only the upper triangle without the main diagonal (an
  auto-recurrence convention); we follow the standard definition (lines >= lmin only, the whole
  cross-recurrence matrix). Its RR, DET and Lmax agree with ours on the same diagonals.
* ``crqa`` (R) reports RR, DET and LAM in percent, forces ``mindiagline`` and ``minvertline`` to
  at least 2, and sets LAM = TT = 0 and DET = ENTR = NA when no diagonal line reaches the
  minimum; we report fractions, accept lmin, vmin >= 1, and compute LAM/TT independently of
  the diagonal lines.

Speed: the matrix is never built. Diagonal lines are scanned diagonal by diagonal (numba),
jumping from run boundary to run boundary of x and y when runs are long, cell by cell otherwise
(at most O(n²) steps, about 0.15 s for 10,000 x 10,000); vertical lines are the runs of y of
category x_i, so their length distribution is the sum over categories c of
count_x(c) · (run-length histogram of c in y), in O(n).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import polars as pl
from numba import njit

from attunement.errors import DataError, ParameterError
from attunement.measures.base import Result
from attunement.measures.families.recurrence import SOURCE

DEFINITION = (
    "R[i,j] = x_i == y_j (missing labels never recur), no Theiler window. RR = points / n^2; "
    "DET = points on diagonal lines >= lmin / points; L = mean diagonal line length >= lmin; "
    "Lmax = longest diagonal line (0 if none >= lmin); ENTR = -sum p(l) ln p(l) over line "
    "lengths l >= lmin; LAM = points on vertical lines (i fixed, j running) >= vmin / points; "
    "TT = mean vertical line length >= vmin; profile = recurrence rate on diagonal lag = j - i "
    "(lag > 0: the child leads)."
)
DEFAULT_MISSING: tuple[Any, ...] = ("", None)


@dataclass
class CrossRecurrenceResult(Result):
    """Categorical cross-recurrence of child ``x`` and caregiver ``y`` (see the module doc for
    every definition). ``lags``/``profile``/``profile_points``: the diagonal profile;
    ``diagonal_lengths``/``vertical_lengths``: line-length -> count, all lengths (also those
    below ``lmin``/``vmin``)."""

    family: ClassVar[str] = "recurrence"

    parameters: dict[str, Any]
    source: str
    definition: str
    n: int
    missing_x: int
    missing_y: int
    recurrence_points: int
    rr: float
    det: float | None
    l_mean: float | None
    l_max: int
    entr: float | None
    diagonal_lines: int
    lam: float | None
    tt: float | None
    v_max: int
    vertical_lines: int
    diagonal_lengths: dict[int, int]
    vertical_lengths: dict[int, int]
    lags: np.ndarray = field(repr=False)
    profile: np.ndarray = field(repr=False)
    profile_points: np.ndarray = field(repr=False)
    path: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_frame(self) -> pl.DataFrame:
        """The diagonal profile: one row per lag with its recurrent points, diagonal length
        (n - |lag|) and recurrence rate."""
        return pl.DataFrame(
            {
                "lag": self.lags,
                "points": self.profile_points,
                "length": self.n - np.abs(self.lags),
                "rate": self.profile,
            }
        )

    def profile_peak_lags(self) -> list[int]:
        """Every lag whose profile rate equals the profile's maximum (as crqa's ``maxlag``)."""
        if self.profile.size == 0:
            return []
        return self.lags[self.profile == self.profile.max()].tolist()

    def details(self) -> dict[str, Any]:
        """The detail figures, ``profile_peak_lags`` from its method."""
        return {**super().details(), "profile_peak_lags": self.profile_peak_lags()}


def cross_recurrence(
    x: Sequence[Any] | np.ndarray,
    y: Sequence[Any] | np.ndarray,
    *,
    lmin: int = 2,
    vmin: int = 2,
    max_lag: int | None = None,
    missing: Sequence[Any] = DEFAULT_MISSING,
) -> CrossRecurrenceResult:
    """Categorical cross-recurrence measures of child ``x`` and caregiver ``y`` (equal length,
    one label per sample). ``lmin``/``vmin``: minimum diagonal/vertical line length (>= 1);
    ``max_lag``: profile half-width in samples (``None``: every lag, n - 1); ``missing``: labels
    that never recur (NaN always counts as missing). Definitions: see the module docstring."""
    cx, cy = encode_pair(x, y, missing)
    n = cx.size
    for name, value in (("lmin", lmin), ("vmin", vmin)):
        if int(value) != value or value < 1:
            raise ParameterError(f"{name} must be a whole number >= 1, got {value!r}")
    lag = n - 1 if max_lag is None else max_lag
    if int(lag) != lag or not 0 <= lag <= n - 1:
        raise ParameterError(
            f"max_lag must be a whole number in [0, n - 1 = {n - 1}], got {max_lag!r}"
        )
    lag = int(lag)
    diag_hist, profile_points, points = _diagonal_scan(cx, cy, lag)
    vert_hist = _vertical_histogram(cx, cy)
    det, l_mean, l_max, entr, n_diag = _line_measures(diag_hist, lmin, points)
    lam, tt, v_max, _, n_vert = _line_measures(vert_hist, vmin, points)
    lags = np.arange(-lag, lag + 1, dtype=np.int64)
    return CrossRecurrenceResult(
        parameters={
            "lmin": int(lmin),
            "vmin": int(vmin),
            "max_lag": lag,
            "missing": missing_repr(missing),
        },
        source=SOURCE,
        definition=DEFINITION,
        n=int(n),
        missing_x=int(np.count_nonzero(cx < 0)),
        missing_y=int(np.count_nonzero(cy < 0)),
        recurrence_points=int(points),
        rr=float(points / (n * n)),
        det=det,
        l_mean=l_mean,
        l_max=l_max,
        entr=entr,
        diagonal_lines=n_diag,
        lam=lam,
        tt=tt,
        v_max=v_max,
        vertical_lines=n_vert,
        diagonal_lengths=_nonzero(diag_hist),
        vertical_lengths=_nonzero(vert_hist),
        lags=lags,
        profile=profile_points / (n - np.abs(lags)),
        profile_points=profile_points,
    )


def cross_recurrence_matrix(
    x: Sequence[Any] | np.ndarray,
    y: Sequence[Any] | np.ndarray,
    missing: Sequence[Any] = DEFAULT_MISSING,
) -> np.ndarray:
    """The n x n boolean matrix ``R[i, j] = x_i == y_j`` (missing never recurs). It takes n²
    bytes: for plots and checks of short series; ``cross_recurrence`` never builds it."""
    cx, cy = encode_pair(x, y, missing)
    return cx[:, None] == cy[None, :]


def missing_repr(missing: Sequence[Any]) -> list[Any]:
    """The missing labels as JSON-ready values (NaN always counts, and is listed)."""
    return [
        *(m if m is None or isinstance(m, str | int | float) else str(m) for m in missing),
        "NaN",
    ]


def encode_pair(
    x: Sequence[Any] | np.ndarray, y: Sequence[Any] | np.ndarray, missing: Sequence[Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of two label sequences over their shared categories; missing labels get
    -1 in x and -2 in y so that they never match. Labels are compared as given when both are
    numeric, otherwise as text."""
    xa, ya = np.asarray(x), np.asarray(y)
    for name, arr in (("x", xa), ("y", ya)):
        if arr.ndim != 1:
            raise ParameterError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if xa.size != ya.size:
        raise ParameterError(f"x and y must have the same length, got {xa.size} and {ya.size}")
    if xa.size == 0:
        raise DataError("x and y are empty")
    miss_x, miss_y = _missing_mask(xa, missing), _missing_mask(ya, missing)
    kept_x, kept_y = xa[~miss_x], ya[~miss_y]
    if not (kept_x.dtype.kind in "biuf" and kept_y.dtype.kind in "biuf"):
        kept_x, kept_y = kept_x.astype(str), kept_y.astype(str)
    _, inverse = np.unique(np.concatenate([kept_x, kept_y]), return_inverse=True)
    cx = np.full(xa.size, -1, dtype=np.int64)
    cy = np.full(ya.size, -2, dtype=np.int64)
    cx[~miss_x] = inverse[: kept_x.size]
    cy[~miss_y] = inverse[kept_x.size :]
    return cx, cy


def _missing_mask(arr: np.ndarray, missing: Sequence[Any]) -> np.ndarray:
    kind = arr.dtype.kind
    mask = np.zeros(arr.size, dtype=bool)
    if kind == "f":
        mask |= np.isnan(arr)
    elif kind == "O":  # object labels (a Python-level pass, as object arrays are anyway)
        mask |= np.fromiter((v is None or v != v for v in arr), dtype=bool, count=arr.size)
    for label in missing:
        comparable = (
            kind == "O"
            or (kind in "US" and isinstance(label, str))
            or (kind in "biuf" and isinstance(label, int | float) and not isinstance(label, bool))
        )
        if comparable and label is not None:
            mask |= np.asarray(arr == label, dtype=bool)
    return mask


def _run_ends(codes: np.ndarray) -> np.ndarray:
    """For each position, the index one past the end of the run of equal codes holding it."""
    n = codes.size
    last = np.flatnonzero(np.r_[codes[1:] != codes[:-1], True])  # last index of each run
    run_of = np.cumsum(np.r_[0, codes[1:] != codes[:-1]])
    return (last + 1)[run_of].astype(np.int64) if n else np.zeros(0, np.int64)


def _diagonal_scan(
    cx: np.ndarray, cy: np.ndarray, max_lag: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Diagonal line-length histogram, recurrent points per profile lag, total points.

    Two kernels with identical results: when runs are long (fewer than one x or y run boundary
    per 4 samples) jumping from boundary to boundary does less work; otherwise a branch-free
    cell-by-cell scan is faster. Measured on 10,000 x 10,000 here: random 4 codes 0.14 s
    (cells) vs 0.50 s (runs); runs of 20 samples 0.04 s (runs)."""
    boundaries = np.count_nonzero(cx[1:] != cx[:-1]) + np.count_nonzero(cy[1:] != cy[:-1])
    if boundaries < cx.size / 4:
        return _scan_runs(cx, cy, _run_ends(cx), _run_ends(cy), max_lag)
    return _scan_cells(cx, cy, max_lag)


@njit(cache=True)
def _scan_runs(cx, cy, end_x, end_y, max_lag):  # pragma: no cover - numba
    n = cx.size
    hist = np.zeros(n + 1, np.int64)
    profile = np.zeros(2 * max_lag + 1, np.int64)
    total = 0
    for d in range(-(n - 1), n):
        i = -d if d < 0 else 0
        j = i + d
        run = 0
        points = 0
        while i < n and j < n:
            step = min(end_x[i] - i, end_y[j] - j)
            if cx[i] == cy[j]:
                run += step
                points += step
            elif run > 0:
                hist[run] += 1
                run = 0
            i += step
            j += step
        if run > 0:
            hist[run] += 1
        total += points
        if -max_lag <= d <= max_lag:
            profile[d + max_lag] = points
    return hist, profile, total


@njit(cache=True)
def _scan_cells(cx, cy, max_lag):  # pragma: no cover - numba
    n = cx.size
    hist = np.zeros(n + 1, np.int64)  # hist[0] absorbs the no-line steps, cleared at the end
    profile = np.zeros(2 * max_lag + 1, np.int64)
    total = 0
    for d in range(-(n - 1), n):
        i0 = -d if d < 0 else 0
        run = 0
        points = 0
        for k in range(n - abs(d)):
            match = np.int64(cx[i0 + k] == cy[i0 + d + k])
            hist[run * (1 - match)] += 1
            run = (run + 1) * match
            points += match
        hist[run] += 1
        total += points
        if -max_lag <= d <= max_lag:
            profile[d + max_lag] = points
    hist[0] = 0
    return hist, profile, total


def _vertical_histogram(cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """Vertical line lengths: for child time i the lines are the runs of y in category x_i, so
    each run of y in category c counts once per child sample in c."""
    n = cy.size
    starts = np.flatnonzero(np.r_[True, cy[1:] != cy[:-1]])
    lengths = np.diff(np.r_[starts, n])
    run_codes = cy[starts]
    n_codes = int(max(cx.max(), cy.max(), -1)) + 1
    count_x = np.bincount(cx[cx >= 0], minlength=n_codes + 1)
    weights = np.where(run_codes >= 0, count_x[np.maximum(run_codes, 0)], 0)
    return np.bincount(lengths, weights=weights, minlength=n + 1).astype(np.int64)


def _line_measures(
    hist: np.ndarray, minimum: int, points: int
) -> tuple[float | None, float | None, int, float | None, int]:
    """(share of points on lines >= minimum, mean length, longest, entropy, number of lines)."""
    lengths = np.arange(hist.size)
    kept = hist * (lengths >= minimum)
    lines = int(kept.sum())
    on_lines = int((kept * lengths).sum())
    share = on_lines / points if points else None
    if not lines:
        return share, None, 0, None, 0
    p = kept[kept > 0] / lines
    entropy = float(-(p * np.log(p)).sum()) + 0.0  # + 0.0 turns -0.0 into 0.0
    return share, on_lines / lines, int(np.flatnonzero(kept)[-1]), entropy, lines


def _nonzero(hist: np.ndarray) -> dict[int, int]:
    return {int(k): int(hist[k]) for k in np.flatnonzero(hist)}
