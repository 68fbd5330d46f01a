"""Step time of AFD vs DML (same K networks, no discriminators), one process.

Both models hold identical networks (same seed); DML is
``OnlineAdversarialDistill(adversarial=False)`` (CE + mutual KL only), AFD adds
the transfer layers, the generator term and the discriminator step. Steps
are interleaved (the order alternates each repeat) and the median step time
of each is reported with the ratio AFD / DML. Target: < 1.15.

Usage::

    PYTHONPATH=. python benchmarks/afd_overhead.py --arch resnet32 --num 2 \
        --batch 64 --repeats 10 [--device cuda]
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

import kd_plugins  # noqa: E402,F401
from mmengine.config import Config  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402
from mmrazor.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS  # noqa: E402

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def network_cfg(arch: str) -> dict:
    cfg = Config.fromfile(
        os.path.join(REPO, 'configs', '_base_', 'models', 'cifar',
                     f'{arch}.py'))
    model = cfg.model.to_dict()
    model['_scope_'] = 'mmpretrain'
    return model


def build(archs, adversarial: bool, device: str):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='OnlineAdversarialDistill',
            networks=[network_cfg(a) for a in archs],
            adversarial=adversarial,
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


def timed_step(model, optim, data, device) -> float:
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    start = time.perf_counter()
    model.train_step(data, optim)
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return time.perf_counter() - start


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
        'afd': build(archs, True, args.device)
    }
    classes = models['dml'][0].networks[0].head.num_classes
    data = [batch(args.batch, classes, s) for s in range(4)]
    times = {'dml': [], 'afd': []}
    for r in range(args.warmup + args.repeats):
        order = ['dml', 'afd'] if r % 2 == 0 else ['afd', 'dml']
        for name in order:
            model, optim = models[name]
            t = timed_step(model, optim, data[r % len(data)], args.device)
            if r >= args.warmup:
                times[name].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med['afd'] / med['dml']
    print(f'networks: {archs}, batch {args.batch}, device {args.device}, '
          f'threads {torch.get_num_threads()}, repeats {args.repeats}')
    for name in ('dml', 'afd'):
        print(f'{name.upper()}: median step {med[name] * 1e3:.1f} ms '
              f'(min {min(times[name]) * 1e3:.1f}, '
              f'max {max(times[name]) * 1e3:.1f})')
    print(f'AFD / DML step time: {ratio:.3f}x (medians; target < 1.15x: '
          f'{"met" if ratio < 1.15 else "NOT met"}), '
          f'{min(times["afd"]) / min(times["dml"]):.3f}x (minimums, less '
          f'sensitive to a busy machine)')


if __name__ == '__main__':
    main()
