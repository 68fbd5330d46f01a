# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Train a model (teacher, student, or distillation algorithm) from a config.

Examples:
    python tools/train.py configs/demo/kd_resnet20_resnet8_digits.py
    python tools/train.py CONFIG --resume            # resume from latest
    bash tools/dist_train.sh CONFIG 8                # 8 processes

Input errors (config, --cfg-options, checkpoint, work dir) are printed as one
``error: ...`` line with exit code 1; ``--debug`` adds the traceback.
"""
import argparse
import os.path as osp

from mmengine.config import Config

import kd_plugins  # noqa: F401  (compat layer + registries, before mmrazor)
from kd_plugins.cli.args import (ConfigError, add_common_args,
                                 merge_common_args, tool_parser)
from kd_plugins.cli.config_checks import checkpoint_path_problem
from kd_plugins.cli.launch import iter_optim_wrapper_cfgs, type_name
from kd_plugins.cli.run import run_cli
from kd_plugins.cli.runner import build_runner, prepare_config
from kd_plugins.cli.teachers import (defer_teacher_checkpoints,
                                     load_deferred_teachers)
from kd_plugins.cli.work_dir_lock import work_dir_lock
from kd_plugins.utils.checkpoint import check_resume_checkpoint
from kd_plugins.utils.model import unwrap_model

TRAIN_SECTIONS = ['model', 'train_dataloader', 'val_dataloader', 'load_from']
#: optim wrapper type -> its mixed-precision counterpart (--amp)
AMP = {
    'OptimWrapper': 'AmpOptimWrapper',
    'DistributedOptimWrapper': 'mmrazor.DistributedAmpOptimWrapper',
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = tool_parser('Train a model', 'train config file path')
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
    add_common_args(parser)
    return parser.parse_args(argv)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line options to the config."""
    merge_common_args(cfg, args)
    if args.amp:
        _enable_amp(cfg)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        problem = checkpoint_path_problem(args.resume)
        if problem:
            raise ConfigError(f'--resume: {problem}' + (
                ' (a bare --resume resumes from the latest checkpoint of '
                '--work-dir)' if osp.isdir(args.resume) else ''))
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
    for key, wrapper in iter_optim_wrapper_cfgs(cfg):
        name = type_name(wrapper, 'OptimWrapper')
        if name in ('AmpOptimWrapper', 'DistributedAmpOptimWrapper'):
            continue
        if name not in AMP:
            raise ConfigError(f'--amp needs {key}.type=OptimWrapper, '
                              f"got {wrapper['type']}")
        wrapper['type'] = AMP[name]
        wrapper.setdefault('loss_scale', 'dynamic')


def train(argv, state) -> None:
    args = parse_args(argv)
    cfg = prepare_config(args, merge_args, TRAIN_SECTIONS, state)
    # teachers are loaded by us, strictly (mmrazor loads non-strictly)
    teachers = defer_teacher_checkpoints(cfg.get('model'))
    with work_dir_lock(cfg.get('work_dir')):  # one run per work dir
        runner = build_runner(cfg)
        load_deferred_teachers(runner.model, teachers)
        _check_auto_resume(runner)
        _check_resume_checkpoint(runner)
        runner.train()


def _check_auto_resume(runner) -> None:
    """``--resume`` without a path on a work dir without checkpoints:
    say so once and train from scratch (mmengine would log ``Auto resumed
    from the latest checkpoint None``)."""
    if not getattr(runner, '_resume', False) or getattr(
            runner, '_load_from', None) is not None:
        return
    from mmengine.runner import find_latest_checkpoint
    if find_latest_checkpoint(runner.work_dir) is None:
        runner.logger.warning(f'no checkpoint to resume in {runner.work_dir}:'
                              ' training from scratch')
        runner._resume = False


def _check_resume_checkpoint(runner) -> None:
    """A checkpoint to resume must be one of this model: checked strictly
    before mmengine's non-strict ``resume`` (which ends in ``KeyError:
    'param_groups'`` or resumes with wrong weights)."""
    if not getattr(runner, '_resume', False):
        return
    filename, what = getattr(runner, '_load_from', None), '--resume'
    if filename is None:
        from mmengine.runner import find_latest_checkpoint
        filename = find_latest_checkpoint(runner.work_dir)
        what = 'the latest checkpoint'
    if filename is not None:
        check_resume_checkpoint(unwrap_model(runner.model), filename, what)


def main(argv=None) -> None:
    run_cli(train, argv)


if __name__ == '__main__':
    main()
