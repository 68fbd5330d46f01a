# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Train a model (teacher, student, or distillation algorithm) from a config.

Examples:
    python tools/train.py configs/demo/kd_resnet20_resnet8_digits.py
    python tools/train.py CONFIG --resume            # resume from latest
    bash tools/dist_train.sh CONFIG 8                # 8 processes
"""
import argparse
import os
import os.path as osp
import sys
import urllib.error

import kd_plugins  # noqa: F401  (compat layer + registries, before mmrazor)
from kd_plugins.engine.config_checks import ConfigPathError, check_config_paths
from kd_plugins.engine.cpu_distributed import prepare_distributed
from kd_plugins.utils import mmcls_compat, silence_known_noise
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

TRAIN_SECTIONS = ['model', 'train_dataloader', 'val_dataloader', 'load_from']


class ToolError(Exception):
    """An input problem reported as one line, without a traceback."""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or from the latest '
        'checkpoint in the work dir when no path is given')
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision training (GPU)')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual batch size')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value pairs, e.g. '
        'train_cfg.max_epochs=2 model.teacher_ckpt=teacher.pth')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank (torch>=2.0) or
    # --local_rank (older); accept both.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def load_config(args: argparse.Namespace) -> Config:
    """Read the config and apply the command-line options to it."""
    args.config = mmcls_compat.resolve_config_path(args.config)  # pkg::path
    if not osp.isfile(args.config):
        raise ToolError(f'config file not found: {args.config}')
    cfg = mmcls_compat.load_config(args.config)  # mmcls configs too
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        _enable_amp(cfg)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', {})['enable'] = True
    return cfg


def _enable_amp(cfg: Config) -> None:
    optim_wrapper = cfg.optim_wrapper
    if 'optimizer' in optim_wrapper or 'type' in optim_wrapper:
        wrappers = [optim_wrapper]
    else:  # one wrapper per part (OptimWrapperDict configs)
        wrappers = [w for w in optim_wrapper.values() if isinstance(w, dict)]
    for wrapper in wrappers:
        if wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
            continue
        if wrapper.get('type', 'OptimWrapper') != 'OptimWrapper':
            raise ToolError('--amp needs optim_wrapper.type=OptimWrapper, '
                            f"got {wrapper['type']}")
        wrapper['type'] = 'AmpOptimWrapper'
        wrapper.setdefault('loss_scale', 'dynamic')


def build_runner(cfg: Config) -> Runner:
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    from mmengine.registry import RUNNERS
    return RUNNERS.build(cfg)


def main(argv=None) -> None:
    args = parse_args(argv)
    silence_known_noise()
    remote = []
    try:
        cfg = load_config(args)
        remote = check_config_paths(cfg, TRAIN_SECTIONS)
        prepare_distributed(cfg, args.launcher)
        runner = build_runner(cfg)
        runner.train()
    except (ToolError, ConfigPathError) as e:
        sys.exit(f'error: {e}')
    except urllib.error.URLError as e:
        sys.exit(f'error: cannot download {", ".join(remote) or "a file"} '
                 f'({e.reason}); without network, pass a local checkpoint '
                 'path instead')


if __name__ == '__main__':
    main()
