"""benchmarks/evidence.py: its pure parts (pairing, statistics, the run-count
formula, planning, the resume skip, reporting); no training."""
import json
import math

import pytest
from _helpers import load_script

_harness = load_script('benchmarks/_harness.py')
_stats = load_script('benchmarks/_stats.py')
evidence = load_script('benchmarks/evidence.py')


def test_runs_needed_is_the_smallest_n_with_an_interval_at_most_1_wide():
    t = _stats.t_quantile_975
    for sd in (0.3, 0.8, 1.3, 2.1, 5.0):
        n = evidence.runs_needed(sd)
        assert 2 * t(n - 1) * sd / math.sqrt(n) <= 1.0
        if n > 2:
            assert 2 * t(n - 2) * sd / math.sqrt(n - 1) > 1.0
        # close to the brief's n ~ (2 t sd / 1)^2
        assert n == pytest.approx((2 * t(n - 1) * sd)**2, abs=1.0)
    assert evidence.runs_needed(0.0) == 2
    assert evidence.runs_needed(1.3) == 29  # (2 * 2.048 * 1.3)^2 = 28.4
    assert evidence.runs_needed(1.3, width=2.0) == 9
    with pytest.raises(ValueError):
        evidence.runs_needed(-1.0)


def test_units_are_fold_major_per_seed_and_tags_are_unique():
    assert evidence.units(5, 7) == [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0),
                                    (0, 1), (1, 1)]
    tags = {evidence.tag(k, s, f, seed)
            for k, s in evidence.unit_runs() for f, seed in
            evidence.units(5, 10)}
    assert len(tags) == len(evidence.unit_runs()) * 10


def test_reduced_data_keeps_the_full_runs_steps():
    assert evidence.schedule_epochs(5, 184) == 184   # 50 images: 1 batch
    assert evidence.schedule_epochs(10, 184) == 92   # 100: 2 batches
    assert evidence.schedule_epochs(20, 184) == 46   # 200: 4 batches


def _values(diffs, kind='tekap', base='kd', setting='pc5', metric='top1'):
    values = {}
    for i, d in enumerate(diffs):
        fold, seed = i % 5, i // 5
        values[(base, setting, fold, seed)] = {metric: 90.0 + i}
        values[(kind, setting, fold, seed)] = {metric: 90.0 + i + d}
    return values


def test_compare_pairs_by_fold_and_seed_and_reports_the_run_count():
    diffs = [1.0, 3.0, -1.0, 2.0, 0.0, 1.5]
    comp = evidence.Comparison('TeKAP - KD, 5/class', 'tekap', 'kd', 'pc5',
                               ('top1', ))
    values = _values(diffs)
    values[('kd', 'pc5', 4, 3)] = {'top1': 50.0}  # no partner: not paired
    p = evidence.compare(values, comp, 'top1')
    ref = _stats.paired_difference([d + 1 for d in diffs], [1] * 6)
    assert p['n'] == 6 and p['mean'] == pytest.approx(ref['mean'])
    assert p['width'] == pytest.approx(2 * ref['half_width'])
    assert p['runs_needed'] == evidence.runs_needed(ref['std'])
    narrow = evidence.compare(_values([1.0, 1.1, 0.9, 1.05]), comp, 'top1')
    assert narrow['width'] < 1 and narrow['runs_needed'] is None
    assert evidence.compare({}, comp, 'top1') == dict(n=0)


def test_run_values_mean_of_networks_and_per_network():
    res = dict(metrics={'net0/accuracy/top1': 96.0,
                        'net1/accuracy/top1': 98.0,
                        'best/accuracy/top1': 98.0})
    assert evidence.run_values('afd_r8vgg8', res) == dict(mean=97.0,
                                                          net0=96.0,
                                                          net1=98.0)
    assert evidence.run_values('kd', dict(metrics={'accuracy/top1': 95.5})) \
        == dict(top1=95.5)


def test_every_comparison_has_its_runs_in_a_unit():
    runs = set(evidence.unit_runs())
    comps = evidence.comparisons()
    for c in comps:
        assert (c.kind, c.setting) in runs and (c.base, c.setting) in runs
    labels = [c.label for c in comps]
    for s in ('5/class', '10/class', '20/class', 'full'):
        assert f'TeKAP - KD, {s}' in labels and f'KD - student, {s}' in labels
    assert sum(lbl.startswith('AFD') and 'DML' in lbl for lbl in labels) == 6
    assert 'TeKAP-in-AFD - AFD alt, 2 x resnet8' in labels


