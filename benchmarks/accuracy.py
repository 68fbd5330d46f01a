"""Accuracy of every method over stratified folds and seeds, with paired CIs.

Classification (digits, resnet20 teacher -> resnet8 student): the 1,797
digits are split into ``--folds`` stratified folds; for fold ``f`` every
method trains on the other folds (a fresh teacher per fold) and is tested on
fold ``f``, so over the folds every image is a test image exactly once.
Each fold runs once per seed in ``--seeds``. Segmentation (DigitsSeg,
DeepLabV3-style teacher -> smaller student) runs once per seed on its
fixed train/test canvases.

Runs are paired by (fold, seed): same split, same seed. Per method the
script reports mean ± sample std of the test metric over its runs and the
mean paired difference to its baseline with a two-sided 95 % t interval
(``benchmarks/_stats.py``). The reported metric is fixed before any run:
top-1 of the final model (no epoch or checkpoint selection) and, for online
distillation (DML, AFD), network 0 (picking the better network on the test
fold would be a test-set choice). ``--eval-split val`` replaces every test
fold by a validation split carved from its training part (20 % of each
class): use it, never the test folds, to choose any setting.

Methods live in :data:`METHODS`: one line adds one (name -> label, config,
cfg-options, baseline, teacher).

Examples:
    python benchmarks/accuracy.py                       # full: ~30 min
    python benchmarks/accuracy.py --only student kd tekap --folds 5
    python benchmarks/accuracy.py --smoke --folds 2     # tiny, for tests
    python benchmarks/accuracy.py --train-per-class 20  # few-shot variant
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from collections import OrderedDict
from typing import Dict, List, NamedTuple, Optional

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _harness import finished_runs, run_parallel  # noqa: E402
from _stats import fmt_pm, paired_difference, summarize  # noqa: E402


class Method(NamedTuple):
    """One row of the benchmark."""
    label: str
    config: str
    task: str  # 'digits' (folds x seeds) or 'digitsseg' (seeds)
    options: Dict[str, object] = {}
    baseline: Optional[str] = None
    teacher: Optional[str] = None  # method whose checkpoint is the teacher
    metric: Optional[str] = None  # test metric key; None: top-1 / mIoU
    cost: float = 1.0  # relative CPU cost, only to schedule long jobs first


_AFD = 'configs/afd/afd_resnet8x2_digits.py'
METHODS: 'OrderedDict[str, Method]' = OrderedDict([
    ('teacher', Method('teacher resnet20',
                       'configs/demo/teacher_resnet20_digits.py', 'digits',
                       cost=45)),
    ('student', Method('student resnet8 alone',
                       'configs/demo/student_resnet8_digits.py', 'digits',
                       cost=21)),
    ('kd', Method('KD (Hinton)', 'configs/demo/kd_resnet20_resnet8_digits.py',
                  'digits', baseline='student', teacher='teacher', cost=37)),
    ('tekap', Method('KD + TeKAP',
                     'configs/tekap/tekap_kd_resnet20_resnet8_digits.py',
                     'digits', baseline='kd', teacher='teacher', cost=35)),
    ('dml', Method('DML, 2 x resnet8 (net 0)', _AFD, 'digits',
                   {'model.adversarial': False}, baseline='student',
                   metric='net0/accuracy/top1', cost=38)),
    ('afd', Method('AFD alternating, 2 x resnet8 (net 0)', _AFD, 'digits',
                   baseline='dml', metric='net0/accuracy/top1', cost=80)),
    ('afd_joint', Method('AFD joint, 2 x resnet8 (net 0)', _AFD, 'digits',
                         {'model.update': 'joint'}, baseline='dml',
                         metric='net0/accuracy/top1', cost=42)),
    ('fast', Method('Fast-2 data-free',
                    'configs/ssdkd/fast2_resnet20_resnet8_digits.py',
                    'digits', baseline='student', teacher='teacher',
                    cost=120)),
    ('ssdkd', Method('SSD-KD data-free',
                     'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py',
                     'digits', baseline='fast', teacher='teacher',
                     cost=150)),
    ('seg_teacher', Method('DigitsSeg teacher DeepLabV3 R18/4',
                           'configs/demo/deeplabv3_r18_digitsseg.py',
                           'digitsseg', cost=175)),
    ('seg_student', Method('DigitsSeg student R18/8 alone',
                           'configs/demo/student_deeplabv3_r18w8_digitsseg.py',
                           'digitsseg', cost=113)),
    ('seg_dfad', Method('DigitsSeg DFAD data-free',
                        'configs/ssdkd/dfad_deeplabv3_digitsseg.py',
                        'digitsseg', baseline='seg_student',
                        teacher='seg_teacher', cost=200)),
    ('seg_ssdkd', Method('DigitsSeg SSD-KD data-free',
                         'configs/ssdkd/ssdkd_deeplabv3_digitsseg.py',
                         'digitsseg', baseline='seg_dfad',
                         teacher='seg_teacher', cost=200)),
])


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/accuracy')
    parser.add_argument('--only', nargs='+', choices=list(METHODS),
                        help='these methods (and their baselines/teachers)')
    parser.add_argument('--folds', type=int, default=5,
                        help='stratified folds of the 1797 digits')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--seg-seeds', type=int, nargs='+', default=[0],
                        help='seeds of the segmentation rows')
    parser.add_argument('--workers', type=int, default=2,
                        help='parallel processes, one thread each')
    parser.add_argument('--eval-split', choices=['test', 'val'],
                        default='test',
                        help="'val': test on a validation split carved from "
                        'each training part (for choosing settings)')
    parser.add_argument('--train-per-class', type=int,
                        help='harder variant: students (not the teacher) '
                        'train on this many images per class')
    parser.add_argument('--smoke', action='store_true',
                        help='2 iterations per run on tiny subsets (tests)')
    parser.add_argument('--resume', action='store_true',
                        help='reuse finished runs found in the work dir')
    return parser.parse_args(argv)


def wanted_methods(only: Optional[List[str]]) -> List[str]:
    """``only`` plus, recursively, the baselines and teachers it needs."""
    names = set(only or METHODS)
    changed = True
    while changed:
        changed = False
        for name in list(names):
            m = METHODS[name]
            for dep in (m.baseline, m.teacher):
                if dep and dep not in names:
                    names.add(dep)
                    changed = True
    return [n for n in METHODS if n in names]


def make_jobs(names: List[str], args, teacher_ckpts: Dict) -> List[dict]:
    """Jobs of the methods ``names`` (their teachers must be done)."""
    jobs = []
    for name in names:
        m = METHODS[name]
        units = ([(f, s) for s in args.seeds for f in range(args.folds)]
                 if m.task == 'digits' else [(None, s)
                                             for s in args.seg_seeds])
        if name in ('teacher', 'seg_teacher'):  # one teacher per fold
            units = [(f, s) for f, s in units if s == units[0][1]]
        for fold, seed in units:
            options = dict(m.options)
            if m.teacher:
                options['model.teacher_ckpt'] = teacher_ckpts[(m.teacher,
                                                               fold)]
            dataset_options = None
            if m.task == 'digits':
                dataset_options = dict(num_folds=args.folds, fold=fold)
                if args.eval_split == 'val':
                    dataset_options['val_ratio'] = 0.2
                    options['test_dataloader.dataset.split'] = 'val'
                if args.train_per_class and not name.endswith('teacher'):
                    options['train_dataloader.dataset.train_per_class'] = \
                        args.train_per_class
            tag = f'{name}_s{seed}' + ('' if fold is None else f'_f{fold}')
            jobs.append(dict(
                method=name, fold=fold, seed=seed, tag=tag, cost=m.cost,
                kwargs=dict(
                    config=m.config,
                    work_dir=osp.join(args.work_dir, 'runs', tag),
                    seed=seed, options=options,
                    dataset_options=dataset_options, metric_key=m.metric,
                    smoke=args.smoke)))
    return jobs


def run_jobs(jobs: List[dict], args) -> List[dict]:
    """Run (or, with --resume, reload) jobs, longest first."""
    todo, done = list(jobs), []
    if args.resume:
        todo, results = finished_runs(jobs, osp.join(args.work_dir, 'runs'))
        done = [dict(j, result=results[j['tag']]) for j in jobs
                if j['tag'] in results]
    todo.sort(key=lambda j: -j['cost'])

    def save(job, res):
        os.makedirs(osp.join(args.work_dir, 'runs'), exist_ok=True)
        with open(osp.join(args.work_dir, 'runs', job['tag'] + '.json'),
                  'w') as f:
            json.dump(res, f)
        print(f'  {job["tag"]:<22} {res["metric"]:6.2f}  '
              f'wall {res["wall_s"]:6.1f} s  cpu {res["cpu_s"]:6.1f} s',
              flush=True)

    return done + run_parallel(todo, args.workers, on_done=save)


def summarize_runs(runs: List[dict], names: List[str]) -> 'OrderedDict':
    """Per method: values keyed by (fold, seed), summary, paired diff."""
    by_method = OrderedDict((n, {}) for n in names)
    for r in runs:
        by_method[r['method']][(r['fold'], r['seed'])] = r['result']
    table = OrderedDict()
    for name, res in by_method.items():
        m = METHODS[name]
        keys = sorted(res, key=lambda k: (k[1], -1 if k[0] is None else k[0]))
        values = [res[k]['metric'] for k in keys]
        row = dict(label=m.label, task=m.task, config=m.config,
                   options=m.options,
                   metric='mIoU' if m.task == 'digitsseg' else (
                       'top-1' + (' (net 0)' if m.metric else '')),
                   runs=[dict(fold=k[0], seed=k[1], value=res[k]['metric'],
                              wall_s=res[k]['wall_s'], cpu_s=res[k]['cpu_s'])
                         for k in keys],
                   summary=summarize(values),
                   wall_s=sum(res[k]['wall_s'] for k in keys),
                   cpu_s=sum(res[k]['cpu_s'] for k in keys))
        if m.baseline:
            base = by_method[m.baseline]
            common = [k for k in keys if k in base]
            if common:
                row['baseline'] = m.baseline
                row['paired'] = paired_difference(
                    [res[k]['metric'] for k in common],
                    [base[k]['metric'] for k in common])
        table[name] = row
    return table


def markdown(table: 'OrderedDict', args, total_wall: float) -> str:
    """The results as a markdown table with the teacher-student gaps."""
    lines = [
        '| method | metric | mean ± std (%) | n | vs baseline | paired '
        'difference [95 % CI] | CI half-width | CPU s / run |',
        '|---|---|---|---|---|---|---|---|'
    ]
    for name, row in table.items():
        s = row['summary']
        diff, base, half = '', '', ''
        if 'paired' in row:
            p = row['paired']
            base = METHODS[row['baseline']].label
            verdict = '' if p['resolved'] else ' (no measured difference)'
            diff = (f"{p['mean']:+.2f} [{p['low']:+.2f}, {p['high']:+.2f}]"
                    f'{verdict}')
            half = f"{p['half_width']:.2f}" if s['n'] > 1 else 'n/a'
        lines.append(
            f"| {row['label']} | {row['metric']} | {fmt_pm(s)} | {s['n']} | "
            f"{base} | {diff} | {half} | {row['cpu_s'] / s['n']:.0f} |")
    gaps = []
    for t, st in (('teacher', 'student'), ('seg_teacher', 'seg_student')):
        if t in table and st in table:
            gap = table[t]['summary']['mean'] - table[st]['summary']['mean']
            gaps.append(f"{table[t]['label']} - {table[st]['label']}: "
                        f'{gap:+.2f} points')
    lines.append('')
    if gaps:
        lines.append('Teacher-student gap: ' + '; '.join(gaps) + '.')
    if 'seg_ssdkd' in table and 'seg_student' in table:
        ratio = (table['seg_ssdkd']['summary']['mean'] /
                 table['seg_student']['summary']['mean'])
        lines.append(f"{table['seg_ssdkd']['label']} / "
                     f"{table['seg_student']['label']} (mean mIoU): "
                     f'{100 * ratio:.0f} %.')
    lines.append(
        f'Folds: {args.folds} (stratified, all 1797 digits, each tested '
        f'once), seeds {args.seeds} (digits), {args.seg_seeds} (DigitsSeg); '
        f'evaluated on the {args.eval_split} split'
        + (f'; students trained on {args.train_per_class} images/class'
           if args.train_per_class else '') +
        f'; total wall time {total_wall / 60:.1f} min with {args.workers} '
        'worker processes.')
    return '\n'.join(lines)


def plot(table: 'OrderedDict', path: str) -> None:
    """Left: mean ± std per method; right: paired differences with CIs."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    tasks = [(t, title) for t, title in (
        ('digits', 'digits top-1 (%)'), ('digitsseg', 'DigitsSeg mIoU (%)'))
        if any(r['task'] == t for r in table.values())]
    heights = [sum(r['task'] == t for r in table.values()) for t, _ in tasks]
    heights.append(sum('paired' in r for r in table.values()))
    fig, axes = plt.subplots(
        len(heights), 1, figsize=(8, 1.2 + 0.42 * sum(heights)),
        gridspec_kw=dict(height_ratios=heights))
    for ax, (task, title) in zip(axes, tasks):
        rows = [(n, r) for n, r in table.items() if r['task'] == task]
        ys = list(range(len(rows)))
        for y, (n, r) in zip(ys, rows):
            vals = [run['value'] for run in r['runs']]
            ax.scatter(vals, [y] * len(vals), s=10, color='grey', alpha=0.5,
                       zorder=2)
            ax.errorbar(r['summary']['mean'], y, xerr=r['summary']['std'],
                        fmt='o', color='C0', capsize=3, zorder=3)
        ax.set_yticks(ys, [r['label'] for _, r in rows], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(title + ': mean ± std (dots: runs)')
        ax.grid(axis='x', alpha=0.3)
        chance = '10 %' if task == 'digits' else 'predicting background ' \
            'everywhere: ~7 %'
        ax.annotate(f'chance: {chance}', xy=(0.01, 0.03),
                    xycoords='axes fraction', fontsize=7, color='grey')
    ax = axes[-1]
    rows = [(n, r) for n, r in table.items() if 'paired' in r]
    for y, (n, r) in enumerate(rows):
        p = r['paired']
        color = 'C2' if p['resolved'] and p['mean'] > 0 else (
            'C3' if p['resolved'] else 'grey')
        ax.errorbar(p['mean'], y, xerr=p['half_width'] if p['n'] > 1 else 0,
                    fmt='o', color=color, capsize=3)
    ax.axvline(0, color='black', linewidth=0.8)
    ax.set_yticks(range(len(rows)),
                  [f"{r['label']} - {METHODS[r['baseline']].label}"
                   for _, r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel('paired difference (points), 95 % t interval')
    ax.grid(axis='x', alpha=0.3)
    fig.suptitle('kd_plugins accuracy benchmark', fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches='tight')
    plt.close(fig)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.folds < 2:
        sys.exit('error: --folds must be >= 2')
    start = time.perf_counter()
    names = wanted_methods(args.only)
    teachers = [n for n in names if n.endswith('teacher')]
    others = [n for n in names if n not in teachers]
    print(f'methods: {", ".join(names)}; folds {args.folds}, seeds '
          f'{args.seeds}, seg seeds {args.seg_seeds}', flush=True)
    # Phase 1: the teachers still to train, together with every method
    # whose teacher is not needed or already trained (--resume); phase 2:
    # the rest, with the new teachers' checkpoints.
    teacher_jobs = make_jobs(teachers, args, {})
    ckpts = {}
    for job in teacher_jobs:
        path = osp.join(args.work_dir, 'runs', job['tag'] + '.json')
        if args.resume and osp.isfile(path):
            with open(path) as f:
                ckpts[(job['method'], job['fold'])] = json.load(f)[
                    'checkpoint']
    trained = {t for t in teachers
               if all((j['method'], j['fold']) in ckpts
                      for j in teacher_jobs if j['method'] == t)}
    ready = [n for n in others
             if METHODS[n].teacher is None or METHODS[n].teacher in trained]
    later = [n for n in others if n not in ready]
    runs = run_jobs(teacher_jobs + make_jobs(ready, args, ckpts), args)
    ckpts.update({(r['method'], r['fold']): r['result']['checkpoint']
                  for r in runs if r['method'] in teachers})
    runs += run_jobs(make_jobs(later, args, ckpts), args)
    total = time.perf_counter() - start
    timing = osp.join(args.work_dir, 'invocations.json')
    previous = []
    if args.resume and osp.isfile(timing):
        with open(timing) as f:
            previous = json.load(f)
    os.makedirs(args.work_dir, exist_ok=True)
    with open(timing, 'w') as f:
        json.dump(previous + [dict(only=args.only, wall_s=total,
                                   load_avg=os.getloadavg())], f)
    if previous:
        print(f'this invocation: {total / 60:.1f} min; earlier ones '
              f'(--resume): {sum(p["wall_s"] for p in previous) / 60:.1f} '
              'min')
        total += sum(p['wall_s'] for p in previous)
    table = summarize_runs(runs, names)
    md = markdown(table, args, total)
    print('\n' + md + '\n')
    cpu = sum(r['cpu_s'] for r in table.values())
    print(f'benchmark time: {total / 60:.1f} min wall, {cpu / 60:.1f} '
          f'CPU-min of training ({args.workers} workers)')
    os.makedirs(args.work_dir, exist_ok=True)
    out = dict(
        args=vars(args), total_wall_s=total, training_cpu_s=cpu,
        machine=dict(cpus=os.cpu_count(), load_avg=os.getloadavg()),
        methods=table)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(out, f, indent=1, default=str)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(md + '\n')
    plot(table, osp.join(args.work_dir, 'results.png'))
    print(f'wrote {args.work_dir}/results.json, results.md, results.png')
    return 0


if __name__ == '__main__':
    sys.exit(main())
