# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Quickstart: every method of kd_plugins on the embedded digits data.

Trains, through the real mmengine Runner and the shipped configs:

1. the teacher (resnet20),
2. the student (resnet8) alone,
3. plain KD (mmrazor SingleTeacherDistill + KLDivergence),
4. KD + TeKAP,
5. AFD: two resnet8 trained online together (no teacher),
6. SSD-KD: data-free, the student never sees a real training image,

then prints a table (student top-1 on the real digits test split, wall time,
training images/s) and writes ``results.json`` and ``results.png`` to the
work dir. Takes a few minutes on 2 CPU cores.

Examples:
    python tools/quickstart.py
    python tools/quickstart.py --only teacher kd tekap
    python tools/quickstart.py --smoke   # 2 iterations per method (tests)
"""
import argparse
import json
import logging
import os.path as osp
import sys
import time
from typing import Dict, List, Optional

import kd_plugins.utils  # compat layer + registries, before mmrazor
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import Runner

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CHANCE = 10.0  # percent, 10 digit classes

# name, label, config, needs the teacher checkpoint
STEPS = [
    ('teacher', 'teacher resnet20', 'configs/demo/teacher_resnet20_digits.py',
     False),
    ('student', 'student resnet8 alone',
     'configs/demo/student_resnet8_digits.py', False),
    ('kd', 'KD (Hinton)', 'configs/demo/kd_resnet20_resnet8_digits.py', True),
    ('tekap', 'KD + TeKAP', 'configs/tekap/tekap_kd_resnet20_resnet8_digits.py',
     True),
    ('afd', 'AFD, 2 x resnet8 online', 'configs/afd/afd_resnet8x2_digits.py',
     False),
    ('ssdkd', 'SSD-KD, data-free',
     'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py', True),
]
SMOKE_OPTIONS = {
    'train_dataloader.dataset.indices': 16,
    'train_dataloader.batch_size': 8,
    'val_dataloader.dataset.indices': 16,
    'test_dataloader.dataset.indices': 32,
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--work-dir', default='work_dirs/quickstart', help='output folder')
    parser.add_argument(
        '--only',
        nargs='+',
        choices=[s[0] for s in STEPS],
        help='run only these steps (the teacher is trained when needed)')
    parser.add_argument(
        '--smoke',
        action='store_true',
        help='2 training iterations per method on tiny subsets (tests)')
    parser.add_argument(
        '--teacher-ckpt',
        help='reuse this digits teacher checkpoint instead of training one')
    return parser.parse_args(argv)


def top1(metrics: Dict[str, float]) -> float:
    """The student's top-1 (for online distillation: the best network)."""
    for key in ('best/accuracy/top1', 'accuracy/top1'):
        if key in metrics:
            return float(metrics[key])
    found = [v for k, v in metrics.items() if k.endswith('accuracy/top1')
             and not k.startswith('teacher')]
    if not found:
        raise KeyError(f'no top-1 accuracy in metrics {sorted(metrics)}')
    return float(max(found))


def train_images_per_iter(cfg: Config, runner: Runner) -> int:
    """Images one training iteration consumes (synthetic ones for SSD-KD)."""
    model = runner.model.module if hasattr(runner.model,
                                           'module') else runner.model
    per_iter = getattr(model, 'images_per_iter', None)
    if per_iter is not None:
        return int(per_iter)
    return int(cfg.train_dataloader.batch_size)


def run_step(name: str, label: str, config: str, work_dir: str,
             options: dict, smoke: bool) -> dict:
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    opts = dict(SMOKE_OPTIONS) if smoke else {}
    if smoke:
        opts['train_cfg.max_epochs'] = 1
    opts.update(options)
    cfg.merge_from_dict(opts)
    cfg.work_dir = osp.join(work_dir, name)
    cfg.log_level = 'WARNING'
    cfg.default_hooks.logger.interval = 10**6
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='mmrazor.ProgressBarHook', desc=f'{label:<26}')
    ]
    cfg.launcher = 'none'
    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    train_time = time.perf_counter() - start
    metrics = runner.test()
    images = runner.iter * train_images_per_iter(cfg, runner)
    ckpt = osp.join(cfg.work_dir, f'epoch_{runner.epoch}.pth')
    return dict(
        method=name,
        label=label,
        config=config,
        top1=round(top1(metrics), 2),
        train_time_s=round(train_time, 1),
        images_per_s=round(images / train_time, 1),
        iterations=runner.iter,
        checkpoint=ckpt)


def print_table(rows: List[dict]) -> None:
    header = f'{"method":<28}{"top-1 (%)":>10}{"time (s)":>10}{"img/s":>9}'
    print('\n' + header)
    print('-' * len(header))
    for r in rows:
        print(f'{r["label"]:<28}{r["top1"]:>10.2f}{r["train_time_s"]:>10.1f}'
              f'{r["images_per_s"]:>9.0f}')
    print()


def plot(rows: List[dict], path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    markers = 'osD^vP*X'
    for i, r in enumerate(rows):
        ax.scatter(r['train_time_s'], r['top1'], s=50,
                   marker=markers[i % len(markers)],
                   label=f'{r["label"]} ({r["top1"]:.1f}%)')
    ax.axhline(CHANCE, color='grey', linestyle='--', linewidth=1,
               label='chance')
    ax.legend(loc='lower right', fontsize=8)
    ax.set_xlabel('training wall time (s, 2 CPU cores)')
    ax.set_ylabel('top-1 on the real digits test split (%)')
    ax.set_title('kd_plugins quickstart (digits)')
    ax.set_ylim(0, 105)
    fig.savefig(path, dpi=120, bbox_inches='tight')
    plt.close(fig)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    kd_plugins.utils.silence_known_noise()  # known stack deprecation noise
    torch.manual_seed(0)
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    wanted = set(args.only or [s[0] for s in STEPS])
    needs_teacher = any(s[3] for s in STEPS if s[0] in wanted)
    if needs_teacher and args.teacher_ckpt is None:
        wanted.add('teacher')
    if args.teacher_ckpt and not osp.isfile(args.teacher_ckpt):
        sys.exit(f'error: teacher checkpoint not found: {args.teacher_ckpt}')

    rows: List[dict] = []
    teacher_ckpt = args.teacher_ckpt
    for name, label, config, uses_teacher in STEPS:
        if name not in wanted:
            continue
        options = {'model.teacher_ckpt': teacher_ckpt} if uses_teacher else {}
        row = run_step(name, label, config, args.work_dir, options,
                       args.smoke)
        if name == 'teacher':
            teacher_ckpt = row['checkpoint']
        rows.append(row)

    print_table(rows)
    json_path = osp.join(args.work_dir, 'results.json')
    png_path = osp.join(args.work_dir, 'results.png')
    with open(json_path, 'w') as f:
        json.dump(dict(smoke=args.smoke, results=rows), f, indent=2)
    plot(rows, png_path)
    print(f'wrote {json_path} and {png_path}')
    if not args.smoke:
        weak = [r['label'] for r in rows if r['top1'] < 5 * CHANCE]
        if weak:
            print(f'FAILED: not far above chance ({CHANCE:.0f}%): '
                  f'{", ".join(weak)}')
            return 1
        print(f'every model is far above chance ({CHANCE:.0f}%).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
