# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Evaluate a checkpoint with a config.

Examples:
    python tools/test.py configs/demo/kd_resnet20_resnet8_digits.py \
        work_dirs/kd_resnet20_resnet8_digits/epoch_10.pth
    bash tools/dist_test.sh CONFIG CHECKPOINT 8
"""
import argparse

from mmengine.config import Config
from mmengine.runner import Runner

import kd_plugins  # noqa: F401  (compat layer + registries, before mmrazor)
from kd_plugins.cli.args import (ConfigError, add_common_args,
                                 merge_common_args, tool_parser)
from kd_plugins.cli.config_checks import checkpoint_path_problem, is_remote
from kd_plugins.cli.run import run_cli
from kd_plugins.cli.runner import build_runner, prepare_config
from kd_plugins.cli.teachers import defer_teacher_checkpoints
from kd_plugins.utils.checkpoint import load_checkpoint, load_state
from kd_plugins.utils.model import unwrap_model

TEST_SECTIONS = ['model', 'test_dataloader']


def parse_args(argv=None) -> argparse.Namespace:
    parser = tool_parser('Test (evaluate) a model', 'test config file path')
    parser.add_argument('checkpoint', help='checkpoint file or URL')
    parser.add_argument(
        '--out', help='dump the per-sample predictions to this pickle file')
    add_common_args(parser)
    return parser.parse_args(argv)


def load_strictly(runner: Runner, filename: str) -> None:
    """Load the evaluated checkpoint; any key or shape mismatch stops."""
    checkpoint = load_checkpoint(filename)
    runner.call_hook('after_load_checkpoint', checkpoint=checkpoint)
    load_state(unwrap_model(runner.model), checkpoint, filename)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line options to the config."""
    problem = None if is_remote(args.checkpoint) else \
        checkpoint_path_problem(args.checkpoint)
    if problem:
        raise ConfigError(problem)
    merge_common_args(cfg, args)
    # Loaded by load_strictly (mmengine's load_from is not strict).
    cfg.load_from = None
    # Evaluating a trained algorithm needs no teacher weights.
    defer_teacher_checkpoints(cfg.get('model'))
    if args.out is not None:
        cfg.test_evaluator = list(cfg.test_evaluator) if isinstance(
            cfg.test_evaluator, (list, tuple)) else [cfg.test_evaluator]
        cfg.test_evaluator.append(
            dict(type='DumpResults', out_file_path=args.out))
    return cfg


def test(argv, state) -> dict:
    args = parse_args(argv)
    cfg = prepare_config(args, merge_args, TEST_SECTIONS, state)
    if is_remote(args.checkpoint):
        state.remote.append(args.checkpoint)
    runner = build_runner(cfg)
    load_strictly(runner, args.checkpoint)
    metrics = runner.test()
    print(metrics)
    return metrics


def main(argv=None) -> None:
    run_cli(test, argv)


if __name__ == '__main__':
    main()
