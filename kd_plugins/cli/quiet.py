"""Silence the stack's known deprecation noise, by message, nothing else.

Every training run on this stack prints the same lines that a user can do
nothing about (mmengine's own ``CheckpointHook`` creates a ``FileClient``;
mmengine's ``is_installed`` imports ``pkg_resources``). The tools call
:func:`silence_known_noise` once; each entry below is matched by its message,
so every other warning and log line still shows.
"""
import logging
import re
import warnings
from typing import List, Tuple, Type

from kd_plugins.compat import filter_every_mmlogger

__all__ = [
    'KNOWN_LOG_MESSAGES', 'KNOWN_WARNINGS', 'KnownNoiseFilter',
    'silence_known_noise'
]

#: Python warnings: (message regex, category). Origin in the comment.
KNOWN_WARNINGS: List[Tuple[str, Type[Warning]]] = [
    # setuptools, when mmengine.utils.is_installed imports pkg_resources
    # (``mmpretrain::`` / ``mmrazor::`` config paths)
    (r'pkg_resources is deprecated as an API', UserWarning),
]

#: mmengine log records (``print_log(..., level=WARNING)``), message regexes.
KNOWN_LOG_MESSAGES: List[str] = [
    # mmengine CheckpointHook.before_train / save_checkpoint (mmengine 0.10)
    r'^"FileClient" will be deprecated in future',
    r'^"HardDiskBackend" is the alias of "LocalBackend"',
]


class KnownNoiseFilter(logging.Filter):
    """Drops log records whose message matches :data:`KNOWN_LOG_MESSAGES`."""

    patterns = [re.compile(p) for p in KNOWN_LOG_MESSAGES]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(p.search(message) for p in self.patterns)


_FILTER = KnownNoiseFilter()


def silence_known_noise() -> None:
    """Ignore :data:`KNOWN_WARNINGS` and filter :data:`KNOWN_LOG_MESSAGES`
    from every mmengine ``MMLogger`` (existing and future, through
    :func:`kd_plugins.compat.filter_every_mmlogger`). Idempotent."""
    for message, category in KNOWN_WARNINGS:
        warnings.filterwarnings('ignore', message=message, category=category)
    filter_every_mmlogger(_FILTER)