def test_jobs_one_teacher_per_fold_reduced_data_options(tmp_path):
    args = evidence.parse_args(['--work-dir', str(tmp_path)])
    jobs = evidence.all_jobs(args, 184, 7)  # folds 0-4 of seed 0, 0-1 of 1
    teachers = [j for j in jobs if j['kind'] == 'teacher']
    assert [(j['fold'], j['seed']) for j in teachers] == [(f, 0)
                                                          for f in range(5)]
    kd = [j for j in jobs if j['kind'] == 'kd']
    assert len(kd) == 7 * 4
    for j in kd:
        assert j['needs'] == evidence.tag('teacher', 'full', j['fold'], 0)
        assert j['kwargs']['dataset_options'] == dict(num_folds=5,
                                                      fold=j['fold'])
    pc5 = next(j for j in jobs if j['tag'] == 'tekap_pc5_s1_f0')
    opts = pc5['kwargs']['options']
    assert opts['train_dataloader.dataset.train_per_class'] == 5
    assert opts['train_cfg.max_epochs'] == 184 == pc5['iters']
    assert 'train_dataloader.dataset.train_per_class' not in next(
        j for j in jobs if j['tag'] == 'tekap_full_s1_f0')['kwargs'][
            'options']
    # the teacher never gets reduced data; the validation mode never tests
    # on the test fold
    val = evidence.parse_args(['--eval-split', 'val'])
    job = evidence.job_for('student', 'pc10', 2, 0, val, 144, None)
    assert job['kwargs']['dataset_options']['val_ratio'] == 0.2
    assert job['kwargs']['options']['test_dataloader.dataset.split'] == 'val'


def test_plan_units_fits_the_budget():
    costs = [1000.0] * 10
    # 2 workers, margin 1.1: n * 1000 * 1.1 / 2 <= 2700 -> n = 4
    assert evidence.plan_units(costs, 2700, 2) == 4
    assert evidence.plan_units(costs, 10, 2) == 1
    assert evidence.plan_units(costs, 1e9, 2) == 10


def test_calibration_entry_uses_iterations_after_the_first():
    res = dict(iterations=5, wall_s=9.0, total_wall_s=15.0,
               iter_times_s=[5.0, 1.0, 1.0, 1.0, 1.0])
    c = evidence.calibration_entry(res)
    assert c['per_iter_s'] == pytest.approx(1.0)
    assert c['overhead_s'] == pytest.approx(10.0)
    assert evidence.estimate_run_s(c, 5) == pytest.approx(15.0)
    assert evidence.estimate_run_s(c, 184) == pytest.approx(194.0)


def test_resume_skips_runs_whose_json_exists(tmp_path):
    jobs = [dict(tag='a'), dict(tag='b'), dict(tag='c')]
    (tmp_path / 'b.json').write_text(json.dumps(dict(metric=1.0)))
    todo, done = _harness.finished_runs(jobs, str(tmp_path))
    assert [j['tag'] for j in todo] == ['a', 'c']
    assert done == {'b': dict(metric=1.0)}


def test_execute_waits_for_the_teacher_and_honours_earlier_runs(tmp_path):
    args = evidence.parse_args(['--workers', '1'])
    order = []
    jobs = [dict(tag='kd', kind='kd', est_s=9.0, needs='t', kwargs={}),
            dict(tag='st', kind='student', est_s=1.0, kwargs={})]
    orig = _harness.run_config
    _harness.run_config = lambda **kw: dict(metric=0.0)
    try:
        evidence.execute(jobs, args, lambda j, r: order.append(j['tag']),
                         finished={'t'})
        assert order == ['kd', 'st']  # longest first once 't' is done
        with pytest.raises(RuntimeError, match='unsatisfiable'):
            evidence.execute([dict(jobs[0])], args, lambda j, r: None)
    finally:
        _harness.run_config = orig


def test_markdown_and_readme_splice():
    comp = dict(comparison='TeKAP - KD, 5/class', metric='top1', n=6,
                mean=0.5, low=-0.7, high=1.7, width=2.4, std=1.1,
                half_width=1.2, resolved=False, runs_needed=22)
    report = dict(
        comparisons=[comp], raw=[dict(label='KD (Hinton)', setting='pc5',
                                      metric='top1', mean=80.0, std=2.0,
                                      n=6, wall_s=30.0)],
        plan=dict(folds=5, units=6, workers=2, calibration_wall_s=60.0),
        args=dict(eval_split='test'), total_wall_s=2400.0, invocations=1,
        machine=dict(cpus=2, load_avg=(2.0, 2.0, 2.0)))
    md = evidence.markdown(report)
    assert '| TeKAP - KD, 5/class | top-1 | 6 | +0.50 [-0.70, +1.70] ' \
        '(contains 0) | 2.40 | 1.10 | 22 |' in md
    assert 'seeds [0, 1]' in md and '40.0 min' in md
    text = f'a\n{evidence.README_BEGIN}\nOLD TABLE\n{evidence.README_END}\nb\n'
    out = evidence.splice(text, md)
    assert 'OLD TABLE' not in out and md in out and out.startswith('a\n')
    assert out.endswith(f'{evidence.README_END}\nb\n')
    with pytest.raises(ValueError):
        evidence.splice('no markers', md)
