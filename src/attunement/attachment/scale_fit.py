"""Do the answers fit the declared scale? One summary of what does not, and the options that fix it.

Scoring never guesses what a value means. When a file holds values outside the declared scale
(``scale_min``..``scale_max``, after the declared ``missing`` codes), cells that are not whole
numbers, or answers that never reach an end of the scale in a sample large enough to have used it
(``RANGE_CHECK_FROM`` respondents), scoring stops with one :class:`ResponseError` whose message
is a short summary (at most ``MAX_LINES`` lines): how many values and respondents, which values,
the observed range, and the options that would make the file scoreable, each with what it
assumes (``Fix``): the out-of-scale values as missing codes (with the scale their remaining
answers span), the observed range as the scale, or invalid answers scored as missing. Reverse
keying is ``min + max - x``, so a 1-5 form scored as 1-7 gets every reversed item wrong: that is
why unreached ends stop scoring instead of warning (``range_check=False`` accepts them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from attunement.errors import DataError

RANGE_CHECK_FROM = 30  # respondents; fewer may simply not have used the scale's ends
MAX_LINES = 20
SHOWN_VALUES = 6
SHOWN_PROBLEMS = 3
MAX_CODES = 3  # at most this many distinct out-of-scale values are offered as missing codes
MAX_SCALE_POINTS = 11  # an observed range wider than this is not offered as a scale


@dataclass(frozen=True)
class Problem:
    """One invalid cell: data ``row`` (1-based), file ``line`` (None when unknown), respondent
    id (None without an id column), ``item`` column, raw ``value`` and ``problem``."""

    row: int
    line: int | None
    respondent: str | None
    item: str
    value: str
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" (line {self.line})" if self.line else "")
        who = f", respondent {self.respondent}" if self.respondent is not None else ""
        return f"{where}{who}, item {self.item}: {self.value!r} {self.problem}"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Fix:
    """One way to make the file scoreable: what it assumes (``meaning``) and the scoring options
    it sets (``options``: ``missing``, ``scale_min``, ``scale_max``, ``invalid``,
    ``range_check``)."""

    meaning: str
    options: dict[str, Any]

    def flags(self) -> str:
        """The command-line flags: ``--missing 0 --scale-min 1 --scale-max 5``."""
        out = []
        for name, value in self.options.items():
            if name == "missing":
                out.append("--missing " + ",".join(f"{v:g}" for v in value))
            elif name == "range_check":
                out.append("--no-range-check")
            else:
                out.append(f"--{name.replace('_', '-')} {value}")
        return " ".join(out)

    def arguments(self) -> str:
        """The same as keyword arguments of ``attachment.score``."""
        return ", ".join(
            f"{k}=[{', '.join(f'{c:g}' for c in v)}]" if k == "missing" else f"{k}={v!r}"
            for k, v in self.options.items()
        )


@dataclass
class ScaleFit:
    """What the answers look like against the declared scale ``lo``..``hi``: cells outside it
    (``outside``: value -> count), cells that are not whole numbers (``text``, ``fractional``:
    value -> count), respondents with such a cell (``respondents_affected`` of
    ``respondents``), the range of the whole numbers seen (``observed``) and of those inside the
    scale (``inside``), whether the ends were reached, and ``problems`` (every bad cell)."""

    lo: int
    hi: int
    missing: tuple[float, ...]
    respondents: int
    respondents_affected: int
    outside: dict[float, int]
    text: dict[str, int]
    fractional: dict[float, int]
    observed: tuple[float, float] | None
    inside: tuple[float, float] | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def cells(self) -> int:
        return len(self.problems)

    @property
    def ends_reached(self) -> bool:
        return self.inside is None or self.inside == (self.lo, self.hi)

    @property
    def judged(self) -> bool:
        """Enough respondents to judge that unreached ends mean a shorter scale."""
        return self.respondents >= RANGE_CHECK_FROM

    def fixes(self) -> list[Fix]:
        """The options that would make the file scoreable, most specific first."""
        keep = {"missing": list(self.missing)} if self.missing else {}
        others = {"invalid": "missing"} if self.text or self.fractional else {}
        also = " (the other invalid values scored as missing)" if others else ""
        out = []
        if self.outside and len(self.outside) <= MAX_CODES and self.inside is not None:
            codes = sorted(set(self.missing) | set(self.outside))
            values = _g(sorted(self.outside))
            verb = "marks" if len(self.outside) == 1 else "mark"
            meaning = f"if {values} {verb} a missing answer"
            options: dict[str, Any] = {"missing": codes}
            if self.inside != (self.lo, self.hi) and self.judged:
                meaning += f" and the form ran {_span(self.inside)}"
                options |= {"scale_min": int(self.inside[0]), "scale_max": int(self.inside[1])}
            out.append(Fix(meaning + also, options | others))
        whole = self.observed is not None and all(float(v).is_integer() for v in self.observed)
        if self.outside and whole and self.observed[1] - self.observed[0] < MAX_SCALE_POINTS:
            lo, hi = (int(v) for v in self.observed)
            scale = {"scale_min": lo, "scale_max": hi}
            out.append(Fix(f"if the form ran {lo}-{hi}{also}", keep | scale | others))
        if not self.outside and not self.ends_reached:
            lo, hi = (int(v) for v in self.inside)
            out.append(Fix(f"if the form ran {lo}-{hi}", keep | {"scale_min": lo, "scale_max": hi}))
        if not self.outside and not self.ends_reached and self.judged:
            out.append(
                Fix(
                    f"if it really ran {self.lo}-{self.hi} and nobody used {self._unused()}",
                    {"range_check": False},
                )
            )
        if self.problems:
            meaning, options = "or, to score every invalid value as missing", {"invalid": "missing"}
            if not self.ends_reached and self.judged:
                lo, hi = (int(v) for v in self.inside)
                meaning += f" on a {lo}-{hi} form"
                options |= {"scale_min": lo, "scale_max": hi}
            out.append(Fix(meaning, keep | options))
        return out

    def stops(self, invalid: str, range_check: bool) -> bool:
        """Whether scoring must stop: invalid cells (unless scored as missing), or unreached
        ends in a sample large enough to judge (unless ``range_check`` is off)."""
        if self.problems and invalid == "raise":
            return True
        return range_check and self.judged and not self.ends_reached

    def warning(self) -> str | None:
        """When the ends are not reached but scoring goes on (too few respondents to judge, or
        ``range_check`` off): what was seen and the options, as a warning."""
        if self.ends_reached:
            return None
        lo, hi = (int(v) for v in self.inside)
        why = "" if self.judged else f" (only {self.respondents} respondents: too few to be sure)"
        return (
            f"the declared scale is {self.lo}-{self.hi} but the answers run only {lo}-{hi}{why}: "
            f"if the form had that range, set scale_min={lo}, scale_max={hi} (--scale-min {lo} "
            f"--scale-max {hi}); reverse keying uses min + max - x"
        )

    def summary(self, source: str, instrument: str, *, flags: bool = True) -> list[str]:
        """At most ``MAX_LINES`` lines: the facts, then the options (command-line flags, or
        keyword arguments with ``flags=False``)."""
        lines = [
            f"{source}: the answers do not fit the declared {self.lo}-{self.hi} scale of "
            f"{instrument} ({self.respondents:,} respondents):"
        ]
        if self.problems:
            lines.append(
                f"  {self.cells:,} value(s) in {self.respondents_affected:,} respondent(s) are not "
                f"answers on the {self.lo}-{self.hi} scale"
                + (" nor a declared missing code" if self.missing else "")
            )
        for what, counts in (
            (f"outside {self.lo}-{self.hi}", self.outside),
            ("not a number", self.text),
            ("not a whole number", self.fractional),
        ):
            if counts:
                lines.append(f"    {what}: {_counts(counts)}")
        if self.inside is not None and not self.ends_reached:
            lines.append(
                f"  the answers on the scale run {_span(self.inside)}: nobody answered "
                f"{self._unused()}" + ("" if self.judged else " (too few respondents to be sure)")
            )
            lines.append(
                f"  reverse keying is min + max - x: scoring a {_span(self.inside)} form as "
                f"{self.lo}-{self.hi} gets every reversed item wrong"
            )
        lines += [f"  e.g. {p}" for p in self.problems[:SHOWN_PROBLEMS]]
        fixes = self.fixes()
        if fixes:
            lines.append("To score it, say what the values mean (the data's codebook says which):")
            for fix in fixes:
                how = fix.flags() if flags else fix.arguments()
                lines.append(f"  {fix.meaning}:  {how}")
        if len(self.problems) > SHOWN_PROBLEMS:
            every = "--verbose" if flags else "ResponseError.problems"
            lines.append(f"({every} lists all {self.cells:,} values one by one)")
        return lines[:MAX_LINES]

    def _unused(self) -> str:
        lo, hi = self.inside
        low = [f"{v:g}" for v in range(self.lo, int(lo))]
        high = [f"{v:g}" for v in range(int(hi) + 1, self.hi + 1)]
        values = low + high
        return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]


class ResponseError(DataError):
    """The answers do not fit the declared scale (see the module docstring): ``fit`` holds the
    facts and the options, ``problems`` every invalid cell; the message is the summary."""

    def __init__(self, fit: ScaleFit, source: str = "data", instrument: str = ""):
        self.fit = fit
        self.problems = fit.problems
        self.source = source
        self.instrument = instrument
        super().__init__("\n".join(fit.summary(source, instrument, flags=False)))

    def lines(self, source: str | None = None) -> list[str]:
        """The summary with command-line flags (``attunement score``), naming ``source``."""
        return self.fit.summary(source or self.source, self.instrument)


def check(
    numeric: np.ndarray,
    text: np.ndarray,
    unparsed: np.ndarray,
    lo: int,
    hi: int,
    missing: tuple[float, ...],
    problems: list[Problem],
) -> ScaleFit:
    """The fit of the item cells (``numeric``: parsed numbers, NaN for empty, declared missing or
    text cells; ``text``: the raw cell text; ``unparsed``: text that is not a number) to
    ``lo``..``hi``; ``problems`` lists the invalid cells already found."""
    finite = np.isfinite(numeric)
    whole = finite & (numeric == np.round(numeric))
    values = numeric[whole]
    out = values[(values < lo) | (values > hi)]
    inside = values[(values >= lo) & (values <= hi)]
    frac = numeric[finite & ~whole & (numeric >= lo) & (numeric <= hi)]
    bad_rows = {p.row for p in problems}
    return ScaleFit(
        lo=lo,
        hi=hi,
        missing=missing,
        respondents=numeric.shape[0],
        respondents_affected=len(bad_rows),
        outside=dict(sorted(Counter(out.tolist()).items())),
        text=dict(Counter(text[unparsed].tolist()).most_common()),
        fractional=dict(sorted(Counter(frac.tolist()).items())),
        observed=(float(values.min()), float(values.max())) if values.size else None,
        inside=(float(inside.min()), float(inside.max())) if inside.size else None,
        problems=problems,
    )


def _counts(counts: dict[Any, int]) -> str:
    shown = [
        f"{_g([v])} ({n:,} time{'s' if n != 1 else ''})"
        for v, n in list(counts.items())[:SHOWN_VALUES]
    ]
    more = len(counts) - SHOWN_VALUES
    return ", ".join(shown) + (f" and {more} other value(s)" if more > 0 else "")


def _g(values: list[Any]) -> str:
    return ", ".join(f"{v:g}" if isinstance(v, float) else repr(v) for v in values)


def _span(pair: tuple[float, float]) -> str:
    return f"{pair[0]:g}-{pair[1]:g}"
