"""Data-free KD on the digits teacher: real-test accuracy vs training time.

Runs SSD-KD, the Fast-style baseline (uniform memory bank, no phi, no
priorities) and mmrazor's DAFL from their configs in ``configs/ssdkd/`` in
one process, interleaved in round-robin slices of ``--eval-every-s`` (so
changes in machine load hit every method alike), each for the same training
budget (evaluation time excluded) measured on the process CPU clock with
one torch thread by default (``--clock wall`` for wall time). The student
learning rate follows a cosine schedule over the time budget for every
method, so the budgets are comparable. Prints accuracy at each evaluation
and whether SSD-KD reached the baseline's final accuracy sooner.

    python benchmarks/datafree.py [--teacher-ckpt PATH] [--budget-s 120]
        [--seeds 0,1,2] [--ssdkd-options replay_buffer.alpha=0.6]

Without ``--teacher-ckpt`` the default teacher
``work_dirs/teacher_resnet20_digits/epoch_8.pth`` is used, and trained first
with ``tools/train.py configs/demo/teacher_resnet20_digits.py`` if missing.
"""
import argparse
import math
import os
import os.path as osp
import subprocess
import sys
import time
from types import SimpleNamespace

import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

import kd_plugins  # noqa: E402,F401
from mmengine.config import Config  # noqa: E402
from mmengine.dataset import pseudo_collate  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402
from mmrazor.registry import MODELS  # noqa: E402

from kd_plugins.datasets import (DataFreePlaceholderDataset,  # noqa: E402
                                 DigitsDataset)
from kd_plugins.engine.hooks import PrioritySamplingHook  # noqa: E402

CONFIGS = dict(
    ssdkd='configs/ssdkd/ssdkd_resnet20_resnet8_digits.py',
    fast='configs/ssdkd/fast_resnet20_resnet8_digits.py',
    dafl='configs/ssdkd/dafl_resnet20_resnet8_digits.py')
DEFAULT_TEACHER = 'work_dirs/teacher_resnet20_digits/epoch_8.pth'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--teacher-ckpt', default=None)
    p.add_argument('--budget-s', type=float, default=120.0,
                   help='training wall time per method (s)')
    p.add_argument('--eval-every-s', type=float, default=15.0)
    p.add_argument('--methods', default='ssdkd,fast,dafl')
    p.add_argument('--seeds', default='0,1,2',
                   help='comma-separated seeds; medians over seeds are '
                   'reported')
    p.add_argument('--threads', type=int, default=1,
                   help='torch threads (1: CPU time ~ wall time on an idle '
                   'machine and robust to other processes)')
    p.add_argument('--clock', choices=('cpu', 'wall'), default='cpu',
                   help='budget clock: process CPU time (default, robust '
                   'on a shared machine) or wall time')
    p.add_argument('--capacity', type=int, default=None,
                   help='override the buffer capacity (SSD-KD and Fast)')
    p.add_argument('--ssdkd-options', nargs='*', default=[],
                   metavar='KEY=VALUE',
                   help='overrides of the SSD-KD model config, e.g. '
                   'replay_buffer.alpha=0.6')
    return p.parse_args()


def ensure_teacher(path):
    if path:
        if not osp.isfile(path):
            sys.exit(f'datafree.py: teacher checkpoint {path!r} not found')
        return path
    path = osp.join(REPO, DEFAULT_TEACHER)
    if not osp.isfile(path):
        print(f'[teacher] {DEFAULT_TEACHER} missing: training it ...',
              flush=True)
        env = dict(os.environ, PYTHONPATH=REPO)
        subprocess.run([
            sys.executable,
            osp.join(REPO, 'tools/train.py'),
            osp.join(REPO, 'configs/demo/teacher_resnet20_digits.py'),
            '--work-dir',
            osp.join(REPO, 'work_dirs/teacher_resnet20_digits')
        ], check=True, env=env, cwd=REPO)
    return path


def build(method, teacher_ckpt, capacity, seed=0, options=()):
    cfg = Config.fromfile(osp.join(REPO, CONFIGS[method]))
    if method == 'ssdkd' and options:
        from mmengine.config import DictAction
        parsed = {}
        for opt in options:
            key, value = opt.split('=', 1)
            parsed['model.' + key] = DictAction._parse_iterable(value)
        cfg.merge_from_dict(parsed)
    model_cfg = cfg.model
    if method == 'dafl':
        model_cfg.teachers.res20.ckpt_path = teacher_ckpt
    else:
        model_cfg.teacher_ckpt = teacher_ckpt
        model_cfg.seed = seed
        if capacity:
            model_cfg.replay_buffer.capacity = capacity
    with DefaultScope.overwrite_default_scope('mmrazor'):
        model = MODELS.build(model_cfg)
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
    return cfg, model, optim


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct = total = 0
    for batch in loader:
        data = model.data_preprocessor(batch, False)
        out = model.architecture(data['inputs'], None, mode='tensor')
        labels = torch.cat([s.gt_label for s in data['data_samples']])
        correct += int((out.argmax(1) == labels).sum())
        total += len(labels)
    model.train()
    return 100.0 * correct / total


