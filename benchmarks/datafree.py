"""Data-free KD on the digits teacher: real-test accuracy vs wall time.

Runs SSD-KD, the Fast-style baseline (uniform memory bank, no phi, no
priorities) and mmrazor's DAFL from their configs in ``configs/ssdkd/`` in
one process, one after the other, each for the same wall-clock training
budget (evaluation time excluded). The student learning rate follows a
cosine schedule over the *time* budget for every method, so the budgets are
comparable. Prints accuracy at each evaluation and whether SSD-KD reached
the baseline's final accuracy sooner.

    python benchmarks/datafree.py [--teacher-ckpt PATH] [--budget-s 180]

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
    p.add_argument('--budget-s', type=float, default=180.0,
                   help='training wall time per method (s)')
    p.add_argument('--eval-every-s', type=float, default=15.0)
    p.add_argument('--methods', default='ssdkd,fast,dafl')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--capacity', type=int, default=None,
                   help='override the buffer capacity (SSD-KD and Fast)')
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


def build(method, teacher_ckpt, capacity):
    cfg = Config.fromfile(osp.join(REPO, CONFIGS[method]))
    model_cfg = cfg.model
    if method == 'dafl':
        model_cfg.teachers.res20.ckpt_path = teacher_ckpt
    else:
        model_cfg.teacher_ckpt = teacher_ckpt
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


def run(method, args, teacher_ckpt, test_loader):
    torch.manual_seed(args.seed)
    cfg, model, optim = build(method, teacher_ckpt, args.capacity)
    model.train()
    arch_optim = optim['architecture'].optimizer
    base_lrs = [g['lr'] for g in arch_optim.param_groups]
    hook = PrioritySamplingHook() if method == 'ssdkd' else None
    # a batch like the config's loader gives (DAFL reads its size)
    loader_cfg = cfg.train_dataloader
    ds_cfg = dict(loader_cfg.dataset)
    ds_cfg.pop('type')
    ds = DataFreePlaceholderDataset(**ds_cfg)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        batch = pseudo_collate([ds[i] for i in range(loader_cfg.batch_size)])
    curve = [(0.0, 0, evaluate(model, test_loader))]
    print(f'[{method}] t=   0.0s it=   0 acc={curve[0][2]:.2f}', flush=True)
    train_time, it, next_eval = 0.0, 0, args.eval_every_s
    while train_time < args.budget_s:
        frac = min(1.0, train_time / args.budget_s)
        for g, lr in zip(arch_optim.param_groups, base_lrs):
            g['lr'] = 0.5 * lr * (1 + math.cos(math.pi * frac))
        t0 = time.perf_counter()
        fake_runner = SimpleNamespace(
            model=model, iter=it,
            max_iters=max(1, int(args.budget_s)))  # anneal over budget
        if hook is not None:
            # beta annealed by time fraction: iter/max_iters := frac
            fake_runner.iter, fake_runner.max_iters = int(frac * 1e6), 10**6
            hook.before_train_iter(fake_runner, it)
        model.train_step(batch, optim)
        if hook is not None:
            hook.after_train_iter(fake_runner, it)
        train_time += time.perf_counter() - t0
        it += 1
        if train_time >= next_eval or train_time >= args.budget_s:
            acc = evaluate(model, test_loader)
            curve.append((train_time, it, acc))
            print(f'[{method}] t={train_time:6.1f}s it={it:4d} '
                  f'acc={acc:.2f}', flush=True)
            next_eval += args.eval_every_s
    return curve


def time_to_reach(curve, target):
    for t, it, acc in curve:
        if acc >= target:
            return t, it
    return None


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    teacher_ckpt = ensure_teacher(args.teacher_ckpt)
    test_set = DigitsDataset(split='test', pipeline=[dict(type='PackInputs')])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        test_loader = torch.utils.data.DataLoader(
            test_set, batch_size=128, collate_fn=pseudo_collate)
        methods = [m.strip() for m in args.methods.split(',') if m.strip()]
        curves = {m: run(m, args, teacher_ckpt, test_loader) for m in methods}

    print('\n== real digits test accuracy (%) vs training wall time ==')
    for m, curve in curves.items():
        pts = ', '.join(f'{t:.0f}s:{a:.1f}' for t, _, a in curve)
        best = max(a for _, _, a in curve)
        print(f'{m:6s} iters={curve[-1][1]:4d} final={curve[-1][2]:.2f} '
              f'best={best:.2f} | {pts}')
    if 'ssdkd' in curves and 'fast' in curves:
        target = curves['fast'][-1][2]
        hit = time_to_reach(curves['ssdkd'], target)
        base_t = curves['fast'][-1][0]
        if hit is None:
            print(f'SSD-KD did NOT reach the Fast-style baseline final '
                  f'accuracy {target:.2f}% within the budget.')
        else:
            print(f'SSD-KD reached the baseline final accuracy {target:.2f}%'
                  f' after {hit[0]:.1f}s ({hit[1]} iters) vs {base_t:.1f}s '
                  f'for the baseline: {base_t / max(hit[0], 1e-9):.2f}x '
                  f'{"sooner" if hit[0] < base_t else "NOT sooner"}.')


if __name__ == '__main__':
    main()
