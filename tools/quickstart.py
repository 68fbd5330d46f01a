# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Quickstart: every method of kd_plugins on the embedded digits data.

Trains, through the real mmengine Runner and the shipped configs:

1. the teacher (resnet20),
2. the student (resnet8) alone,
3. plain KD (mmrazor SingleTeacherDistill + KLDivergence),
4. KD + TeKAP,
5. AFD: two resnet8 trained online together (no teacher),
6. SSD-KD: data-free, the student never sees a real training image,

and, with ``--full``, the segmentation part on the embedded DigitsSeg task
(64x64 canvases of real digits, 11 classes):

7. the DeepLabV3-style teacher (ResNetV1c-18 at 1/4 width),
8. the smaller student (ResNetV1c-18 at 1/8 width) alone,
9. SSD-KD data-free from that teacher (mmseg checkpoint-compatible student),

then prints a table (top-1 on the real digits test split or mIoU on the
DigitsSeg test canvases, wall time, training images/s) and writes
``results.json`` and ``results.png`` to the work dir and prints the total
time. The default (classification) took 3.5 minutes on 2 idle CPU
cores (benchmarks/README.md); ``--full`` adds the segmentation part
(7.6 minutes in all), so it is kept out of the default. ``--seeds 0 1 2``
repeats each student (not the teacher) per seed and plots mean ± std.

Examples:
    python tools/quickstart.py
    python tools/quickstart.py --full
    python tools/quickstart.py --only teacher kd tekap --seeds 0 1 2
    python tools/quickstart.py --smoke   # 2 iterations per method (tests)
