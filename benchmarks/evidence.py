"""TeKAP and AFD where their papers claim gains: less data, mismatched pairs.

One invocation runs the whole set (issue #22) on the digits (all 1,797
images, ``--folds`` stratified folds; a run is one (fold, seed) *unit*: it
trains on the other folds and is tested on fold ``f``, 359 images):

* **Reduced data.** The student resnet8 alone, KD (Hinton) and KD + TeKAP
  (resnet20 -> resnet8, the shipped digits configs) with 5, 10 and 20
  training images per class (``DigitsDataset.train_per_class``, drawn from
  the fold's training part) and with the full training part. The test fold
  never changes. The teacher of every KD/TeKAP run is trained on the **full**
  training part of its fold (one teacher per fold, first seed), as in the
  reduced-data KD literature: only the student's data is reduced.
* **Mismatched pairs for AFD** (K = 2): DML (``model.adversarial=False``),
  AFD alternating (the paper's scheme, the default) and AFD joint on three
  pairs: 2 x resnet8 (matched, ``configs/afd/afd_resnet8x2_digits.py``),
  resnet8 + resnet20 (depth, ``afd_resnet8_resnet20_digits.py``) and resnet8
  + vgg8 (family, ``afd_resnet8_vgg8_digits.py``), same units.
* **TeKAP inside AFD:** 2 x resnet8 with ``TeKAPLogitsLoss`` as AFD's mutual
  loss (``afd_tekap_resnet8x2_digits.py``, alternating).

Reported (all fixed before any run): the final model's test top-1 (no
checkpoint or epoch selected, validation off during training); for the K = 2
runs the **mean of the two networks** and each network (net0 is resnet8 in
every pair). Paired differences (same fold, same seed; mean with two-sided
95 % Student-t interval, ``benchmarks/_stats.py``): TeKAP - KD at 5/10/20
per class and full, KD - student at each, AFD - DML (alternating and joint,
each pair), TeKAP-in-AFD - AFD. Where an interval is wider than 1 point
(``high - low > 1``), the measured standard deviation ``sd`` of the paired
differences and the run count that would bring it to 1 point are printed:
the smallest ``n`` with ``2 t_{0.975, n-1} sd / sqrt(n) <= 1``, i.e.
``n ~ (2 t sd / 1)^2`` (:func:`runs_needed`).

Budget. Before planning, every kind of run is timed by a dry run of
``CAL_ITERS`` training iterations (plus its full test) in the worker pool;
a run's time is estimated as ``overhead + per-iteration time x its
iterations``, and the planner takes the largest number of units (fold-major:
folds 0..F-1 of seed 0, then of seed 1, ...) whose estimated wall time on
``--workers`` processes fits ``--budget-min`` (default 45) after the dry
run. The plan (units, estimate) is printed at the start and stored in
``plan.json``; ``--units N`` overrides it.

Resumable: a run whose ``runs/<tag>.json`` exists is not run again (its
teacher checkpoint is kept; students' checkpoints are deleted after the
run); ``plan.json`` is reused unless ``--replan``. Outputs in ``--work-dir``:
``results.json``, ``results.md`` (``--readme`` also writes the table into
benchmarks/README.md between the ``evidence`` markers) and ``results.png``
(paired differences to each baseline with their 95 % intervals).

Hyper-parameters. Every run uses its shipped digits config unchanged (the
digits recipe: SGD lr 0.05, cosine, 8 epochs, batch 64; TeKAP M=3,
alpha=0.1, lambda=0.8, T=4; AFD's adversarial Adam 2e-5 and T=3), except:

* reduced data: the schedule keeps the full-data run's number of SGD steps
  (8 epochs x ceil(n_train / 64), 184 on 5 folds): ``max_epochs`` (and the
  cosine ``T_max``) = ceil(184 / ceil(10 p / 64)) for p images per class
  (184, 92, 46 epochs at 5, 10, 20). Eight epochs of 50 images would be 8
  SGD steps; the rule "same steps" was fixed before any run and was **not
  tuned** on any split;
* TeKAP inside AFD: the temperature stays AFD's T=3 and the clean term
  keeps weight 1 (so without noise it is AFD's own term); TeKAP's noise
  settings (M=3, alpha=0.1, lambda=0.8, std 1) unchanged; not tuned.

No setting was chosen on a test fold. ``--eval-split val`` runs the same set
with every test fold replaced by a validation split carved from its
training part (20 % of each class; the teacher then trains without it):
that, never the test folds, is where a changed setting must be chosen. In
the session that wrote this script no setting was tuned, on either split.

Examples::

    python benchmarks/evidence.py                     # the full set, <= 45 min
    python benchmarks/evidence.py --workers 2 --work-dir work_dirs/evidence
    python benchmarks/evidence.py --smoke             # tiny, end to end
    python benchmarks/evidence.py --plan-only         # dry runs, the plan
"""
import argparse
import json
import math
import os
import os.path as osp
import sys
import time
from collections import OrderedDict
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _harness import REPO_ROOT, finished_runs, run_parallel  # noqa: E402
from _stats import (fmt_pm, paired_difference, summarize,  # noqa: E402
                    t_quantile_975)

