"""Training-step overhead of TeKAP logits KD versus plain KD.

Builds two mmrazor ``SingleTeacherDistill`` algorithms with the same
student/teacher pair and the same initial weights: one with
``KLDivergence(tau=4)``, one with ``TeKAPLogitsLoss`` (M noisy teachers).
Each full training step (teacher forward under no_grad, student forward and
backward, SGD step) is timed on random batches, the two algorithms are run
interleaved (alternating which goes first), and the medians are compared.
The loss alone (forward + backward on random logits) is timed too.

Usage::

    python benchmarks/tekap_overhead.py                      # r32x4 -> r8x4
    python benchmarks/tekap_overhead.py --teacher resnet56 --student resnet20
    python benchmarks/tekap_overhead.py --teacher ResNet_CIFAR:34 \\
        --student ResNet_CIFAR:18 --device cuda

A backbone is any mmpretrain MODELS name (``type``) or ``ResNet_CIFAR:<depth>``
(mmpretrain's own CIFAR ResNet).
"""
import argparse
import statistics
import time
from typing import Callable, Dict, List

import torch

import kd_plugins  # noqa: F401  (compat layer + registration first)


def backbone_cfg(name: str) -> dict:
    """Backbone config from a registry name or ``ResNet_CIFAR:<depth>``."""
    if name.startswith('ResNet_CIFAR:'):
        return dict(type='ResNet_CIFAR', depth=int(name.split(':')[1]))
    return dict(type=name)


def classifier_cfg(name: str, num_classes: int, img_size: int) -> dict:
    """ImageClassifier config; the head width is found by a dummy forward."""
    from mmpretrain.registry import MODELS
    backbone = MODELS.build(backbone_cfg(name))
    with torch.no_grad():
        feats = backbone(torch.zeros(1, 3, img_size, img_size))
    channels = feats[-1].shape[1]
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=backbone_cfg(name),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=num_classes,
            in_channels=channels,
            loss=dict(type='CrossEntropyLoss', loss_weight=0.1)))


def algorithm_cfg(student: dict, teacher: dict, loss: dict) -> dict:
    """SingleTeacherDistill on ``head.fc`` logits with the given loss."""
    return dict(
        _scope_='mmrazor',
        type='SingleTeacherDistill',
        data_preprocessor=dict(
            type='mmpretrain.ClsDataPreprocessor', num_classes=100),
        architecture=student,
        teacher=teacher,
        distiller=dict(
            type='ConfigurableDistiller',
            student_recorders=dict(
                fc=dict(type='ModuleOutputs', source='head.fc')),
            teacher_recorders=dict(
                fc=dict(type='ModuleOutputs', source='head.fc')),
            distill_losses=dict(loss_kd=loss),
            loss_forward_mappings=dict(
                loss_kd=dict(
                    preds_S=dict(from_student=True, recorder='fc'),
                    preds_T=dict(from_student=False, recorder='fc')))))


def sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], None], device: torch.device) -> float:
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--teacher', default='resnet32x4')
    parser.add_argument('--student', default='resnet8x4')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--img-size', type=int, default=32)
    parser.add_argument('--num-classes', type=int, default=100)
    parser.add_argument('--num-noisy', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--threads', type=int, default=0,
                        help='torch.set_num_threads (0: leave default)')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()

    from mmengine.optim import OptimWrapper
    from mmpretrain.structures import DataSample
    from mmrazor.registry import MODELS

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    student = classifier_cfg(args.student, args.num_classes, args.img_size)
    teacher = classifier_cfg(args.teacher, args.num_classes, args.img_size)
    losses = dict(
        kd=dict(type='KLDivergence', tau=4, loss_weight=0.9),
        tekap=dict(type='TeKAPLogitsLoss', num_noisy=args.num_noisy,
                   tau=4, loss_weight=0.9))

    algos, wrappers = {}, {}
    for name, loss in losses.items():
        torch.manual_seed(0)  # same initial weights for both
        algo = MODELS.build(algorithm_cfg(student, teacher, loss)).to(device)
        algo.train()
        algos[name] = algo
        wrappers[name] = OptimWrapper(
            torch.optim.SGD(algo.parameters(), lr=0.01, momentum=0.9,
                            weight_decay=5e-4))

    gen = torch.Generator().manual_seed(0)
    batches = []
    for _ in range(4):
        imgs = torch.randint(0, 256, (args.batch_size, 3, args.img_size,
                                      args.img_size), generator=gen,
                             dtype=torch.uint8)
        labels = torch.randint(0, args.num_classes, (args.batch_size, ),
                               generator=gen)
        samples = [DataSample().set_gt_label(int(y)) for y in labels]
        batches.append(dict(inputs=list(imgs), data_samples=samples))

    times: Dict[str, List[float]] = {k: [] for k in algos}
    order = list(algos)
    for step in range(args.warmup + args.steps):
        batch = batches[step % len(batches)]
        for name in (order if step % 2 == 0 else order[::-1]):
            elapsed = timed(
                lambda: algos[name].train_step(batch, wrappers[name]),
                device)
            if step >= args.warmup:
                times[name].append(elapsed)

    # Loss alone on logits of the same shape.
    loss_mods = {k: MODELS.build(v).to(device) for k, v in losses.items()}
    z_s = torch.randn(args.batch_size, args.num_classes, device=device,
                      requires_grad=True)
    z_t = torch.randn(args.batch_size, args.num_classes, device=device)
    loss_times: Dict[str, List[float]] = {k: [] for k in loss_mods}
    for step in range(20 + 200):
        for name, mod in loss_mods.items():
            elapsed = timed(lambda: mod(z_s, z_t).backward(), device)
            if step >= 20:
                loss_times[name].append(elapsed)

    med = {k: statistics.median(v) for k, v in times.items()}
    mins = {k: min(v) for k, v in times.items()}
    # Per-round ratios cancel slow drifts of machine load.
    paired = statistics.median(
        t / k for t, k in zip(times['tekap'], times['kd']))
    lmed = {k: statistics.median(v) for k, v in loss_times.items()}
    print(f'pair: {args.teacher} -> {args.student}, batch '
          f'{args.batch_size}x3x{args.img_size}x{args.img_size}, '
          f'{args.num_classes} classes, M={args.num_noisy}, device '
          f'{device}, threads {torch.get_num_threads()}, '
          f'{args.steps} timed steps after {args.warmup} warm-up')
    print(f'train step median  KD: {med["kd"] * 1e3:9.2f} ms   '
          f'KD+TeKAP: {med["tekap"] * 1e3:9.2f} ms   '
          f'ratio: {med["tekap"] / med["kd"]:.4f} '
          f'({(med["tekap"] / med["kd"] - 1) * 100:+.2f}%)')
    print(f'train step min     KD: {mins["kd"] * 1e3:9.2f} ms   '
          f'KD+TeKAP: {mins["tekap"] * 1e3:9.2f} ms   '
          f'ratio: {mins["tekap"] / mins["kd"]:.4f}')
    print(f'median of per-round ratios (TeKAP/KD): {paired:.4f} '
          f'({(paired - 1) * 100:+.2f}%)')
    print(f'loss fwd+bwd med   KD: {lmed["kd"] * 1e3:9.3f} ms   '
          f'KD+TeKAP: {lmed["tekap"] * 1e3:9.3f} ms   '
          f'extra per step: {(lmed["tekap"] - lmed["kd"]) * 1e3:.3f} ms '
          f'= {(lmed["tekap"] - lmed["kd"]) / med["kd"] * 100:.3f}% '
          f'of a KD step')


if __name__ == '__main__':
    main()
