"""Reading a run's result: its headline metric and a mean over seeds.

Shared by ``tools/quickstart.py`` and the benchmark scripts, so the demo and
the benchmarks report the same number the same way.
"""
import math
from typing import Dict, Sequence

__all__ = ['primary_metric', 'summarize']


def primary_metric(metrics: Dict[str, float]) -> float:
    """Top-1 (best network for online distillation) or mIoU, in percent."""
    for key in ('best/accuracy/top1', 'accuracy/top1', 'mIoU'):
        if key in metrics:
            return float(metrics[key])
    found = [v for k, v in metrics.items()
             if k.endswith('accuracy/top1') and not k.startswith('teacher')]
    if not found:
        raise KeyError(f'no top-1 or mIoU in metrics {sorted(metrics)}')
    return float(max(found))


def summarize(values: Sequence[float]) -> Dict[str, float]:
    """Mean, sample standard deviation (0 for one value) and count."""
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        raise ValueError('summarize: no values')
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean)**2 for v in values) /
                    (n - 1)) if n > 1 else 0.0
    return dict(mean=mean, std=std, n=n)
