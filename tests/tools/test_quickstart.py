"""tools/quickstart.py end to end in smoke mode (2 iterations a method)."""
import json

import pytest
from _helpers import run_tool

pytestmark = pytest.mark.e2e


def test_quickstart_smoke_runs_every_method(tmp_path):
    proc = run_tool('quickstart.py', '--smoke', '--work-dir', tmp_path,
                    timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((tmp_path / 'results.json').read_text())
    assert results['smoke'] is True
    methods = [r['method'] for r in results['results']]
    assert methods == ['teacher', 'student', 'kd', 'tekap', 'afd', 'ssdkd',
                       'seg_teacher', 'seg_student', 'seg_ssdkd']
    assert [r['metric'] for r in results['results']] == ['top-1'] * 6 + [
        'mIoU'] * 3
    for row in results['results']:
        assert 0.0 <= row['top1'] <= 100.0
        assert row['train_time_s'] > 0 and row['images_per_s'] > 0
    assert (tmp_path / 'results.png').stat().st_size > 1000
    assert 'mean (%)' in proc.stdout and 'mIoU' in proc.stdout
    assert 'total time:' in proc.stdout
    # the data-free run used the quickstart's own teacher
    assert results['results'][-1]['iterations'] >= 1
