"""Command-line arguments shared by the tools.

``tools/train.py`` and ``tools/test.py`` follow mmpretrain's tools
(``parse_args`` / ``merge_args`` / ``main``); what they have in common lives
here: the parser with the ``config`` positional (:func:`tool_parser`), the
common options (:func:`add_common_args`), a ``--cfg-options`` action that
rejects malformed pairs, and :func:`merge_common_args`. Every problem is
raised as :class:`ConfigError`, a
:class:`~kd_plugins.utils.UserInputError` with a one-line message.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction

from kd_plugins.utils.errors import UserInputError

__all__ = [
    'ConfigError', 'CfgOptionsAction', 'tool_parser', 'add_common_args',
    'merge_common_args'
]


class ConfigError(UserInputError):
    """A config file or a ``--cfg-options`` pair that cannot be used."""


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` that reports a malformed pair in one line
    (mmengine raises a bare ``ValueError`` from inside argparse)."""

    def __call__(self, parser, namespace, values, option_string=None):
        for kv in values:
            key, sep, _ = kv.partition('=')
            if not sep or not key.strip():
                raise ConfigError(
                    f"{option_string or '--cfg-options'}: '{kv}' is not "
                    'KEY=VALUE (e.g. train_cfg.max_epochs=2)')
        try:
            super().__call__(parser, namespace, values, option_string)
        except Exception as e:  # unbalanced brackets and the like
            raise ConfigError(f"{option_string or '--cfg-options'}: cannot "
                              f'parse {" ".join(values)!r}: {e}') from e


def tool_parser(description: str,
                config_help: str) -> argparse.ArgumentParser:
    """A parser with the ``config`` positional and the common options;
    the tool adds its own (positionals after ``config``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config', help=config_help)
    return parser


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--work-dir``, ``--cfg-options``, ``--launcher``,
    ``--local-rank`` and ``--debug`` to ``parser``."""
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config settings, key=value pairs, e.g. '
        'train_cfg.max_epochs=2 model.teacher_ckpt=teacher.pth; a key whose '
        'first part is not in the config is an error')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank (torch>=2.0) or
    # --local_rank (older); accept both.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the full traceback of an error')


def merge_common_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply ``--launcher`` and ``--work-dir`` (default
    ``./work_dirs/<config name>``) to ``cfg``."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        name = osp.splitext(osp.basename(args.config.split('::')[-1]))[0]
        cfg.work_dir = osp.join('./work_dirs', name)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return cfg
