"""From parsed arguments to a built Runner.

:func:`prepare_config` is the one sequence from a tool's arguments to a
config ready for the Runner (load, the tool's ``merge_args``, path checks,
distributed preparation); :func:`build_runner` builds it;
:func:`forget_visualizers` lets one process build several runners.
"""
import argparse
from typing import Callable, List

from mmengine.config import Config

from .args import ConfigError
from .config_checks import check_config_paths, check_distill_heads
from .config_loading import load_config
from .launch import check_launcher_env, prepare_distributed

__all__ = ['prepare_config', 'build_runner', 'forget_visualizers']


def prepare_config(args: argparse.Namespace,
                   merge_args: Callable[[Config, argparse.Namespace],
                                        Config],
                   sections: List[str], state) -> Config:
    """From parsed arguments to a config ready for the Runner.

    Loads ``args.config`` with ``--cfg-options`` (a config without
    ``model``, such as a ``_base_`` fragment, is a :class:`ConfigError`),
    applies the tool's ``merge_args`` (which calls
    :func:`~kd_plugins.cli.args.merge_common_args`), records the config and
    work dir on ``state`` (for error messages), checks the local paths of
    ``sections`` (``state.remote``: the remote ones) and the teacher/student
    heads of a KD config
    (:func:`~kd_plugins.cli.config_checks.check_distill_heads`), and
    prepares a ``--launcher`` run (``--launcher pytorch`` outside torchrun is
    an error, :func:`~kd_plugins.cli.launch.check_launcher_env`; then
    :func:`~kd_plugins.cli.launch.prepare_distributed`).
    """
    cfg = load_config(args.config, args.cfg_options)
    if 'model' not in cfg:  # e.g. a _base_ file, or a typo'd variable
        raise ConfigError(f"{args.config}: the config has no 'model'; a "
                          'file under _base_/ is a piece other configs '
                          'inherit, not a config to run')
    merge_args(cfg, args)
    state.record(cfg, check_config_paths(cfg, sections))
    check_distill_heads(cfg)
    check_launcher_env(args.launcher)  # --launcher pytorch outside torchrun
    prepare_distributed(cfg, args.launcher)
    return cfg


def build_runner(cfg: Config):
    """``Runner.from_cfg``, or the config's ``runner_type``."""
    from mmengine.runner import Runner
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    from mmengine.registry import RUNNERS
    return RUNNERS.build(cfg)


def forget_visualizers() -> None:
    """Drop the visualizers of earlier runs in this process.

    A config that names its visualizer (the seg configs:
    ``name='visualizer'``) would otherwise get the previous run's instance,
    which writes its images (e.g. SyntheticGridHook's grids) into that run's
    work dir. For tools and tests that build several runners in one process.
    """
    from mmengine.visualization import Visualizer
    todo = [Visualizer]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        cls._instance_dict.clear()