class Trainee:
    """One method's model, optimizers and accuracy curve."""

    def __init__(self, method, args, teacher_ckpt, seed):
        torch.manual_seed(seed)
        self.method = method
        self.seed = seed
        self.budget = args.budget_s
        self.clock = args.clock
        cfg, self.model, self.optim = build(method, teacher_ckpt,
                                            args.capacity, seed,
                                            args.ssdkd_options)
        self.model.train()
        self.arch_optim = self.optim['architecture'].optimizer
        self.base_lrs = [g['lr'] for g in self.arch_optim.param_groups]
        self.hook = PrioritySamplingHook() if any(
            h.get('type', '').endswith('PrioritySamplingHook')
            for h in cfg.get('custom_hooks', [])) else None
        # a batch like the config's loader gives (DAFL reads its size)
        loader_cfg = cfg.train_dataloader
        ds_cfg = dict(loader_cfg.dataset)
        ds_cfg.pop('type')
        ds = DataFreePlaceholderDataset(**ds_cfg)
        self.batch = pseudo_collate(
            [ds[i] for i in range(loader_cfg.batch_size)])
        self.train_time = self.cpu_time = 0.0
        self.it = 0
        self.curve = []  # (train wall s, train cpu s, iters, acc)

    @property
    def used(self):
        """Budget used so far, on the chosen clock."""
        return self.cpu_time if self.clock == 'cpu' else self.train_time

    @property
    def done(self):
        return self.used >= self.budget

    def step(self):
        frac = min(1.0, self.used / self.budget)
        for g, lr in zip(self.arch_optim.param_groups, self.base_lrs):
            g['lr'] = 0.5 * lr * (1 + math.cos(math.pi * frac))
        # the hook anneals beta over the time budget: iter/max_iters = frac
        runner = SimpleNamespace(
            model=self.model, iter=int(frac * 10**6), max_iters=10**6)
        t0, c0 = time.perf_counter(), time.process_time()
        if self.hook is not None:
            self.hook.before_train_iter(runner, self.it)
        self.model.train_step(self.batch, self.optim)
        if self.hook is not None:
            self.hook.after_train_iter(runner, self.it)
        self.train_time += time.perf_counter() - t0
        self.cpu_time += time.process_time() - c0
        self.it += 1

    def evaluate(self, loader):
        acc = evaluate(self.model, loader)
        self.curve.append((self.train_time, self.cpu_time, self.it, acc))
        print(f'[{self.method:5s} seed {self.seed}] '
              f'wall={self.train_time:6.1f}s '
              f'cpu={self.cpu_time:6.1f}s it={self.it:4d} acc={acc:.2f}',
              flush=True)


def run_all(methods, args, teacher_ckpt, test_loader, seed):
    """Round-robin slices of ``eval_every_s`` so machine-load changes hit
    every method alike; each method trains ``budget_s`` seconds in total."""
    trainees = [Trainee(m, args, teacher_ckpt, seed) for m in methods]
    for t in trainees:
        t.evaluate(test_loader)
    mark = 0.0
    while not all(t.done for t in trainees):
        mark += args.eval_every_s
        for t in trainees:
            while not t.done and t.used < mark:
                t.step()
            if t.curve[-1][2] != t.it:
                t.evaluate(test_loader)
    return {t.method: t.curve for t in trainees}


def time_to_reach(curve, target):
    for wall, cpu, it, acc in curve[1:]:  # not the untrained point
        if acc >= target:
            return wall, cpu, it
    return None


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    teacher_ckpt = ensure_teacher(args.teacher_ckpt)
    test_set = DigitsDataset(split='test', pipeline=[dict(type='PackInputs')])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        test_loader = torch.utils.data.DataLoader(
            test_set, batch_size=128, collate_fn=pseudo_collate)
        methods = [m.strip() for m in args.methods.split(',') if m.strip()]
        seeds = [int(x) for x in args.seeds.split(',') if x.strip()]
        runs = [run_all(methods, args, teacher_ckpt, test_loader, seed)
                for seed in seeds]
    report(runs, methods, seeds, args)


def median_curve(curves):
    """Point-wise median (time, cpu, iters, acc) over seeds."""
    n = min(len(c) for c in curves)
    return [tuple(float(torch.tensor([c[i][k] for c in curves]).median())
                  for k in range(4)) for i in range(n)]


def report(runs, methods, seeds, args):
    col = 1 if args.clock == 'cpu' else 0
    print(f'\n== real digits test top-1 (%) vs training {args.clock} time: '
          f'median over seeds {seeds} (budget {args.budget_s:.0f}s per '
          f'method, {args.threads} thread(s)) ==')
    curves = {m: median_curve([r[m] for r in runs]) for m in methods}
    for m in methods:
        curve = curves[m]
        pts = ', '.join(f'{c[col]:.0f}s:{c[3]:.1f}' for c in curve)
        finals = ', '.join(f'{r[m][-1][3]:.1f}' for r in runs)
        print(f'{m:6s} iters={curve[-1][2]:5.0f} final={curve[-1][3]:.2f} '
              f'(per seed: {finals}) | {pts}')
    if 'ssdkd' in curves and 'fast' in curves:
        target = curves['fast'][-1][3]
        hit = time_to_reach(curves['ssdkd'], target)
        base = curves['fast'][-1]
        if hit is None:
            print(f'SSD-KD did NOT reach the Fast-style baseline final '
                  f'accuracy {target:.2f}% (median) within the budget.')
        else:
            ratio = base[col] / max(hit[col], 1e-9)
            print(f'SSD-KD reached the baseline final accuracy {target:.2f}%'
                  f' (median) after {hit[1]:.1f}s cpu / {hit[0]:.1f}s wall '
                  f'({hit[2]:.0f} iters) vs {base[1]:.1f}s cpu / '
                  f'{base[0]:.1f}s wall for the baseline: {ratio:.2f}x '
                  f'{"sooner" if ratio > 1 else "NOT sooner"} '
                  f'({args.clock} clock).')


if __name__ == '__main__':
    main()
