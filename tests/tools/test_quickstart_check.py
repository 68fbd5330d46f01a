"""The quickstart's "above chance" check (tools/quickstart.py)."""
from _helpers import load_script


def _above_chance():
    return load_script('tools/quickstart.py', '_kd_quickstart').above_chance


def test_digits_rows_need_four_standard_errors_above_guessing():
    above_chance = _above_chance()
    row = dict(metric='top-1', num_test=359)
    # 10 % + 4 * sqrt(0.1 * 0.9 / 359) = 16.33 %
    assert not above_chance(dict(row, top1=16.3))
    assert above_chance(dict(row, top1=16.4))
    assert above_chance(dict(row, top1=31.48))  # SSD-KD at 10 % data scale
    # fewer test images: a wider band
    assert not above_chance(dict(row, top1=20.0, num_test=36))


def test_digitsseg_rows_need_one_and_a_half_times_background_miou():
    above_chance = _above_chance()
    assert not above_chance(dict(metric='mIoU', top1=10.4))
    assert above_chance(dict(metric='mIoU', top1=10.77))
