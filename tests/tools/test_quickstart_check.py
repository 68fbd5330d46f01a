"""The quickstart's "above chance" check (tools/quickstart.py)."""
import importlib.util

from _helpers import REPO_ROOT


def _quickstart():
    spec = importlib.util.spec_from_file_location(
        'quickstart', REPO_ROOT / 'tools' / 'quickstart.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_digits_rows_need_four_standard_errors_above_guessing():
    above_chance = _quickstart().above_chance
    row = dict(metric='top-1', num_test=359)
    # 10 % + 4 * sqrt(0.1 * 0.9 / 359) = 16.33 %
    assert not above_chance(dict(row, top1=16.3))
    assert above_chance(dict(row, top1=16.4))
    assert above_chance(dict(row, top1=31.48))  # SSD-KD at 10 % data scale
    # fewer test images: a wider band
    assert not above_chance(dict(row, top1=20.0, num_test=36))


def test_digitsseg_rows_need_one_and_a_half_times_background_miou():
    above_chance = _quickstart().above_chance
    assert not above_chance(dict(metric='mIoU', top1=10.4))
    assert above_chance(dict(metric='mIoU', top1=10.77))
