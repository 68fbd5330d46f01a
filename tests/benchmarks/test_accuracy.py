"""benchmarks/accuracy.py and _harness.py: job planning, pairing, reporting,
and one real (tiny) run through the harness."""
from pathlib import Path

import pytest
from _helpers import load_script

# _harness first: accuracy.py imports it by name and gets this module
_harness = load_script('benchmarks/_harness.py')
accuracy = load_script('benchmarks/accuracy.py')
primary_metric, run_config = _harness.primary_metric, _harness.run_config


def test_wanted_methods_pull_in_baselines_and_teachers():
    assert accuracy.wanted_methods(['tekap']) == ['teacher', 'student', 'kd',
                                                  'tekap']
    assert accuracy.wanted_methods(['seg_ssdkd']) == [
        'seg_teacher', 'seg_student', 'seg_dfad', 'seg_ssdkd']
    assert accuracy.wanted_methods(None) == list(accuracy.METHODS)


def test_jobs_cover_every_fold_and_seed_with_the_fold_teacher(tmp_path):
    args = accuracy.parse_args(['--folds', '3', '--seeds', '0', '1',
                                '--work-dir', str(tmp_path)])
    teachers = accuracy.make_jobs(['teacher', 'seg_teacher'], args, {})
    # one teacher per fold (first seed only), one segmentation teacher
    assert [(j['method'], j['fold'], j['seed']) for j in teachers] == [
        ('teacher', 0, 0), ('teacher', 1, 0), ('teacher', 2, 0),
        ('seg_teacher', None, 0)]
    ckpts = {('teacher', f): f'T{f}.pth' for f in range(3)}
    jobs = accuracy.make_jobs(['kd', 'afd'], args, ckpts)
    assert len(jobs) == 12
    kd = [j for j in jobs if j['method'] == 'kd']
    for j in kd:
        kw = j['kwargs']
        assert kw['dataset_options'] == dict(num_folds=3, fold=j['fold'])
        assert kw['options']['model.teacher_ckpt'] == f'T{j["fold"]}.pth'
        assert kw['seed'] == j['seed']
    afd = [j for j in jobs if j['method'] == 'afd']
    assert all(j['kwargs']['metric_key'] == 'net0/accuracy/top1'
               for j in afd)
    # the validation mode never touches the test folds
    val = accuracy.parse_args(['--eval-split', 'val', '--train-per-class',
                               '5', '--work-dir', str(tmp_path)])
    job = accuracy.make_jobs(['student'], val, {})[0]['kwargs']
    assert job['dataset_options']['val_ratio'] == 0.2
    assert job['options']['test_dataloader.dataset.split'] == 'val'
    assert job['options']['train_dataloader.dataset.train_per_class'] == 5


def _run(method, fold, seed, value):
    return dict(method=method, fold=fold, seed=seed,
                result=dict(metric=value, wall_s=2.0, cpu_s=1.0))


def test_summary_pairs_runs_by_fold_and_seed():
    base = [90.0, 92.0, 91.0, 93.0]
    diff = [1.0, 1.5, 0.5, 1.0]
    runs = []
    for i, (b, d) in enumerate(zip(base, diff)):
        fold, seed = i % 2, i // 2
        runs += [_run('teacher', fold, seed, 99.0),
                 _run('student', fold, seed, b),
                 _run('kd', fold, seed, b + d)]
    # listed out of order on purpose: pairing is by (fold, seed)
    runs.reverse()
    table = accuracy.summarize_runs(runs, ['teacher', 'student', 'kd'])
    p = table['kd']['paired']
    assert p['n'] == 4 and p['mean'] == pytest.approx(1.0)
    assert p['resolved'] and 0 < p['half_width'] < 1.0
    assert table['student']['summary']['mean'] == pytest.approx(91.5)
    args = accuracy.parse_args(['--folds', '2', '--seeds', '0', '1'])
    md = accuracy.markdown(table, args, 60.0)
    assert '+1.00 [' in md and 'Teacher-student gap' in md
    assert '+7.50 points' in md  # 99 - 91.5


def test_markdown_states_the_data_free_to_real_ratio():
    runs = []
    for seed, (st, dfad, ss) in enumerate([(20.0, 10.0, 15.0),
                                           (22.0, 11.0, 16.0)]):
        runs += [_run('seg_teacher', None, seed, 40.0),
                 _run('seg_student', None, seed, st),
                 _run('seg_dfad', None, seed, dfad),
                 _run('seg_ssdkd', None, seed, ss)]
    names = ['seg_teacher', 'seg_student', 'seg_dfad', 'seg_ssdkd']
    table = accuracy.summarize_runs(runs, names)
    # SSD-KD is paired with DFAD: +5.0 on both seeds
    assert table['seg_ssdkd']['baseline'] == 'seg_dfad'
    assert table['seg_ssdkd']['paired']['mean'] == pytest.approx(5.0)
    md = accuracy.markdown(table, accuracy.parse_args([]), 60.0)
    assert '(mean mIoU): 74 %' in md  # 15.5 / 21


def test_primary_metric_prefers_the_fixed_keys():
    assert primary_metric({'accuracy/top1': 90.0}) == 90.0
    assert primary_metric({'mIoU': 40.0, 'aAcc': 90.0}) == 40.0
    with pytest.raises(KeyError):
        primary_metric({'loss': 1.0})


def test_run_config_trains_and_tests_one_fold(tmp_path):
    res = run_config('configs/demo/student_resnet8_digits.py',
                     str(tmp_path / 'w'), seed=1, smoke=True,
                     dataset_options=dict(num_folds=4, fold=3))
    assert 0.0 <= res['metric'] <= 100.0
    assert res['metrics']['accuracy/top1'] == res['metric']
    assert res['iterations'] == 2 and res['cpu_s'] > 0 and res['wall_s'] > 0
    assert res['checkpoint'].endswith('epoch_1.pth')
    assert Path(res['checkpoint']).is_file()
