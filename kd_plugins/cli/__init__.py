"""What only the command-line tools (``tools/*.py``) and ``benchmarks/`` use.

The top layer of the package (above ``engine``, ``models``, ``datasets``,
``compat`` and ``utils``; ``tests/test_layers.py`` checks the order), one
module per job:

* :mod:`~kd_plugins.cli.args`: argument parsing (common options,
  ``--cfg-options``, :class:`~kd_plugins.cli.args.ConfigError`);
* :mod:`~kd_plugins.cli.config_loading`: reading a config (the mmcls
  translation entry, ``--cfg-options`` key checks);
* :mod:`~kd_plugins.cli.config_errors`, :mod:`~kd_plugins.cli.build_errors`:
  one-line diagnosis of config-reading and component-building errors;
* :mod:`~kd_plugins.cli.config_checks`: missing files, mismatched heads;
* :mod:`~kd_plugins.cli.launch`: distributed launch preparation;
* :mod:`~kd_plugins.cli.runner`: from arguments to a built Runner;
* :mod:`~kd_plugins.cli.run`: :func:`~kd_plugins.cli.run.run_cli`, user
  errors as one ``error: ...`` line;
* :mod:`~kd_plugins.cli.teachers`: teacher checkpoints loaded strictly after
  building;
* :mod:`~kd_plugins.cli.quiet`: the stack's known warning noise;
* :mod:`~kd_plugins.cli.work_dir_lock`: one training run per work dir;
* :mod:`~kd_plugins.cli.paths`: :data:`~kd_plugins.cli.paths.REPO_ROOT`;
* :mod:`~kd_plugins.cli.text`: small message helpers.
"""
from .args import (CfgOptionsAction, ConfigError, add_common_args,
                   merge_common_args, tool_parser)
from .config_loading import load_config, read_config, resolve_config_path
from .paths import REPO_ROOT
from .quiet import silence_known_noise
from .run import ToolState, describe_error, run_cli
from .runner import build_runner, forget_visualizers, prepare_config
from .teachers import defer_teacher_checkpoints, load_deferred_teachers

__all__ = [
    'CfgOptionsAction', 'ConfigError', 'add_common_args', 'merge_common_args',
    'tool_parser', 'load_config', 'read_config', 'resolve_config_path',
    'REPO_ROOT', 'silence_known_noise', 'ToolState', 'describe_error',
    'run_cli', 'build_runner', 'forget_visualizers', 'prepare_config',
    'defer_teacher_checkpoints', 'load_deferred_teachers'
]
