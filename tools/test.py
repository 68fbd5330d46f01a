# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Evaluate a checkpoint with a config.

Examples:
    python tools/test.py configs/demo/kd_resnet20_resnet8_digits.py \
        work_dirs/kd_resnet20_resnet8_digits/epoch_10.pth
    bash tools/dist_test.sh CONFIG CHECKPOINT 8
"""
import argparse
import os
import os.path as osp
import sys
import urllib.error

import kd_plugins  # noqa: F401  (compat layer + registries, before mmrazor)
from kd_plugins.engine.config_checks import (ConfigPathError,
                                             check_config_paths, is_remote)
from kd_plugins.engine.cpu_distributed import prepare_distributed
from kd_plugins.utils import mmcls_compat
from mmengine.config import DictAction
from mmengine.runner import Runner

TEST_SECTIONS = ['model', 'test_dataloader']


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file or URL')
    parser.add_argument('--work-dir', help='the dir to save logs and metrics')
    parser.add_argument(
        '--out', help='dump the per-sample predictions to this pickle file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value pairs')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    args.config = mmcls_compat.resolve_config_path(args.config)  # pkg::path
    if not osp.isfile(args.config):
        sys.exit(f'error: config file not found: {args.config}')
    if not is_remote(args.checkpoint) and not osp.isfile(args.checkpoint):
        sys.exit(f'error: checkpoint file not found: {args.checkpoint}')
    cfg = mmcls_compat.load_config(args.config)  # mmcls configs too
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    # Evaluating a trained algorithm needs no teacher weights.
    if isinstance(cfg.get('model'), dict) and 'teacher_ckpt' in cfg.model:
        cfg.model.teacher_ckpt = None
    if args.out is not None:
        cfg.test_evaluator = list(cfg.test_evaluator) if isinstance(
            cfg.test_evaluator, (list, tuple)) else [cfg.test_evaluator]
        cfg.test_evaluator.append(
            dict(type='DumpResults', out_file_path=args.out))
    try:
        check_config_paths(cfg, TEST_SECTIONS)
        prepare_distributed(cfg, args.launcher)
        runner = Runner.from_cfg(cfg)
        metrics = runner.test()
    except ConfigPathError as e:
        sys.exit(f'error: {e}')
    except urllib.error.URLError as e:
        sys.exit(f'error: cannot download {args.checkpoint} ({e.reason}); '
                 'without network, pass a local checkpoint path instead')
    print(metrics)


if __name__ == '__main__':
    main()
