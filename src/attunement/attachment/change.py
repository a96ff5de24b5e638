"""Change over time: stability of attachment classifications and dimensions across waves.

For classifications at two or more waves: the transition matrix (counts and row proportions),
percent stable, Cohen's κ with CI for all categories and for secure vs insecure, and the
stability split by a moderator (percent changed per group, their difference and a test), as in
Waters, Merrick, Treboux, Crowell & Albersheim (2000). For dimensions: test-retest Pearson r with
a Fisher-z interval. With more than two waves every adjacent pair (1→2, 2→3, ...) and the first
wave against each later one (1→3, ...) are reported.

Data come wide (one row per respondent, an id column and one column per wave: see
``to_wide`` for long data). A respondent missing a wave is counted per wave and per pair, never
silently dropped: each pair uses the respondents present at both of its waves.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from attunement.attachment.agreement import Kappa, cohen_kappa_table
from attunement.attachment.specs import MODERATOR_TESTS
from attunement.errors import DataError, ParameterError

__all__ = [
    "MODERATOR_TESTS",
    "ClassificationChange",
    "DimensionStability",
    "ModeratorSplit",
    "PairStability",
    "Retest",
    "classification_change",
    "dimension_stability",
    "to_wide",
    "wave_pairs",
]


SOURCE = (
    "Waters, E., Merrick, S., Treboux, D., Crowell, J., & Albersheim, L. (2000). Attachment "
    "security in infancy and early adulthood: a twenty-year longitudinal study. Child "
    "Development, 71(3), 684-689; κ: Cohen (1960) with the SE of Fleiss, Cohen & Everitt (1969)"
)
DEFINITION = (
    "transition count n_ij = respondents in class i at the earlier and j at the later wave; row "
    "proportion n_ij / n_i.; percent stable = 100 Σ n_ii / n; κ over all categories and over "
    "secure (the classes in `secure`) vs insecure (all others); a respondent 'changed' when the "
    "secure/insecure status differs (moderator_on='two_way') or the class differs "
    "(moderator_on='categories')"
)


def wave_pairs(waves: Sequence[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(earlier, later, kinds) for every adjacent pair and every first-to-later pair, in that
    order, each pair once (1→2 is both ``adjacent`` and ``first_to_each``)."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for a, b in itertools.pairwise(waves):
        pairs.setdefault((a, b), []).append("adjacent")
    for b in waves[1:]:
        pairs.setdefault((waves[0], b), []).append("first_to_each")
    return [(a, b, tuple(kinds)) for (a, b), kinds in pairs.items()]


def to_wide(
    long: pl.DataFrame, *, id_column: str, wave_column: str, value_column: str
) -> pl.DataFrame:
    """Long data (one row per respondent and wave) to wide (one column per wave, in order of
    first appearance). A respondent with two rows in one wave raises ``ValueError`` naming
    them."""
    missing = [c for c in (id_column, wave_column, value_column) if c not in long.columns]
    if missing:
        raise DataError(f"missing column(s) {missing}; the table has {long.columns}")
    dup = long.filter(pl.struct(id_column, wave_column).is_duplicated())
    if dup.height:
        listed = ", ".join(
            f"{i!r} in wave {w!r}"
            for i, w in dup.select(id_column, wave_column).unique(maintain_order=True).iter_rows()
        )
        raise DataError(f"respondents with more than one row in a wave: {listed}")
    waves = long[wave_column].cast(pl.String).unique(maintain_order=True).to_list()
    wide = long.with_columns(pl.col(wave_column).cast(pl.String)).pivot(
        on=wave_column, index=id_column, values=value_column
    )
    return wide.select(id_column, *waves)


@dataclass(frozen=True)
class ModeratorSplit:
    """Stability by moderator group: per group n, changed, percent changed; for two groups
    the difference (second − first group, groups in sorted order) and Fisher's exact test
    (two-sided) or Pearson's χ² (with or without Yates's correction) on groups × changed;
    respondents without a moderator value are counted in ``n_missing_moderator``."""

    moderator: str
    on: str
    test: str
    groups: list[dict[str, Any]]
    difference: float | None
    statistic: float | None
    p: float
    n_missing_moderator: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (an undefined test: ``p`` null)."""
        return {**self.__dict__, "p": _num(self.p)}


