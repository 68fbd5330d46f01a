"""Package-wide helpers (nothing registered): the user-error type, safe
checkpoint loading, seeded random generators, model unwrapping.

The bottom layer: nothing here imports another ``kd_plugins`` package."""
from .checkpoint import (CheckpointError, CheckpointMismatchError,
                         CheckpointNotFoundError, UnsafeCheckpointError,
                         load_checkpoint_file, load_teacher, load_weights)
from .errors import UserInputError
from .model import unwrap_model
from .seeded_generators import SeededGenerators, derive_seed

__all__ = [
    'UserInputError', 'CheckpointError', 'CheckpointMismatchError',
    'CheckpointNotFoundError', 'UnsafeCheckpointError',
    'load_checkpoint_file', 'load_teacher', 'load_weights',
    'SeededGenerators', 'derive_seed', 'unwrap_model'
]
