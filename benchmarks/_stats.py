"""Statistics shared by the benchmark scripts (not a benchmark itself).

Every benchmark reports, per method, the mean and the sample standard
deviation over its runs (seeds and/or folds) and, against its baseline, the
mean *paired* difference with a two-sided 95 % confidence interval from
Student's t distribution (runs are paired by seed/fold: same data split, same
initial seed). A difference whose interval contains 0 is "no measured
difference", whatever its sign.
"""
import math
from typing import Dict, Sequence

from kd_plugins.cli.results import summarize

__all__ = ['t_quantile_975', 'summarize', 'paired_difference', 'fmt_pm']

# Two-sided 95 % critical values of Student's t, df = 1..30 (standard table).
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
         2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
         2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
         2.048, 2.045, 2.042)


def t_quantile_975(df: int) -> float:
    """0.975 quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError(f't_quantile_975: df must be >= 1, got {df}')
    if df <= len(_T975):
        return _T975[df - 1]
    # Cornish-Fisher style expansion around the normal quantile; exact to
    # 3 decimals for df > 30.
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (
        96 * df**2)


def paired_difference(values: Sequence[float],
                      baseline: Sequence[float]) -> Dict[str, float]:
    """Mean of ``values[i] - baseline[i]`` with its 95 % t interval.

    Returns a dict with ``mean``, ``std`` (of the differences), ``n``,
    ``half_width`` (of the 95 % interval; ``inf`` for one pair), ``low``,
    ``high`` and ``resolved`` (True when the interval excludes 0).
    """
    if len(values) != len(baseline):
        raise ValueError(f'paired_difference: {len(values)} values vs '
                         f'{len(baseline)} baseline values')
    diffs = [float(a) - float(b) for a, b in zip(values, baseline)]
    s = summarize(diffs)
    if s['n'] > 1:
        half = t_quantile_975(s['n'] - 1) * s['std'] / math.sqrt(s['n'])
    else:
        half = math.inf
    low, high = s['mean'] - half, s['mean'] + half
    return dict(mean=s['mean'], std=s['std'], n=s['n'], half_width=half,
                low=low, high=high, resolved=bool(low > 0 or high < 0))


def fmt_pm(stats: Dict[str, float], digits: int = 2) -> str:
    """``'mean ± std'`` for a :func:`summarize` result."""
    return f"{stats['mean']:.{digits}f} ± {stats['std']:.{digits}f}"