CAL_ITERS = 5  # training iterations of a dry run
EPOCHS = 8  # of the shipped digits schedule
BATCH = 64
PER_CLASS = (5, 10, 20)
FULL = 'full'


class Kind(NamedTuple):
    """One kind of run (a config plus cfg-options)."""
    label: str
    config: str
    options: Dict[str, object] = {}
    teacher: bool = False  # needs the fold's teacher checkpoint
    networks: int = 1  # 2: online distillation, one top-1 per network


_R8 = 'configs/afd/afd_resnet8x2_digits.py'
_R20 = 'configs/afd/afd_resnet8_resnet20_digits.py'
_VGG = 'configs/afd/afd_resnet8_vgg8_digits.py'
_DML = {'model.adversarial': False}
_JOINT = {'model.update': 'joint'}
PAIRS = OrderedDict([('r8r8', ('2 x resnet8', _R8)),
                     ('r8r20', ('resnet8 + resnet20', _R20)),
                     ('r8vgg8', ('resnet8 + vgg8', _VGG))])

KINDS: 'OrderedDict[str, Kind]' = OrderedDict([
    ('teacher', Kind('teacher resnet20',
                     'configs/demo/teacher_resnet20_digits.py')),
    ('student', Kind('student resnet8 alone',
                     'configs/demo/student_resnet8_digits.py')),
    ('kd', Kind('KD (Hinton)', 'configs/demo/kd_resnet20_resnet8_digits.py',
                teacher=True)),
    ('tekap', Kind('KD + TeKAP',
                   'configs/tekap/tekap_kd_resnet20_resnet8_digits.py',
                   teacher=True)),
])
for _pair, (_label, _cfg) in PAIRS.items():
    KINDS[f'dml_{_pair}'] = Kind(f'DML, {_label}', _cfg, _DML, networks=2)
    KINDS[f'afd_{_pair}'] = Kind(f'AFD alternating, {_label}', _cfg,
                                 networks=2)
    KINDS[f'afdj_{_pair}'] = Kind(f'AFD joint, {_label}', _cfg, _JOINT,
                                  networks=2)
KINDS['tekapafd_r8r8'] = Kind('AFD alternating + TeKAP mutual loss, '
                              '2 x resnet8',
                              'configs/afd/afd_tekap_resnet8x2_digits.py',
                              networks=2)

SETTINGS = tuple(f'pc{p}' for p in PER_CLASS) + (FULL, )


def setting_label(setting: str) -> str:
    return 'full' if setting == FULL else f'{setting[2:]}/class'


def unit_runs() -> List[Tuple[str, str]]:
    """(kind, setting) of every run of one unit (the teacher included)."""
    runs = [('teacher', FULL)]
    for setting in SETTINGS:
        runs += [(k, setting) for k in ('student', 'kd', 'tekap')]
    runs += [(k, FULL) for k in KINDS if KINDS[k].networks == 2]
    return runs


class Comparison(NamedTuple):
    label: str
    kind: str
    base: str
    setting: str
    metrics: Tuple[str, ...]  # 'top1' or 'mean', 'net0', 'net1'


