"""Config loading of the tools: the one place a tool reads a config.

:func:`load_config` reads a config file (or ``package::relative/path.py``),
translating configs written for mmcls 1.x (e.g. mmrazor 1.0.0's own zoo)
with :mod:`kd_plugins.compat.mmcls_configs` (:func:`read_config`), merges
``--cfg-options`` after checking their keys, and raises every problem as a
one-line :class:`~kd_plugins.cli.args.ConfigError`
(:func:`~kd_plugins.cli.config_errors.describe_config_error`).
"""
import inspect
import logging
import os.path as osp
from typing import List, Optional

from mmengine.config import Config

from kd_plugins.compat.mmcls_configs import (mmcls_bases_as_mmpretrain,
                                             translate_config_path,
                                             translate_mmcls_config)
from kd_plugins.utils.errors import UserInputError

from .args import ConfigError
from .config_errors import describe_config_error
from .text import closest

__all__ = [
    'load_config', 'read_config', 'resolve_config_path', 'check_cfg_options',
    'runner_keys'
]

# Top-level keys the Runner (or our tools) read even when a config does not
# set them, so ``--cfg-options randomness.seed=1`` is valid everywhere.
_EXTRA_RUNNER_KEYS = ('runner_type', 'model_wrapper_cfg',
                      'find_unused_parameters', 'compile', 'launcher',
                      'work_dir', 'resume', 'load_from', 'default_scope',
                      'custom_imports')


def runner_keys() -> List[str]:
    """Top-level config keys that the Runner reads (set or not)."""
    from mmengine.runner import Runner
    params = inspect.signature(Runner.__init__).parameters
    return [p for p in params if p != 'self'] + list(_EXTRA_RUNNER_KEYS)


def check_cfg_options(cfg: Config, options: dict) -> None:
    """Reject ``--cfg-options`` keys whose top level is not in ``cfg``.

    mmengine silently adds such a key (``trian_cfg.max_epochs=1``) and the
    run ignores it; here it is an error naming the closest existing key.
    Keys the Runner reads although the config does not set them
    (``randomness``, ``auto_scale_lr``, ...) are accepted.

    Raises:
        ConfigError: For the first unknown key.
    """
    known = list(cfg.keys())
    allowed = set(known) | set(runner_keys())
    for key in options:
        top = key.split('.')[0]
        if top in allowed:
            continue
        match = closest(top, sorted(allowed))
        hint = f"; did you mean '{match}'?" if match else (
            f" (its top-level keys: {', '.join(sorted(known))})")
        raise ConfigError(f"--cfg-options {key}: '{top}' is not a key of "
                          f'the config{hint}')


def resolve_config_path(path: str) -> str:
    """Turn ``package::relative/path.py`` into the installed file's path.

    Args:
        path (str): A file path, or a config inside an installed OpenMMLab
            package (``mmrazor::distill/...``; ``mmcls::`` means mmpretrain).

    Returns:
        str: The file path (``path`` itself when it has no ``::``).
    """
    if '::' not in path or osp.exists(path):
        return path
    return Config._get_cfg_path(translate_config_path(path), '')[0]


def read_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """``Config.fromfile`` that also reads configs written for mmcls.

    Args:
        path (str): Config file, or ``package::relative/path.py``.
        cfg_options (dict, optional): Overrides merged after the
            translation, unchecked. Defaults to None.

    Returns:
        Config: The loaded config. When a translation happened, one info line
        says so (the full list of rewrites is at debug level).
    """
    from mmengine.logging import print_log
    with mmcls_bases_as_mmpretrain() as changes:
        cfg = Config.fromfile(resolve_config_path(path))
    changes += translate_mmcls_config(cfg)
    if changes:
        print_log(
            f'{osp.basename(path)} was written for mmcls; loaded it with '
            f'mmpretrain ({len(changes)} names translated, e.g. '
            f'{changes[0]})',
            logger='current',
            level=logging.INFO)
        print_log('mmcls -> mmpretrain: ' + '; '.join(changes),
                  logger='current', level=logging.DEBUG)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config and merge ``--cfg-options`` into it.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): Parsed ``--cfg-options``. Defaults to
            None.

    Returns:
        Config: The config.

    Raises:
        ConfigError: With one line saying what is wrong and where (missing
            file, syntax error with file:line, missing or ``mmcls::`` base,
            an exception raised by the config's code, an unknown
            ``--cfg-options`` key).
    """
    if '::' in path:  # a config inside a package, e.g. mmrazor::distill/...
        try:
            path = resolve_config_path(path)
        except Exception as e:
            raise ConfigError(describe_config_error(path, e)) from e
    if '::' not in path and not osp.isfile(path):
        raise ConfigError(f'config file not found: {path}')
    try:
        cfg = read_config(path)
    except UserInputError:
        raise
    except Exception as e:
        raise ConfigError(describe_config_error(path, e)) from e
    if cfg_options:
        check_cfg_options(cfg, cfg_options)
        try:
            cfg.merge_from_dict(cfg_options)
        except Exception as e:
            raise ConfigError(f'--cfg-options: cannot apply {cfg_options}: '
                              f'{type(e).__name__}: {e}') from e
    return cfg
