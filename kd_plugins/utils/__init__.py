"""Helpers for the command-line tools and benchmarks (nothing registered)."""
from .checkpoint import (CheckpointError, CheckpointMismatchError,
                         CheckpointNotFoundError, UnsafeCheckpointError,
                         load_checkpoint_file, load_teacher, load_weights)
from .errors import UserInputError
from .quiet import silence_known_noise

__all__ = [
    'UserInputError', 'CheckpointError', 'CheckpointMismatchError',
    'CheckpointNotFoundError', 'UnsafeCheckpointError',
    'load_checkpoint_file', 'load_teacher', 'load_weights',
    'silence_known_noise'
]
