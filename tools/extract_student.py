# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Turn a distillation checkpoint into a plain model checkpoint.

mmrazor saves the student under a prefix (``architecture.`` for
SingleTeacherDistill and the data-free algorithms, ``networks.<k>.`` for
online distillation). The stock mmpretrain/mmseg model cannot load that
file. This tool keeps only the chosen model's weights, strips the prefix and
writes ``{'meta': ..., 'state_dict': ...}``, which ``load_checkpoint`` and
``tools/test.py`` with the student's own config accept.

Examples:
    python tools/extract_student.py work_dirs/kd/epoch_10.pth student.pth
    python tools/extract_student.py work_dirs/afd/epoch_10.pth net1.pth \
        --network 1
"""
import argparse
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import torch

from kd_plugins.cli.run import run_cli
from kd_plugins.utils.errors import UserInputError

# Prefixes tried in order when --prefix is not given.
AUTO_PREFIXES = ('architecture.', 'student.')


def choose_prefix(state_dict: Dict[str, torch.Tensor],
                  prefix: Optional[str] = None,
                  network: Optional[int] = None) -> str:
    """Return the key prefix of the model to extract.

    Args:
        state_dict (dict): The algorithm's state dict.
        prefix (str, optional): An explicit prefix. Defaults to None.
        network (int, optional): Index of the network of an online
            distillation checkpoint (``networks.<k>.``). Defaults to None.

    Returns:
        str: The prefix, ending with ``'.'``.
    """
    if prefix is not None:
        prefix = prefix if prefix.endswith('.') else prefix + '.'
    elif network is not None:
        prefix = f'networks.{network}.'
    else:
        for candidate in AUTO_PREFIXES:
            if any(k.startswith(candidate) for k in state_dict):
                prefix = candidate
                break
        else:
            if any(k.startswith('networks.') for k in state_dict):
                prefix = 'networks.0.'
            else:
                raise ValueError(
                    'no student found: keys start with none of '
                    f'{AUTO_PREFIXES + ("networks.<k>.", )}; pass --prefix')
    if not any(k.startswith(prefix) for k in state_dict):
        if network is not None:
            found = sorted({int(m.group(1)) for m in (
                re.match(r'networks\.(\d+)\.', k) for k in state_dict) if m})
            names = ', '.join(f'networks.{k}.*' for k in found)
            raise ValueError(
                f'--network {network}: the checkpoint has {len(found)} '
                + (f'networks ({names}); pass --network {found[0]} to '
                   f'{found[-1]}' if found else 'networks (no networks.<k>.'
                   ' keys); --network is for online distillation (AFD) '
                   'checkpoints'))
        raise ValueError(f'no key starts with {prefix!r}')
    return prefix


def extract(checkpoint: dict,
            prefix: Optional[str] = None,
            network: Optional[int] = None) -> Tuple[dict, str]:
    """Extract one model's weights from a loaded distillation checkpoint.

    Returns:
        tuple: The new checkpoint dict and the prefix used.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    prefix = choose_prefix(state_dict, prefix, network)
    new_state = OrderedDict((k[len(prefix):], v)
                            for k, v in state_dict.items()
                            if k.startswith(prefix))
    meta = dict(checkpoint.get('meta', {}) or {})
    meta.update(extracted_prefix=prefix)
    return dict(meta=meta, state_dict=new_state), prefix


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Extract the student (or one online network) from a '
        'distillation checkpoint')
    parser.add_argument('checkpoint', help='distillation checkpoint')
    parser.add_argument('out', help='output checkpoint path')
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        '--prefix', help='key prefix to extract (default: auto-detect '
        '"architecture." or "student.")')
    group.add_argument(
        '--network', type=int, help='network index of an online '
        'distillation (AFD) checkpoint')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the full traceback of an error')
    return parser.parse_args(argv)


def _extract_main(argv, state) -> None:
    args = parse_args(argv)
    import kd_plugins  # noqa: F401  (allow-list for weights_only loading)
    from kd_plugins.cli.config_checks import checkpoint_path_problem
    problem = checkpoint_path_problem(args.checkpoint)
    if problem:
        raise UserInputError(problem)
    from kd_plugins.utils.checkpoint import load_checkpoint_file
    checkpoint = load_checkpoint_file(args.checkpoint)
    try:
        new_ckpt, prefix = extract(checkpoint, args.prefix, args.network)
    except ValueError as e:
        raise UserInputError(f'{args.checkpoint}: {e}') from e
    state.work_dir = osp.dirname(osp.abspath(args.out))
    torch.save(new_ckpt, args.out)
    print(f'extracted {len(new_ckpt["state_dict"])} tensors with prefix '
          f'{prefix!r} to {args.out}')


def main(argv=None) -> None:
    run_cli(_extract_main, argv)


if __name__ == '__main__':
    main()