@dataclass(frozen=True)
class PairStability:
    """Stability between two waves (``earlier`` → ``later``; see the module's ``DEFINITION``).
    ``n`` respondents have both waves; ``n_missing`` of the data's respondents lack one or
    both."""

    earlier: str
    later: str
    kinds: tuple[str, ...]
    n: int
    n_missing: int
    categories: tuple[str, ...]
    transitions: np.ndarray
    row_proportions: np.ndarray
    percent_stable: float
    kappa: Kappa
    two_way: Kappa
    percent_stable_two_way: float
    moderator: ModeratorSplit | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: matrices as labels + nested lists (NaN -> null)."""
        return {
            "earlier": self.earlier,
            "later": self.later,
            "kinds": list(self.kinds),
            "n": self.n,
            "n_missing": self.n_missing,
            "percent_stable": _num(self.percent_stable),
            "kappa": self.kappa.to_dict(),
            "transition_matrix": {
                "labels": list(self.categories),
                "counts": self.transitions.tolist(),
                "row_proportions": [[_num(x) for x in row] for row in self.row_proportions],
            },
            "two_way": {
                "percent_stable": _num(self.percent_stable_two_way),
                "kappa": self.two_way.to_dict(),
            },
            "moderator": None if self.moderator is None else self.moderator.to_dict(),
        }


@dataclass(frozen=True)
class ClassificationChange:
    """Classification stability across ``waves``: respondents in the data, those with every
    wave, missing counts per wave, every parameter, and one ``PairStability`` per pair."""

    waves: tuple[str, ...]
    n_respondents: int
    n_complete: int
    missing_by_wave: dict[str, int]
    parameters: dict[str, Any]
    pairs: list[PairStability]
    source: str = SOURCE
    definition: str = DEFINITION
    warnings: list[str] = field(default_factory=list)

    def pair(self, earlier: str, later: str) -> PairStability:
        for p in self.pairs:
            if (p.earlier, p.later) == (earlier, later):
                return p
        raise KeyError(
            f"no pair {earlier!r} → {later!r}; pairs: {[(p.earlier, p.later) for p in self.pairs]}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The first → last wave pair at the top level (``n``, ``percent_stable``, ``kappa``,
        ``transition_matrix``, ``two_way``, ``moderator``), then every pair in ``pairs``."""
        overall = self.pair(self.waves[0], self.waves[-1]).to_dict()
        return {
            "waves": list(self.waves),
            "n_respondents": self.n_respondents,
            "n_complete": self.n_complete,
            "missing_by_wave": self.missing_by_wave,
            **{k: v for k, v in overall.items() if k not in ("kinds",)},
            "parameters": self.parameters,
            "pairs": [p.to_dict() for p in self.pairs],
            "source": self.source,
            "definition": self.definition,
            "warnings": self.warnings,
        }