def comparisons() -> List[Comparison]:
    """Every paired difference the script reports."""
    out = []
    for s in SETTINGS:
        out.append(Comparison(f'TeKAP - KD, {setting_label(s)}', 'tekap',
                              'kd', s, ('top1', )))
    for s in SETTINGS:
        out.append(Comparison(f'KD - student, {setting_label(s)}', 'kd',
                              'student', s, ('top1', )))
    on = ('mean', 'net0', 'net1')
    for pair, (label, _) in PAIRS.items():
        out.append(Comparison(f'AFD alt - DML, {label}', f'afd_{pair}',
                              f'dml_{pair}', FULL, on))
        out.append(Comparison(f'AFD joint - DML, {label}', f'afdj_{pair}',
                              f'dml_{pair}', FULL, on))
    out.append(Comparison('TeKAP-in-AFD - AFD alt, 2 x resnet8',
                          'tekapafd_r8r8', 'afd_r8r8', FULL, on))
    return out


# ----------------------------------------------------------- pure parts
def runs_needed(sd: float, width: float = 1.0, limit: int = 10**7) -> int:
    """Smallest n >= 2 whose 95 % t interval of a mean of n paired
    differences with standard deviation ``sd`` is at most ``width`` wide:
    ``2 t_{0.975, n-1} sd / sqrt(n) <= width`` (``n ~ (2 t sd / width)^2``).
    """
    if sd < 0 or width <= 0:
        raise ValueError(f'runs_needed: need sd >= 0, width > 0, got {sd}, '
                         f'{width}')
    if sd == 0:
        return 2
    n = max(2, math.ceil((2 * 1.959964 * sd / width)**2))  # t > z: a bound
    while n < limit:
        if 2 * t_quantile_975(n - 1) * sd / math.sqrt(n) <= width:
            return n
        n += 1
    return limit


