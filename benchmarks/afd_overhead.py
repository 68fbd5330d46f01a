"""Step time of AFD (joint, alternating) vs DML, same K networks, one process.

All models hold identical networks (same seed); DML is
``OnlineAdversarialDistill(adversarial=False)`` (CE + mutual KL only). AFD
``update='joint'`` adds the transfer layers, the generator term (in the same
backward as the logit loss) and the discriminator step; ``update=
'alternating'`` (the default) additionally runs a second forward and
backward of every backbone for its own adversarial optimizer step. Steps
are interleaved (the order rotates each repeat); the median wall time and
the median CPU time (process time) per step are reported with the ratios
to DML. Target: joint <= 1.15x; alternating is measured, not targeted.

Usage::

    PYTHONPATH=. python benchmarks/afd_overhead.py --arch resnet32 --num 2 \
        --batch 64 --repeats 10 [--threads 1] [--device cuda]
"""
import argparse
import os
import statistics
import time

import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample
from mmrazor.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

import kd_plugins  # noqa: F401
from kd_plugins.cli.paths import REPO_ROOT as REPO


def network_cfg(arch: str) -> dict:
    cfg = Config.fromfile(
        os.path.join(REPO, 'configs', '_base_', 'models', 'cifar',
                     f'{arch}.py'))
    model = cfg.model.to_dict()
    model['_scope_'] = 'mmpretrain'
    return model


def build(archs, adversarial: bool, device: str, update: str = 'joint'):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='OnlineAdversarialDistill',
            networks=[network_cfg(a) for a in archs],
            adversarial=adversarial,
            update=update,
            data_preprocessor=dict(
                type='ClsDataPreprocessor',
                mean=[129.3, 124.1, 112.4],
                std=[68.2, 65.4, 70.4]))).to(device)
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='OnlineDistillOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                networks=dict(
                    optimizer=dict(
                        type='SGD', lr=0.1, momentum=0.9,
                        weight_decay=1e-4)),
                adversarial=dict(
                    optimizer=dict(type='Adam', lr=2e-5, weight_decay=0.1)),
                discriminators=dict(
                    optimizer=dict(type='Adam', lr=2e-5,
                                   weight_decay=0.1)))))(model)
    return model.train(), optim


def batch(n: int, num_classes: int, seed: int) -> dict:
    g = torch.Generator().manual_seed(seed)
    return dict(
        inputs=[
            torch.randint(0, 256, (3, 32, 32), generator=g,
                          dtype=torch.uint8) for _ in range(n)
        ],
        data_samples=[
            DataSample().set_gt_label(int(i))
            for i in torch.randint(0, num_classes, (n, ), generator=g)
        ])


def timed_step(model, optim, data, device) -> tuple:
    """``(wall seconds, CPU seconds of this process)`` of one train_step."""
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    start, cpu = time.perf_counter(), time.process_time()
    model.train_step(data, optim)
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--arch', nargs='+', default=['resnet32'],
                        help='one arch (repeated --num times) or K archs')
    parser.add_argument('--num', type=int, default=2)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--threads', type=int, default=0,
                        help='torch CPU threads (0: leave default)')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    archs = args.arch * args.num if len(args.arch) == 1 else args.arch
    models = {
        'dml': build(archs, False, args.device),
        'joint': build(archs, True, args.device, 'joint'),
        'alternating': build(archs, True, args.device, 'alternating'),
    }
    names = list(models)
    classes = models['dml'][0].networks[0].head.num_classes
    data = [batch(args.batch, classes, s) for s in range(4)]
    wall = {k: [] for k in names}
    cpu = {k: [] for k in names}
    for r in range(args.warmup + args.repeats):
        order = names[r % 3:] + names[:r % 3]
        for name in order:
            model, optim = models[name]
            w, c = timed_step(model, optim, data[r % len(data)], args.device)
            if r >= args.warmup:
                wall[name].append(w)
                cpu[name].append(c)
    med = {k: statistics.median(v) for k, v in wall.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    print(f'networks: {archs}, batch {args.batch}, device {args.device}, '
          f'threads {torch.get_num_threads()}, repeats {args.repeats}')
    for name in names:
        print(f'{name:12s}: median step {med[name] * 1e3:.1f} ms wall '
              f'(min {min(wall[name]) * 1e3:.1f}, max '
              f'{max(wall[name]) * 1e3:.1f}), {med_cpu[name] * 1e3:.1f} ms '
              f'CPU')
    for name in ('joint', 'alternating'):
        ratio = med[name] / med['dml']
        target = (f'target <= 1.15x: {"met" if ratio <= 1.15 else "NOT met"}'
                  if name == 'joint' else 'no target')
        print(f'AFD {name} / DML: {ratio:.3f}x wall (medians; {target}), '
              f'{med_cpu[name] / med_cpu["dml"]:.3f}x CPU, '
              f'{min(wall[name]) / min(wall["dml"]):.3f}x (minimums)')
    print(f'alternating / joint: {med["alternating"] / med["joint"]:.3f}x '
          f'wall (the extra backbone forward + backward)')


if __name__ == '__main__':
    main()
