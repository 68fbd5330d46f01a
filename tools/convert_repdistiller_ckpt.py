# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Convert a RepDistiller/CRD CIFAR checkpoint into a kd_plugins checkpoint.

The CIFAR-100 teachers of the KD literature (CRD, RepDistiller and the papers
that reuse them) are saved as ``{'model': state_dict, ...}`` with the module
names of ``models/*.py`` in github.com/HobbitLong/RepDistiller. The zoo
backbones keep those names, so the conversion is: classifier
(``fc`` / ``linear`` / ``classifier`` / ``classifier.0``) -> ``head.fc``,
everything else -> ``backbone.<name>``. The result loads strictly into the
``ImageClassifier`` of ``configs/_base_/models/cifar/<arch>.py`` (checked
before saving) and is usable as ``model.teacher_ckpt``.

Examples:
    python tools/convert_repdistiller_ckpt.py \
        resnet32x4_vanilla/ckpt_epoch_240.pth \
        work_dirs/teacher_resnet32x4_cifar100/epoch_240.pth --arch resnet32x4
    python tools/convert_repdistiller_ckpt.py wrn_40_2.pth out.pth \
        --arch wrn_40_2
"""
import argparse
import os
import os.path as osp
from typing import Dict

import torch

from kd_plugins.cli.paths import REPO_ROOT
from kd_plugins.cli.run import run_cli
from kd_plugins.utils import UserInputError
from kd_plugins.utils.checkpoint import load_checkpoint_file

MODEL_DIR = osp.join(REPO_ROOT, 'configs', '_base_', 'models', 'cifar')

#: RepDistiller's classifier module per architecture family.
CLASSIFIER_PREFIXES = ('classifier.0.', 'classifier.', 'linear.', 'fc.')
#: RepDistiller's names for the architectures whose zoo name differs.
ARCH_ALIASES = {
    'MobileNetV2': 'mobile_half',
    'vgg8_bn': 'vgg8',
    'vgg11_bn': 'vgg11',
    'vgg13_bn': 'vgg13',
    'vgg16_bn': 'vgg16',
    'vgg19_bn': 'vgg19',
}


class ConvertError(UserInputError, ValueError):
    """An input the conversion cannot use (one line naming it)."""


def zoo_archs() -> list:
    """Architectures with a model config in ``configs/_base_/models/cifar``."""
    return sorted(
        osp.splitext(f)[0] for f in os.listdir(MODEL_DIR) if f.endswith('.py'))


def convert_state_dict(state_dict: Dict[str, torch.Tensor]
                       ) -> Dict[str, torch.Tensor]:
    """Rename RepDistiller keys to ``ImageClassifier`` keys.

    Args:
        state_dict (dict): RepDistiller model weights (a ``module.`` prefix
            from ``DataParallel`` is dropped).

    Returns:
        dict: The same tensors under ``backbone.*`` / ``head.fc.*``.
    """
    converted = {}
    for key, value in state_dict.items():
        if key.startswith('module.'):
            key = key[len('module.'):]
        for prefix in CLASSIFIER_PREFIXES:
            if key.startswith(prefix):
                new = 'head.fc.' + key[len(prefix):]
                break
        else:
            new = 'backbone.' + key
        if new in converted:
            raise ConvertError(f'two keys map to {new}')
        converted[new] = value
    return converted


def build_classifier(arch: str, num_classes: int) -> torch.nn.Module:
    """The zoo's ``ImageClassifier`` for ``arch`` (random weights)."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS

    import kd_plugins  # noqa: F401
    cfg = Config.fromfile(osp.join(MODEL_DIR, f'{arch}.py'))
    cfg.model.head.num_classes = num_classes
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(cfg.model)


def convert(src: str, dst: str, arch: str) -> Dict[str, torch.Tensor]:
    """Read ``src``, convert, check a strict load into ``arch``, save
    ``dst`` as ``{'meta': ..., 'state_dict': ...}``.

    Raises:
        ValueError: One line naming the bad input (file, arch, keys).
    """
    arch = ARCH_ALIASES.get(arch, arch)
    if arch not in zoo_archs():
        raise ConvertError(f'--arch {arch}: unknown, choose from '
                           f'{", ".join(zoo_archs())}')
    if not osp.isfile(src):
        raise ConvertError(f'checkpoint file not found: {src}')
    # RepDistiller stores plain tensors (plus an int epoch and, in some
    # copies, optimizer state); the project's safe loader reads them and
    # refuses, in one line, files carrying code or damaged ones.
    ckpt = load_checkpoint_file(src)
    keys = list(ckpt.get('state_dict', {}) if isinstance(
        ckpt.get('state_dict'), dict) else ())
    if keys and all(k.startswith(('backbone.', 'head.', 'neck.',
                                  'architecture.', 'teacher.'))
                    for k in keys):
        raise ConvertError(
            f'{src}: already a kd_plugins/mmengine checkpoint (keys '
            f'{keys[0]}, ...), not a RepDistiller one: use it directly '
            '(e.g. as model.teacher_ckpt), nothing to convert')
    if isinstance(ckpt, dict) and 'model' in ckpt:
        state_dict = ckpt['model']
    elif isinstance(ckpt, dict) and 'state_dict' in ckpt:
        state_dict = ckpt['state_dict']
    elif isinstance(ckpt, dict) and all(
            isinstance(v, torch.Tensor) for v in ckpt.values()):
        state_dict = ckpt
    else:
        raise ConvertError(f'{src}: expected {{"model": state_dict}} '
                           '(RepDistiller format) or a plain state_dict')
    converted = convert_state_dict(state_dict)
    if 'head.fc.weight' not in converted:
        raise ConvertError(f'{src}: no classifier (fc/linear/classifier) '
                           'weights found')
    num_classes = converted['head.fc.weight'].shape[0]
    model = build_classifier(arch, num_classes)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(converted))
    unexpected = sorted(set(converted) - set(expected))
    if missing or unexpected:
        raise ConvertError(
            f'{src} does not match --arch {arch}: {len(missing)} missing '
            f'keys (e.g. {missing[:2]}), {len(unexpected)} unexpected '
            f'(e.g. {unexpected[:2]})')
    for key, value in converted.items():
        if value.shape != expected[key].shape:
            raise ConvertError(
                f'{src} does not match --arch {arch}: {key} has shape '
                f'{tuple(value.shape)}, expected '
                f'{tuple(expected[key].shape)}')
    model.load_state_dict(converted, strict=True)
    meta = dict(
        converted_from=osp.abspath(src),
        arch=arch,
        num_classes=num_classes,
        source_format='RepDistiller/CRD')
    if isinstance(ckpt, dict) and isinstance(ckpt.get('epoch'), int):
        meta['epoch'] = ckpt['epoch']
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    torch.save(dict(meta=meta, state_dict=converted), dst)
    return converted


def _main(argv, state) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='RepDistiller checkpoint ({"model": ...})')
    parser.add_argument('dst', help='output checkpoint path')
    parser.add_argument(
        '--arch',
        required=True,
        help='zoo architecture (configs/_base_/models/cifar/<arch>.py), '
        'e.g. resnet32x4, wrn_40_2, vgg13, mobile_half, ShuffleV1')
    args = parser.parse_args(argv)
    converted = convert(args.src, args.dst, args.arch)
    print(f'saved {args.dst} ({len(converted)} tensors, loads strictly into '
          f'configs/_base_/models/cifar/'
          f'{ARCH_ALIASES.get(args.arch, args.arch)}.py)')


def main(argv=None) -> None:
    run_cli(_main, argv)


if __name__ == '__main__':
    main()