def units(folds: int, count: int) -> List[Tuple[int, int]]:
    """The first ``count`` (fold, seed) units, fold-major per seed."""
    return [(u % folds, u // folds) for u in range(count)]


def tag(kind: str, setting: str, fold: int, seed: int) -> str:
    return f'{kind}_{setting}_s{seed}_f{fold}'


def schedule_epochs(per_class: int, full_steps: int,
                    num_classes: int = 10, batch: int = BATCH) -> int:
    """Epochs that give ``per_class`` images/class the full run's steps."""
    per_epoch = math.ceil(per_class * num_classes / batch)
    return math.ceil(full_steps / per_epoch)


def run_values(kind: str, result: dict) -> Dict[str, float]:
    """``top1`` or, for K = 2, ``mean``/``net0``/``net1`` (percent)."""
    metrics = result['metrics']
    if KINDS[kind].networks == 1:
        return dict(top1=float(metrics['accuracy/top1']))
    per = [float(metrics[f'net{k}/accuracy/top1'])
           for k in range(KINDS[kind].networks)]
    out = dict(mean=sum(per) / len(per))
    out.update({f'net{k}': v for k, v in enumerate(per)})
    return out


def compare(values: Dict[Tuple[str, str, int, int], Dict[str, float]],
            comp: Comparison, metric: str, bar: float = 1.0) -> dict:
    """Paired difference of ``comp`` on ``metric`` over the common units.

    ``values`` maps (kind, setting, fold, seed) to :func:`run_values`.
    """
    keys = sorted((f, s) for k, st, f, s in values
                  if k == comp.kind and st == comp.setting
                  and (comp.base, st, f, s) in values)
    if not keys:
        return dict(n=0)
    a = [values[(comp.kind, comp.setting, f, s)][metric] for f, s in keys]
    b = [values[(comp.base, comp.setting, f, s)][metric] for f, s in keys]
    p = paired_difference(a, b)
    p['width'] = p['high'] - p['low']
    p['units'] = keys
    p['runs_needed'] = (runs_needed(p['std'], bar)
                        if p['n'] > 1 and p['width'] > bar else None)
    return p


def calibration_entry(res: dict) -> dict:
    """``per_iter_s`` (mean iteration time after the first) and
    ``overhead_s`` (the rest of the dry run's wall time: config, Runner,
    first-iteration excess, checkpoint, test) of a dry run's result."""
    iters = max(int(res['iterations']), 1)
    times = res.get('iter_times_s') or []
    if len(times) > 1:
        per_iter = sum(times[1:]) / (len(times) - 1)
    else:
        per_iter = res['wall_s'] / iters
    return dict(per_iter_s=per_iter,
                overhead_s=max(res['total_wall_s'] - per_iter * iters, 0.0),
                iterations=iters, total_wall_s=res['total_wall_s'])


def estimate_run_s(cal: dict, iters: int) -> float:
    """A run's wall time from its kind's dry run (``overhead_s``,
    ``per_iter_s``)."""
    return cal['overhead_s'] + cal['per_iter_s'] * iters


def plan_units(cost_of_unit: Sequence[float], budget_s: float,
               workers: int, margin: float = 1.1) -> int:
    """Largest n with ``margin * sum(cost[:n]) / workers <= budget_s``
    (at least 1)."""
    total, best = 0.0, 0
    for n, c in enumerate(cost_of_unit, start=1):
        total += c
        if margin * total / workers <= budget_s:
            best = n
    return max(best, 1)


# ------------------------------------------------------------- running
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/evidence')
    parser.add_argument('--workers', type=int, default=2,
                        help='parallel processes, one torch thread each')
    parser.add_argument('--folds', type=int, default=5)
    parser.add_argument('--budget-min', type=float, default=45.0,
                        help='wall-time budget of the whole invocation')
    parser.add_argument('--units', type=int,
                        help='(fold, seed) units to run; default: planned '
                        'from the dry run to fit --budget-min')
    parser.add_argument('--max-seeds', type=int, default=4)
    parser.add_argument('--eval-split', choices=['test', 'val'],
                        default='test')
    parser.add_argument('--replan', action='store_true',
                        help='time the dry runs and plan again')
    parser.add_argument('--smoke', action='store_true',
                        help='2 iterations per run on 16 images, 2 units')
    parser.add_argument('--plan-only', action='store_true',
                        help='dry runs and plan, then stop')
    parser.add_argument('--readme', action='store_true',
                        help='write the table into benchmarks/README.md')
    return parser.parse_args(argv)


def dataset_options(args, fold: int) -> dict:
    opts = dict(num_folds=args.folds, fold=fold)
    if args.eval_split == 'val':
        opts['val_ratio'] = 0.2
    return opts


def full_steps(args) -> int:
    """SGD steps of a full-data run (8 epochs of fold 0's training part)."""
    from kd_plugins.datasets import DigitsDataset
    ds = DigitsDataset(split='train', pipeline=[],
                       **dataset_options(args, 0))
    return EPOCHS * math.ceil(len(ds) / BATCH)


def job_for(kind: str, setting: str, fold: int, seed: int, args,
            steps: int, teacher_ckpt: Optional[str]) -> dict:
    k = KINDS[kind]
    options = dict(k.options)
    if args.eval_split == 'val':
        options['test_dataloader.dataset.split'] = 'val'
    if k.teacher:
        options['model.teacher_ckpt'] = teacher_ckpt
    iters = steps
    if setting != FULL:
        p = int(setting[2:])
        options['train_dataloader.dataset.train_per_class'] = p
        epochs = schedule_epochs(p, steps)
        iters = epochs * math.ceil(10 * p / BATCH)
        if not args.smoke:
            options['train_cfg.max_epochs'] = epochs
            options['param_scheduler.T_max'] = epochs
    if args.smoke:
        iters = 2
    t = tag(kind, setting, fold, seed)
    return dict(kind=kind, setting=setting, fold=fold, seed=seed, tag=t,
                iters=iters,
                kwargs=dict(config=k.config,
                            work_dir=osp.join(args.work_dir, 'runs', t),
                            seed=seed, options=options,
                            dataset_options=dataset_options(args, fold),
                            threads=1, smoke=args.smoke))


def execute(jobs: List[dict], args, on_done, ready=None,
            finished: Optional[set] = None) -> None:
    """Run ``jobs`` on ``args.workers`` processes, teachers then longest
    first, each once its ``needs`` (a tag) is done (see
    ``_harness.run_parallel``)."""
    order = sorted(jobs, key=lambda j: (j['kind'] == 'teacher', j['est_s']),
                   reverse=True)
    run_parallel(order, args.workers, on_done, ready, finished or ())


def calibrate(args, steps: int) -> Dict[str, dict]:
    """Dry run of every kind: ``overhead_s`` and ``per_iter_s``."""
    jobs = []
    for kind in KINDS:
        job = job_for(kind, FULL, 0, 0, args, steps, None)
        job['tag'] = f'cal_{kind}'
        job['est_s'] = 1.0
        kw = job['kwargs']
        kw['work_dir'] = osp.join(args.work_dir, 'calibration', kind)
        if not args.smoke:
            kw['options'].update({
                'train_dataloader.dataset.indices': CAL_ITERS * BATCH,
                'train_cfg.max_epochs': 1, 'param_scheduler.T_max': 1})
        jobs.append(job)
    cal = {}

    def done(job, res):
        cal[job['kind']] = calibration_entry(res)
        _remove_checkpoint(res)
        c = cal[job['kind']]
        print(f"  dry run {job['kind']:<14} {c['per_iter_s']:6.3f} s/iter, "
              f"overhead {c['overhead_s']:5.1f} s", flush=True)

    execute(jobs, args, done)
    return cal


def _remove_checkpoint(res: dict) -> None:
    ckpt = res.get('checkpoint')
    if ckpt and osp.isfile(ckpt):
        os.remove(ckpt)


def all_jobs(args, steps: int, count: int) -> List[dict]:
    jobs = []
    for fold, seed in units(args.folds, count):
        for kind, setting in unit_runs():
            if kind == 'teacher' and seed != 0:
                continue  # one teacher per fold (seed 0)
            job = job_for(kind, setting, fold, seed, args, steps, None)
            if KINDS[kind].teacher:
                job['needs'] = tag('teacher', FULL, fold, 0)
            jobs.append(job)
    return jobs


def make_plan(args, steps: int) -> dict:
    path = osp.join(args.work_dir, 'plan.json')
    if osp.isfile(path) and not args.replan:
        with open(path) as f:
            plan = json.load(f)
        if args.units and args.units != plan['units']:
            plan['units'] = args.units
        print(f"plan reused from {path}: {plan['units']} units", flush=True)
        return plan
    t0 = time.perf_counter()
    print(f'dry runs: {CAL_ITERS} iterations of each of {len(KINDS)} '
          f'kinds on {args.workers} workers', flush=True)
    cal = calibrate(args, steps)
    cal_wall = time.perf_counter() - t0
    max_units = args.folds * args.max_seeds
    probe = all_jobs(args, steps, max_units)
    per_unit = [0.0] * max_units
    for job in probe:
        u = job['seed'] * args.folds + job['fold']
        per_unit[u] += estimate_run_s(cal[job['kind']], job['iters'])
    budget = args.budget_min * 60 - cal_wall
    count = args.units or (2 if args.smoke else plan_units(
        per_unit, budget, args.workers))
    plan = dict(units=count, folds=args.folds, calibration=cal,
                calibration_wall_s=cal_wall, per_unit_s=per_unit,
                budget_s=args.budget_min * 60, full_steps=steps,
                workers=args.workers)
    os.makedirs(args.work_dir, exist_ok=True)
    with open(path, 'w') as f:
        json.dump(plan, f, indent=1)
    return plan


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.folds < 2:
        sys.exit('error: --folds must be >= 2')
    start = time.perf_counter()
    runs_dir = osp.join(args.work_dir, 'runs')
    steps = full_steps(args)
    plan = make_plan(args, steps)
    count = plan['units']
    jobs = all_jobs(args, steps, count)
    cal = plan['calibration']
    for job in jobs:
        job['est_s'] = estimate_run_s(cal[job['kind']], job['iters'])
    todo, done = finished_runs(jobs, runs_dir)
    est = 1.1 * sum(j['est_s'] for j in todo) / args.workers
    seeds = sorted({s for _, s in units(args.folds, count)})
    print(f'planned: {count} units (folds {args.folds}, seeds {seeds}), '
          f'{len(jobs)} runs ({len(done)} already done), estimated '
          f'{est / 60:.1f} min wall on {args.workers} workers '
          f'(+ {plan["calibration_wall_s"] / 60:.1f} min of dry runs); '
          f'budget {args.budget_min:.0f} min', flush=True)
    if count < 3 and not args.smoke:
        print(f'warning: only {count} unit(s) fit the budget by the dry '
              'runs (a loaded machine?); intervals need >= 2, and are wide '
              'below 4 (--units N forces N)', flush=True)
    if args.plan_only:
        per_kind = {}
        for job in jobs:
            per_kind.setdefault((job['kind'], job['setting']), job['est_s'])
        for (kind, setting), est_s in per_kind.items():
            print(f'  {kind:<14} {setting_label(setting):<9} '
                  f'{est_s:6.1f} s / run (estimated)')
        print('per unit: ' + ', '.join(
            f'{c / 60:.1f}' for c in plan['per_unit_s'][:count]) + ' min')
        return 0

    by_tag = {j['tag']: j for j in jobs}
    os.makedirs(runs_dir, exist_ok=True)

    def ready(job):
        if job.get('needs'):
            teacher = done[job['needs']]
            job['kwargs']['options']['model.teacher_ckpt'] = \
                teacher['checkpoint']

    def on_done(job, res):
        if job['kind'] != 'teacher':
            _remove_checkpoint(res)
        res = dict(res, iters_planned=job['iters'])
        with open(osp.join(runs_dir, job['tag'] + '.json'), 'w') as f:
            json.dump(res, f)
        done[job['tag']] = res
        print(f"  {job['tag']:<28} {res['metric']:6.2f}  wall "
              f"{res['total_wall_s']:6.1f} s (est {job['est_s']:5.1f})",
              flush=True)

    execute(todo, args, on_done, ready, finished=set(done))
    total = time.perf_counter() - start
    values = {(by_tag[t]['kind'], by_tag[t]['setting'], by_tag[t]['fold'],
               by_tag[t]['seed']): run_values(by_tag[t]['kind'], r)
              for t, r in done.items() if t in by_tag}
    report = build_report(values, done, by_tag, args, total, plan)
    write_outputs(report, args)
    return 0


# ------------------------------------------------------------ reporting
def build_report(values, done, by_tag, args, total, plan) -> dict:
    rows = []
    for comp in comparisons():
        for metric in comp.metrics:
            p = compare(values, comp, metric)
            rows.append(dict(comparison=comp.label, metric=metric,
                             kind=comp.kind, base=comp.base,
                             setting=comp.setting, **p))
    raw = []
    for kind, setting in unit_runs():
        keys = sorted(k for k in values if k[:2] == (kind, setting))
        if not keys:
            continue
        walls = [done[tag(kind, setting, f, s)]['total_wall_s']
                 for _, _, f, s in keys]
        for metric in values[keys[0]]:
            raw.append(dict(kind=kind, label=KINDS[kind].label,
                            setting=setting, metric=metric,
                            **summarize([values[k][metric] for k in keys]),
                            wall_s=sum(walls) / len(walls)))
    invocations = [dict(wall_s=total, load_avg=os.getloadavg())]
    path = osp.join(args.work_dir, 'invocations.json')
    if osp.isfile(path):
        with open(path) as f:
            invocations = json.load(f) + invocations
    with open(path, 'w') as f:
        json.dump(invocations, f)
    return dict(args=vars(args), plan=plan, comparisons=rows, raw=raw,
                invocation_wall_s=total,
                total_wall_s=sum(i['wall_s'] for i in invocations),
                invocations=len(invocations),
                machine=dict(cpus=os.cpu_count(), load_avg=os.getloadavg()))


def _fmt_diff(r: dict) -> str:
    if r['n'] == 0:
        return 'no runs'
    if r['n'] == 1:
        return f"{r['mean']:+.2f} (n = 1, no interval)"
    verdict = '' if r['resolved'] else ' (contains 0)'
    return f"{r['mean']:+.2f} [{r['low']:+.2f}, {r['high']:+.2f}]{verdict}"


def markdown(report: dict) -> str:
    lines = [
        '| paired difference | metric | n | mean [95 % CI] (points) | CI '
        'width | sd of differences | runs for width <= 1 |',
        '|---|---|---|---|---|---|---|'
    ]
    for r in report['comparisons']:
        if r['n'] == 0:
            continue
        width = f"{r['width']:.2f}" if r['n'] > 1 else 'n/a'
        sd = f"{r['std']:.2f}" if r['n'] > 1 else 'n/a'
        need = str(r['runs_needed']) if r['runs_needed'] else (
            'met' if r['n'] > 1 else 'n/a')
        metric = dict(top1='top-1', mean='mean of networks').get(
            r['metric'], r['metric'] + ' top-1')
        lines.append(f"| {r['comparison']} | {metric} | {r['n']} | "
                     f'{_fmt_diff(r)} | {width} | {sd} | {need} |')
    lines += ['',
              '| run | data | metric | mean ± std (%) | n | wall s / run |',
              '|---|---|---|---|---|---|']
    for r in report['raw']:
        lines.append(f"| {r['label']} | {setting_label(r['setting'])} | "
                     f"{r['metric']} | {fmt_pm(r)} | {r['n']} | "
                     f"{r['wall_s']:.0f} |")
    plan = report['plan']
    seeds = sorted({s for _, s in units(plan['folds'], plan['units'])})
    lines += ['', (
        f"Units: {plan['units']} (fold, seed) pairs of {plan['folds']} "
        f"stratified folds, seeds {seeds}; evaluated on the "
        f"{report['args']['eval_split']} split; {plan['workers']} workers, "
        f"1 thread each; wall time {report['total_wall_s'] / 60:.1f} min "
        f"over {report['invocations']} invocation(s) (+ "
        f"{plan['calibration_wall_s'] / 60:.1f} min of dry runs); load "
        f"average at the end {report['machine']['load_avg'][0]:.1f} on "
        f"{report['machine']['cpus']} CPUs.")]
    return '\n'.join(lines)


def plot(report: dict, path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = [r for r in report['comparisons'] if r['n'] > 1]
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.3 * max(len(rows), 1)))
    for y, r in enumerate(rows):
        primary = r['metric'] in ('top1', 'mean')
        color = ('C2' if r['mean'] > 0 else 'C3') if r['resolved'] else 'grey'
        ax.errorbar(r['mean'], y, xerr=r['half_width'], fmt='o',
                    color=color, capsize=3, alpha=1.0 if primary else 0.45,
                    markersize=5 if primary else 3)
    ax.axvline(0, color='black', linewidth=0.8)
    labels = [r['comparison'] + ('' if r['metric'] in ('top1', 'mean')
                                 else f" ({r['metric']})") for r in rows]
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel('paired difference in test top-1 (points), 95 % t '
                  'interval; K = 2 rows: mean of networks (faint: per '
                  'network)', fontsize=8)
    ax.grid(axis='x', alpha=0.3)
    ax.set_title('TeKAP and AFD on digits: reduced data, mismatched pairs',
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches='tight')
    plt.close(fig)


README_BEGIN = '<!-- evidence:begin -->'
README_END = '<!-- evidence:end -->'


def splice(text: str, table: str) -> str:
    """``text`` with the part between the evidence markers replaced."""
    if README_BEGIN not in text or README_END not in text:
        raise ValueError('benchmarks/README.md has no evidence markers')
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    return f'{head}{README_BEGIN}\n\n{table}\n\n{README_END}{tail}'


def write_outputs(report: dict, args) -> None:
    md = markdown(report)
    print('\n' + md + '\n')
    for r in report['comparisons']:
        if r.get('runs_needed'):
            print(f"  {r['comparison']} ({r['metric']}): interval width "
                  f"{r['width']:.2f} > 1 point; measured sd "
                  f"{r['std']:.2f} over n = {r['n']}: about "
                  f"{r['runs_needed']} paired runs would bring it to 1")
    print(f"benchmark time: {report['total_wall_s'] / 60:.1f} min wall "
          f"({args.workers} workers)", flush=True)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(report, f, indent=1, default=str)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(md + '\n')
    plot(report, osp.join(args.work_dir, 'results.png'))
    if args.readme:
        path = osp.join(REPO_ROOT, 'benchmarks', 'README.md')
        with open(path) as f:
            text = f.read()
        with open(path, 'w') as f:
            f.write(splice(text, md))
    print(f'wrote {args.work_dir}/results.json, results.md, results.png'
          + (' and benchmarks/README.md' if args.readme else ''))


if __name__ == '__main__':
    sys.exit(main())