"""
import argparse
import json
import logging
import math
import os.path as osp
import sys
import time
from typing import List, Optional

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger

import kd_plugins  # noqa: F401  (compat layer + registries, before mmrazor)
from kd_plugins.cli.quiet import silence_known_noise
from kd_plugins.cli.results import summarize
from kd_plugins.cli.run_config import run_config

CHANCE = 10.0  # percent, 10 digit classes
# mIoU of predicting background everywhere on the DigitsSeg test canvases
# (background IoU ~0.77 / 11 classes)
SEG_CHANCE = 7.0

# name, label, config, the step whose checkpoint is the teacher (or None)
STEPS = [
    ('teacher', 'teacher resnet20', 'configs/demo/teacher_resnet20_digits.py',
     None),
    ('student', 'student resnet8 alone',
     'configs/demo/student_resnet8_digits.py', None),
    ('kd', 'KD (Hinton)', 'configs/demo/kd_resnet20_resnet8_digits.py',
     'teacher'),
    ('tekap', 'KD + TeKAP',
     'configs/tekap/tekap_kd_resnet20_resnet8_digits.py', 'teacher'),
    ('afd', 'AFD, 2 x resnet8 online', 'configs/afd/afd_resnet8x2_digits.py',
     None),
    ('ssdkd', 'SSD-KD, data-free',
     'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py', 'teacher'),
    ('seg_teacher', 'seg teacher DeepLabV3 R18/4',
     'configs/demo/deeplabv3_r18_digitsseg.py', None),
    ('seg_student', 'seg student R18/8 alone',
     'configs/demo/student_deeplabv3_r18w8_digitsseg.py', None),
    ('seg_ssdkd', 'seg SSD-KD, data-free',
     'configs/ssdkd/ssdkd_deeplabv3_digitsseg.py', 'seg_teacher'),
]
SEG_STEPS = ('seg_teacher', 'seg_student', 'seg_ssdkd')
SMOKE_OPTIONS = {
    'train_dataloader.dataset.indices': 16,
    'train_dataloader.batch_size': 8,
    'val_dataloader.dataset.indices': 16,
    'test_dataloader.dataset.indices': 32,
}
SEG_SMOKE_OPTIONS = {
    'train_cfg.max_iters': 2,
    'val_dataloader.dataset.num_samples': 8,
    'test_dataloader.dataset.num_samples': 8,
}
SEG_SMOKE_SSDKD = {
    'model.data_scale': 8,
    'model.synthesis_batch_size': 2,
    'model.kd_batch_size': 2,
    'model.generator_steps': 1,
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
        '--full',
        action='store_true',
        help='add the DigitsSeg segmentation part (about 4 more minutes '
        'on 2 CPU cores)')
    parser.add_argument(
        '--seeds',
        type=int,
        nargs='+',
        default=[0],
        help='train every student once per seed (mean ± std, error bars)')
    parser.add_argument(
        '--smoke',
        action='store_true',
        help='2 training iterations per method on tiny subsets, all steps '
        'including segmentation (tests)')
    parser.add_argument(
        '--teacher-ckpt',
        help='reuse this digits teacher checkpoint instead of training one')
    return parser.parse_args(argv)


def smoke_options(name: str, cfg: Config) -> dict:
    """The ``--smoke`` overrides of step ``name`` (a couple of iterations
    on a few images)."""
    if name in SEG_STEPS:
        opts = dict(SEG_SMOKE_OPTIONS)
        if name == 'seg_ssdkd':  # data-free: a placeholder training loader
            opts.update(SEG_SMOKE_SSDKD)
        else:
            opts['train_dataloader.dataset.num_samples'] = 8
        return opts
    if 'max_iters' in cfg.train_cfg:  # data-free: iterations = KD steps
        return dict(SEG_SMOKE_SSDKD, **{
            'train_cfg.max_iters': 2,
            'test_dataloader.dataset.indices': 32})
    return dict(SMOKE_OPTIONS, **{'train_cfg.max_epochs': 1})


def run_step(name: str, label: str, config: str, work_dir: str,
             options: dict, smoke: bool, seed: int = 0) -> dict:
    """Train one step's config as ``tools/train.py`` would (validation and
    checkpoints as configured, teachers loaded strictly through the safe
    loader) and test it."""

    def prepare(cfg: Config) -> None:
        if smoke:
            cfg.merge_from_dict(smoke_options(name, cfg))

    res = run_config(
        config,
        osp.join(work_dir, name if seed == 0 else f'{name}_seed{seed}'),
        seed=seed,
        options=options,
        prepare=prepare,
        validate=True,
        progress=f'{label:<26}',
        defer_teachers=True)
    images = res['iterations'] * res['images_per_iter']
    return dict(
        method=name,
        label=label,
        config=config,
        seed=seed,
        metric='mIoU' if name in SEG_STEPS else 'top-1',
        top1=round(res['metric'], 2),
        train_time_s=round(res['wall_s'], 1),
        images_per_s=round(images / res['wall_s'], 1),
        iterations=res['iterations'],
        num_test=res['num_test'],
        checkpoint=res['checkpoint'])


def above_chance(row: dict, z: float = 4.0) -> bool:
    """Whether a trained model is above chance (the quickstart's check).

    Digits: top-1 more than ``z`` binomial standard errors above the 10 %
    of guessing on the row's ``num_test`` test images (359: > 16.3 %), a
    check that training did something, not a quality bar (quality is
    measured by the benchmarks: benchmarks/README.md).
    DigitsSeg mIoU is not a proportion of independent images, so there the
    bar stays "clearly above chance": 1.5x the all-background mIoU (the
    data-free student is about 1.5-2x, docs/ssdkd.md).
    """
    if row['metric'] == 'mIoU':
        return row['top1'] > 1.5 * SEG_CHANCE
    p = CHANCE / 100
    bound = 100 * (p + z * math.sqrt(p * (1 - p) / row['num_test']))
    return row['top1'] > bound


def aggregate(rows: List[dict]) -> List[dict]:
    """One entry per step: mean/std of the metric over its seeds."""
    out: List[dict] = []
    for r in rows:
        if not out or out[-1]['method'] != r['method']:
            out.append(dict(method=r['method'], label=r['label'],
                            metric=r['metric'], values=[], times=[]))
        out[-1]['values'].append(r['top1'])
        out[-1]['times'].append(r['train_time_s'])
    for a in out:
        a.update(summarize(a['values']))
        a['time_s'] = summarize(a['times'])['mean']
    return out


def print_table(rows: List[dict]) -> None:
    header = (f'{"method":<28}{"metric":>7}{"mean (%)":>10}{"± std":>7}'
              f'{"n":>3}{"time (s)":>10}{"img/s":>9}')
    print('\n' + header)
    print('-' * len(header))
    speed = {}
    for r in rows:
        speed.setdefault(r['method'], []).append(r['images_per_s'])
    for a in aggregate(rows):
        std = f'{a["std"]:>7.2f}' if a['n'] > 1 else f'{"":>7}'
        ips = sum(speed[a['method']]) / len(speed[a['method']])
        print(f'{a["label"]:<28}{a["metric"]:>7}{a["mean"]:>10.2f}{std}'
              f'{a["n"]:>3}{a["time_s"]:>10.1f}{ips:>9.0f}')
    print()


def _panel(ax, entries: List[dict], chance: float, what: str) -> None:
    """Metric vs training time; the y-axis fitted to the data."""
    markers = 'osD^vP*X'
    lows, highs = [], []
    for i, a in enumerate(entries):
        label = f'{a["label"]} ({a["mean"]:.1f}' + (
            f' ± {a["std"]:.1f}, n={a["n"]})' if a['n'] > 1 else ')')
        ax.errorbar(a['time_s'], a['mean'],
                    yerr=a['std'] if a['n'] > 1 else None, capsize=3,
                    marker=markers[i % len(markers)], linestyle='none',
                    markersize=7, label=label)
        lows.append(a['mean'] - a['std'])
        highs.append(a['mean'] + a['std'])
    lo, hi = min(lows), max(highs)
    pad = max(0.5, 0.15 * (hi - lo))
    ax.set_ylim(lo - pad, min(100.0, hi + pad) + 0.05 * pad)
    note = (f'chance: {chance:g}% (below the axis)' if lo - pad > chance
            else f'chance: {chance:g}%')
    if lo - pad <= chance:
        ax.axhline(chance, color='grey', linestyle='--', linewidth=1)
    ax.annotate(note, xy=(0.01, 0.01), xycoords='axes fraction',
                fontsize=7, color='grey')
    ax.legend(loc='upper center', bbox_to_anchor=(0.5, -0.16), ncol=2,
              fontsize=7, frameon=False)
    ax.set_xlabel('training wall time (s, 2 CPU cores)')
    ax.set_ylabel(what)
    ax.grid(alpha=0.3)


def plot(rows: List[dict], path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    entries = aggregate(rows)
    cls = [a for a in entries if a['metric'] == 'top-1']
    seg = [a for a in entries if a['metric'] == 'mIoU']
    panels = [p for p in (
        (cls, CHANCE, 'top-1 on the real digits test split (%)'),
        (seg, SEG_CHANCE, 'mIoU on the DigitsSeg test canvases (%)'))
        if p[0]]
    fig, axes = plt.subplots(1, len(panels),
                             figsize=(6.4 * len(panels), 4.2),
                             squeeze=False)
    for ax, (ents, chance, what) in zip(axes[0], panels):
        _panel(ax, ents, chance, what)
    seeds = sorted({r['seed'] for r in rows})
    fig.suptitle('kd_plugins quickstart (error bars: std over seeds '
                 f'{seeds})' if len(seeds) > 1 else
                 'kd_plugins quickstart (one seed)', fontsize=10)
    fig.savefig(path, dpi=120, bbox_inches='tight')
    plt.close(fig)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    silence_known_noise()  # known stack deprecation noise
    torch.manual_seed(0)
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    default = [s[0] for s in STEPS
               if args.full or args.smoke or s[0] not in SEG_STEPS]
    wanted = set(args.only or default)
    teachers = {s[3] for s in STEPS if s[0] in wanted and s[3]}
    if args.teacher_ckpt is not None:
        teachers.discard('teacher')
    wanted |= teachers
    if args.teacher_ckpt and not osp.isfile(args.teacher_ckpt):
        sys.exit(f'error: teacher checkpoint not found: {args.teacher_ckpt}')

    start = time.perf_counter()
    rows: List[dict] = []
    ckpts = {'teacher': args.teacher_ckpt} if args.teacher_ckpt else {}
    for name, label, config, teacher in STEPS:
        if name not in wanted:
            continue
        options = {'model.teacher_ckpt': ckpts[teacher]} if teacher else {}
        seeds = args.seeds[:1] if name.endswith('teacher') else args.seeds
        for seed in seeds:
            row = run_step(name, label, config, args.work_dir, options,
                           args.smoke, seed)
            ckpts.setdefault(name, row['checkpoint'])
            rows.append(row)

    print_table(rows)
    total = time.perf_counter() - start
    print(f'total time: {total / 60:.1f} min')
    json_path = osp.join(args.work_dir, 'results.json')
    png_path = osp.join(args.work_dir, 'results.png')
    with open(json_path, 'w') as f:
        json.dump(dict(smoke=args.smoke, seeds=args.seeds,
                       total_time_s=round(total, 1), results=rows,
                       summary=aggregate(rows)), f, indent=2)
    plot(rows, png_path)
    print(f'wrote {json_path} and {png_path}')
    if not args.smoke:
        weak = [r['label'] for r in rows if not above_chance(r)]
        if weak:
            print(f'FAILED: not above chance: {", ".join(weak)}')
            return 1
        print('every model is above chance (digits: 4 binomial standard '
              'errors above 10 %; DigitsSeg: 1.5x the all-background '
              'mIoU).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
