"""Agreement of two sets of counts over the same clips: correlations, intraclass correlations
with their 95% intervals, and Bland–Altman limits.

ICCs come from the two-way ANOVA of the n clips x k = 2 annotations table (mean squares of
rows MSR, columns MSC and error MSE), as McGraw & Wong (1996) define them and pingouin's
``intraclass_corr`` computes them:

- ICC(2,1) = ICC(A,1), absolute agreement: (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n),
  with McGraw & Wong's interval (Satterthwaite degrees of freedom v);
- ICC(3,1) = ICC(C,1), consistency: (MSR - MSE) / (MSR + (k - 1) MSE), with the F interval
  F_L = F / F_{.975}(n - 1, (n - 1)(k - 1)), F_U = F x F_{.975}((n - 1)(k - 1), n - 1),
  limits (F - 1) / (F + k - 1).

Bland & Altman (1986): bias = mean(hypothesis - reference), limits bias ± 1.96 SD (n - 1).
"""

from __future__ import annotations

import math

import numpy as np


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def correlations(ref: np.ndarray, hyp: np.ndarray) -> tuple[float | None, float | None]:
    """Pearson r and Spearman rho (None with fewer than 3 clips or a constant side)."""
    from scipy import stats

    if len(ref) < 3 or np.ptp(ref) == 0 or np.ptp(hyp) == 0:
        return None, None
    return _finite(stats.pearsonr(ref, hyp)[0]), _finite(stats.spearmanr(ref, hyp)[0])


def icc(ref: np.ndarray, hyp: np.ndarray, confidence: float = 0.95) -> dict[str, float | None]:
    """ICC(2,1) and ICC(3,1) with their intervals (see the module docstring)."""
    from scipy.stats import f

    x = np.column_stack([ref, hyp]).astype(float)
    n, k = x.shape
    names = ("icc_a1", "icc_a1_low", "icc_a1_high", "icc_c1", "icc_c1_low", "icc_c1_high")
    if n < 3:
        return dict.fromkeys(names)
    grand = x.mean()
    ssr = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ssc = n * ((x.mean(axis=0) - grand) ** 2).sum()
    sse = ((x - grand) ** 2).sum() - ssr - ssc
    msr, msc, mse = ssr / (n - 1), ssc / (k - 1), sse / ((n - 1) * (k - 1))
    if msr == 0 or mse <= 0:
        return dict.fromkeys(names)
    a = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    icc2 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    icc3 = (msr - mse) / (msr + (k - 1) * mse)
    f3 = msr / mse
    f3l = f3 / f.ppf(1 - a / 2, df1, df2)
    f3u = f3 * f.ppf(1 - a / 2, df2, df1)
    fj = msc / mse
    vn = df2 * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = df1 * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    f2u = f.ppf(1 - a / 2, n - 1, v)
    f2l = f.ppf(1 - a / 2, v, n - 1)
    denominator = k * msc + (k * n - k - n) * mse
    return {
        "icc_a1": _finite(icc2),
        "icc_a1_low": _finite(n * (msr - f2u * mse) / (f2u * denominator + n * msr)),
        "icc_a1_high": _finite(n * (f2l * msr - mse) / (denominator + n * f2l * msr)),
        "icc_c1": _finite(icc3),
        "icc_c1_low": _finite((f3l - 1) / (f3l + k - 1)),
        "icc_c1_high": _finite((f3u - 1) / (f3u + k - 1)),
    }


def bland_altman(ref: np.ndarray, hyp: np.ndarray) -> dict[str, float | None]:
    """Mean absolute error, bias and the 95% limits of agreement of hypothesis - reference."""
    if not len(ref):
        return dict.fromkeys(("mean_absolute_error", "bias", "loa_low", "loa_high"))
    diff = hyp.astype(float) - ref.astype(float)
    bias = float(diff.mean())
    sd = float(diff.std(ddof=1)) if len(diff) > 1 else None
    return {
        "mean_absolute_error": float(np.abs(diff).mean()),
        "bias": bias,
        "loa_low": None if sd is None else bias - 1.96 * sd,
        "loa_high": None if sd is None else bias + 1.96 * sd,
    }
