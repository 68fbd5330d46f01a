"""Command-line arguments and config loading shared by the tools.

``tools/train.py`` and ``tools/test.py`` follow mmpretrain's tools
(``parse_args`` / ``merge_args`` / ``main``); what they have in common lives
here: the parser with the common options (:func:`tool_parser`), a
``--cfg-options`` action that rejects malformed pairs, :func:`load_config`
(the one place a tool reads a config, so config translations can hook in),
:func:`merge_common_args`, and :func:`prepare_config`, the one sequence
from arguments to a config ready for the Runner (load, the tool's
``merge_args``, path checks, distributed preparation), and
:func:`build_runner`. Every problem is raised as :class:`ConfigError`, a
:class:`~kd_plugins.utils.UserInputError` with a one-line message.
"""
import argparse
import ast
import difflib
import inspect
import os
import os.path as osp
from typing import Callable, Iterator, List, Optional, Tuple

from mmengine.config import Config, DictAction

from .config_checks import check_config_paths, check_distill_heads
from .distributed import check_launcher_env, prepare_distributed
from .errors import UserInputError
from .mmcls_compat import resolve_config_path

__all__ = [
    'ConfigError', 'CfgOptionsAction', 'tool_parser', 'add_common_args',
    'load_config', 'check_cfg_options', 'merge_common_args',
    'prepare_config', 'build_runner', 'forget_visualizers', 'closest'
]

# Top-level keys the Runner (or our tools) read even when a config does not
# set them, so ``--cfg-options randomness.seed=1`` is valid everywhere.
_EXTRA_RUNNER_KEYS = ('runner_type', 'model_wrapper_cfg',
                      'find_unused_parameters', 'compile', 'launcher',
                      'work_dir', 'resume', 'load_from', 'default_scope',
                      'custom_imports')


class ConfigError(UserInputError):
    """A config file or a ``--cfg-options`` pair that cannot be used."""


def closest(word: str, choices) -> Optional[str]:
    """Return the entry of ``choices`` closest to ``word``, or None."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


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


def prepare_config(args: argparse.Namespace,
                   merge_args: Callable[[Config, argparse.Namespace],
                                        Config],
                   sections: List[str], state) -> Config:
    """From parsed arguments to a config ready for the Runner.

    Loads ``args.config`` with ``--cfg-options`` (a config without
    ``model``, such as a ``_base_`` fragment, is a :class:`ConfigError`),
    applies the tool's
    ``merge_args`` (which calls :func:`merge_common_args`), records the
    config and work dir on ``state`` (for error messages), checks the local
    paths of ``sections`` (``state.remote``: the remote ones) and the
    teacher/student heads of a KD config
    (:func:`~kd_plugins.utils.config_checks.check_distill_heads`), and prepares
    a ``--launcher`` run (``--launcher pytorch`` outside torchrun is an
    error, :func:`~kd_plugins.utils.distributed.check_launcher_env`; then
    :func:`~kd_plugins.utils.distributed.prepare_distributed`).
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


def read_config(path: str) -> Config:
    """Read a config file; the single hook for config translations
    (configs written for mmcls are translated to mmpretrain)."""
    from .mmcls_compat import load_config as load_translated
    return load_translated(path)


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


# ---------------------------------------------------------------- diagnosis
def _base_entries(path: str) -> List[Tuple[str, int]]:
    """``[(base, line)]`` of the ``_base_`` assignment in a config file
    (raises SyntaxError with the file name and line)."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), filename=path)
    entries = []
    for node in tree.body:
        if not isinstance(node, ast.Assign) or not any(
                isinstance(t, ast.Name) and t.id == '_base_'
                for t in node.targets):
            continue
        values = node.value.elts if isinstance(
            node.value, (ast.List, ast.Tuple)) else [node.value]
        entries += [(v.value, v.lineno) for v in values
                    if isinstance(v, ast.Constant) and isinstance(
                        v.value, str)]
    return entries


def _package_config(base: str) -> Tuple[str, Optional[str]]:
    """Return ``(package, file or None when not installed)`` for a
    ``package::relative/path.py`` base."""
    package, rel = base.split('::', 1)
    try:
        from mmengine.utils import get_installed_path
        root = get_installed_path(package)
    except Exception:
        return package, None
    return package, osp.join(root, '.mim', 'configs', rel)


def _chain_problem(path: str, seen=None) -> Optional[str]:
    """Walk the ``_base_`` chain of ``path``; describe the first problem."""
    seen = set() if seen is None else seen
    path = osp.abspath(path)
    if path in seen:
        return None
    seen.add(path)
    try:
        entries = _base_entries(path)
    except SyntaxError as e:
        return f'{e.filename}:{e.lineno}: syntax error: {e.msg}'
    except (OSError, UnicodeDecodeError) as e:
        return f'cannot read config {path}: {e}'
    for base, line in entries:
        where = f'{path}:{line}'
        if base.startswith('mmcls::'):
            return (f"{where}: base config '{base}' is in the mmcls scope "
                    '(the old name of mmpretrain) and has no mmpretrain '
                    "counterpart; inherit a matching 'mmpretrain::' config")
        if '::' in base:
            package, file = _package_config(base)
            if file is None:
                return (f"{where}: base config '{base}': package "
                        f"'{package}' is not installed")
            if not osp.isfile(file):
                return f"{where}: base config '{base}' not found ({file})"
            problem = _chain_problem(file, seen)
        else:
            file = osp.join(osp.dirname(path), base)
            if not osp.isfile(file):
                return (f"{where}: base config '{base}' not found "
                        f'({osp.normpath(file)})')
            problem = _chain_problem(file, seen)
        if problem:
            return problem
    return None


def _config_files(path: str, seen=None) -> Iterator[str]:
    seen = set() if seen is None else seen
    path = osp.abspath(path)
    if path in seen or not osp.isfile(path):
        return
    seen.add(path)
    yield path
    try:
        entries = _base_entries(path)
    except (SyntaxError, OSError, UnicodeDecodeError):
        return
    for base, _ in entries:
        if '::' in base:
            file = _package_config(base)[1]
        else:
            file = osp.join(osp.dirname(path), base)
        if file:
            yield from _config_files(file, seen)


def _one_line(text: str) -> str:
    return ' '.join(str(text).split())


def describe_config_error(path: str, exc: BaseException) -> str:
    """One line for an exception raised while reading config ``path``."""
    if '::' not in path:
        problem = _chain_problem(path)
        if problem:
            return problem
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
    message = f'{type(exc).__name__}: {_one_line(message)}'
    files = set(_config_files(path)) if '::' not in path else set()
    where = None
    tb = exc.__traceback__
    while tb is not None:  # innermost line executed in one of the configs
        if osp.abspath(tb.tb_frame.f_code.co_filename) in files:
            where = f'{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}'
        tb = tb.tb_next
    if where:
        return f'{where}: {message}'
    return f'cannot load config {path}: {message}'
