"""benchmarks/_stats.py: the statistics every benchmark reports."""
import math

import pytest
from _helpers import load_script

stats = load_script('benchmarks/_stats.py')


def test_summarize_sample_std():
    s = stats.summarize([1.0, 2.0, 3.0, 4.0])
    assert s['mean'] == 2.5 and s['n'] == 4
    assert s['std'] == pytest.approx(math.sqrt(5 / 3))
    assert stats.summarize([7.0])['std'] == 0.0


def test_paired_difference_interval():
    # differences 1, 2, 3: mean 2, std 1, t(2) = 4.303 -> half 4.303/sqrt(3)
    d = stats.paired_difference([11, 12, 13], [10, 10, 10])
    assert d['mean'] == 2.0
    assert d['half_width'] == pytest.approx(4.303 / math.sqrt(3))
    assert d['resolved'] is False  # interval (-0.48, 4.48) contains 0
    d = stats.paired_difference([11, 12, 13, 12, 12], [10] * 5)
    assert d['resolved'] is True
    with pytest.raises(ValueError, match='3 values vs 2'):
        stats.paired_difference([1, 2, 3], [1, 2])


def test_t_quantile_table_and_tail():
    assert stats.t_quantile_975(1) == 12.706
    assert stats.t_quantile_975(30) == 2.042
    assert stats.t_quantile_975(60) == pytest.approx(2.000, abs=2e-3)
    assert stats.t_quantile_975(10**6) == pytest.approx(1.960, abs=1e-3)