def _num(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


def _check_columns(data: pl.DataFrame, id_column: str, columns: Sequence[str]) -> None:
    missing = [c for c in (id_column, *columns) if c not in data.columns]
    if missing:
        raise DataError(f"missing column(s) {missing}; the table has {data.columns}")
    ids = data[id_column]
    if ids.null_count():
        raise DataError(f"{ids.null_count()} row(s) without an id in column {id_column!r}")
    dup = ids.filter(ids.is_duplicated()).unique(maintain_order=True).to_list()
    if dup:
        raise DataError(f"duplicate id(s) in column {id_column!r}: {dup}")


def classification_change(
    data: pl.DataFrame,
    *,
    waves: Sequence[str],
    id_column: str = "id",
    categories: Sequence[str] | None = None,
    secure: Sequence[str] = ("B",),
    moderator: str | None = None,
    moderator_on: str = "two_way",
    moderator_test: str = "fisher",
    confidence: float = 0.95,
) -> ClassificationChange:
    """Stability of classifications across ``waves`` (columns of ``data``, in time order).

    ``categories``: the classes in table order (default: the sorted union of observed values);
    a value outside them raises ``ValueError`` naming respondent and wave. ``secure``: the
    classes counted as secure for the 2-way κ (default B; e.g. ``("B", "F")`` for Strange
    Situation against AAI). ``moderator``: a column of ``data`` (e.g. negative life events
    yes/no) to split stability by, on secure/insecure change (``moderator_on="two_way"``) or on
    any change of class (``"categories"``), tested by ``moderator_test`` (``fisher``: Fisher's
    exact, two-sided, two groups only; ``chi2``: Pearson χ² without, ``chi2_yates``: with
    continuity correction). Empty strings count as missing.
    """
    waves = [str(w) for w in waves]
    if len(waves) < 2:
        raise ParameterError(f"waves must list at least two waves, got {waves}")
    if moderator_on not in ("two_way", "categories"):
        raise ParameterError(
            f"moderator_on must be 'two_way' or 'categories', got {moderator_on!r}"
        )
    if moderator_test not in MODERATOR_TESTS:
        raise ParameterError(
            f"moderator_test must be one of {', '.join(MODERATOR_TESTS)}, got {moderator_test!r}"
        )
    _check_columns(data, id_column, [*waves, *([moderator] if moderator else [])])
    values = {
        w: data[w].cast(pl.String).str.strip_chars().replace("", None).to_numpy() for w in waves
    }
    ids = data[id_column].cast(pl.String).to_list()
    observed = sorted({v for w in waves for v in values[w] if v is not None})
    labels = tuple(str(c) for c in categories) if categories is not None else tuple(observed)
    unknown = [
        f"{ids[i]!r} in wave {w!r}: {values[w][i]!r}"
        for w in waves
        for i in range(len(ids))
        if values[w][i] is not None and values[w][i] not in labels
    ]
    if unknown:
        raise DataError(
            f"{len(unknown)} classification(s) outside {list(labels)}: {', '.join(unknown[:20])}"
        )
    secure = tuple(str(s) for s in secure)
    not_classes = [s for s in secure if s not in labels]
    warnings = []
    if not_classes:
        warnings.append(f"secure class(es) {not_classes} are not among the categories {labels}")
    index = {c: i for i, c in enumerate(labels)}
    codes = {
        w: np.array([-1 if v is None else index[v] for v in values[w]], dtype=np.int64)
        for w in waves
    }
    is_secure = np.array([c in secure for c in labels], dtype=bool)
    mod_values = None
    if moderator is not None:
        mod_values = data[moderator].cast(pl.String).str.strip_chars().replace("", None).to_numpy()
    pairs = [
        _pair(
            a,
            b,
            kinds,
            codes[a],
            codes[b],
            labels,
            is_secure,
            mod_values,
            moderator,
            moderator_on,
            moderator_test,
            confidence,
        )
        for a, b, kinds in wave_pairs(waves)
    ]
    present = np.stack([codes[w] >= 0 for w in waves])
    return ClassificationChange(
        waves=tuple(waves),
        n_respondents=len(ids),
        n_complete=int(present.all(axis=0).sum()),
        missing_by_wave={w: int((codes[w] < 0).sum()) for w in waves},
        parameters={
            "id_column": id_column,
            "categories": list(labels),
            "secure": list(secure),
            "moderator": moderator,
            "moderator_on": moderator_on,
            "moderator_test": moderator_test,
            "confidence": confidence,
        },
        pairs=pairs,
        warnings=warnings,
    )


def _pair(
    earlier: str,
    later: str,
    kinds: tuple[str, ...],
    a: np.ndarray,
    b: np.ndarray,
    labels: tuple[str, ...],
    is_secure: np.ndarray,
    mod_values: np.ndarray | None,
    moderator: str | None,
    moderator_on: str,
    moderator_test: str,
    confidence: float,
) -> PairStability:
    both = (a >= 0) & (b >= 0)
    a, b = a[both], b[both]
    k = len(labels)
    table = np.bincount(a * k + b, minlength=k * k).reshape(k, k)
    sec_a, sec_b = is_secure[a], is_secure[b]
    two = np.array(
        [
            [np.sum(sec_a & sec_b), np.sum(sec_a & ~sec_b)],
            [np.sum(~sec_a & sec_b), np.sum(~sec_a & ~sec_b)],
        ]
    )
    n = int(both.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        rows = table / table.sum(axis=1, keepdims=True)
    split = None
    if mod_values is not None and moderator is not None:
        changed = (sec_a != sec_b) if moderator_on == "two_way" else (a != b)
        split = _moderator_split(changed, mod_values[both], moderator, moderator_on, moderator_test)
    return PairStability(
        earlier=earlier,
        later=later,
        kinds=kinds,
        n=n,
        n_missing=int((~both).sum()),
        categories=labels,
        transitions=table,
        row_proportions=rows,
        percent_stable=100.0 * np.trace(table) / n if n else float("nan"),
        kappa=cohen_kappa_table(table, categories=labels, confidence=confidence),
        two_way=cohen_kappa_table(two, categories=("secure", "insecure"), confidence=confidence),
        percent_stable_two_way=100.0 * np.trace(two) / n if n else float("nan"),
        moderator=split,
    )


def _moderator_split(
    changed: np.ndarray, groups: np.ndarray, moderator: str, on: str, test: str
) -> ModeratorSplit:
    known = np.array([g is not None for g in groups], dtype=bool)
    labels = sorted({g for g in groups[known]})
    counts = []
    for label in labels:
        member = known & (groups == label)
        n, c = int(member.sum()), int(changed[member].sum())
        counts.append((n, c))
    table = np.array([[c, n - c] for n, c in counts])
    group_rows = [
        {"group": label, "n": n, "changed": c, "stable": n - c, "percent_changed": 100.0 * c / n}
        for label, (n, c) in zip(labels, counts, strict=True)
    ]
    statistic: float | None = None
    p = float("nan")
    if len(labels) < 2:
        pass  # one group: nothing to compare, statistic and p stay undefined
    elif test == "fisher":
        if len(labels) != 2:
            raise DataError(
                f"Fisher's exact test needs two moderator groups; {moderator!r} has {labels}: "
                "use moderator_test='chi2'"
            )
        odds, p = stats.fisher_exact(table, alternative="two-sided")
        statistic = _num(float(odds)) if np.isfinite(odds) else None
        p = float(p)
    elif table.sum(axis=0).min() > 0:
        res = stats.chi2_contingency(table, correction=test == "chi2_yates")
        statistic, p = float(res.statistic), float(res.pvalue)
    difference = (
        group_rows[1]["percent_changed"] - group_rows[0]["percent_changed"]
        if len(labels) == 2
        else None
    )
    return ModeratorSplit(
        moderator=moderator,
        on=on,
        test=test,
        groups=group_rows,
        difference=difference,
        statistic=statistic,
        p=p,
        n_missing_moderator=int((~known).sum()),
    )


@dataclass(frozen=True)
class Retest:
    """Test–retest Pearson r between two waves of a dimension, over the ``n`` respondents with
    both values, with the Fisher-z interval tanh(atanh r ± z_(1+c)/2 / √(n − 3)) (NaN when
    n ≤ 3 or |r| = 1 makes it undefined)."""

    earlier: str
    later: str
    kinds: tuple[str, ...]
    n: int
    n_missing: int
    r: float
    ci_low: float
    ci_high: float
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["kinds"] = list(self.kinds)
        for key in ("r", "ci_low", "ci_high"):
            out[key] = _num(out[key])
        return out


@dataclass(frozen=True)
class DimensionStability:
    """Test–retest correlations of one dimension for every wave pair (see ``wave_pairs``)."""

    waves: tuple[str, ...]
    n_respondents: int
    missing_by_wave: dict[str, int]
    pairs: list[Retest]
    parameters: dict[str, Any]
    source: str = (
        "Pearson r; interval: Fisher, R. A. (1921). On the 'probable error' of a coefficient of "
        "correlation deduced from a small sample. Metron, 1, 3-32"
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "waves": list(self.waves),
            "n_respondents": self.n_respondents,
            "missing_by_wave": self.missing_by_wave,
            "parameters": self.parameters,
            "pairs": [p.to_dict() for p in self.pairs],
            "source": self.source,
        }


def dimension_stability(
    data: pl.DataFrame,
    *,
    waves: Sequence[str],
    id_column: str = "id",
    confidence: float = 0.95,
) -> DimensionStability:
    """Test–retest r of a continuous score (e.g. AQS security, ECR avoidance) at ``waves``
    (columns of ``data``, in time order); missing values (null, NaN, empty) count per wave."""
    waves = [str(w) for w in waves]
    if len(waves) < 2:
        raise ParameterError(f"waves must list at least two waves, got {waves}")
    _check_columns(data, id_column, waves)
    values = {}
    for w in waves:
        column = data[w]
        if column.dtype == pl.String:
            column = column.str.strip_chars().replace("", None)
        numbers = column.cast(pl.Float64, strict=False)
        bad = (numbers.is_null() & column.is_not_null()).to_numpy()
        if bad.any():
            ids = data[id_column].cast(pl.String).to_numpy()[bad].tolist()
            raise DataError(f"wave {w!r}: values that are not numbers for id(s) {ids[:20]}")
        values[w] = numbers.fill_nan(None).to_numpy().astype(float)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    pairs = []
    for a, b, kinds in wave_pairs(waves):
        both = np.isfinite(values[a]) & np.isfinite(values[b])
        n = int(both.sum())
        r = low = high = float("nan")
        if n >= 2:
            x, y = values[a][both], values[b][both]
            with np.errstate(invalid="ignore", divide="ignore"):
                r = float(np.corrcoef(x, y)[0, 1])
            if n > 3 and np.isfinite(r) and abs(r) < 1:
                half = z / np.sqrt(n - 3)
                low, high = (
                    float(np.tanh(np.arctanh(r) - half)),
                    float(np.tanh(np.arctanh(r) + half)),
                )
        pairs.append(Retest(a, b, kinds, n, int((~both).sum()), r, low, high, confidence))
    return DimensionStability(
        waves=tuple(waves),
        n_respondents=data.height,
        missing_by_wave={w: int((~np.isfinite(values[w])).sum()) for w in waves},
        pairs=pairs,
        parameters={"id_column": id_column, "confidence": confidence},
    )
