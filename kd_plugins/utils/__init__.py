"""Package-wide helpers (nothing registered): tool errors, safe checkpoint
loading, seeded random generators, known-noise filters, model unwrapping."""
from .checkpoint import (CheckpointError, CheckpointMismatchError,
                         CheckpointNotFoundError, UnsafeCheckpointError,
                         load_checkpoint_file, load_teacher, load_weights)
from .errors import UserInputError
from .model import unwrap_model
from .quiet import silence_known_noise
from .seeded_generators import SeededGenerators, derive_seed

__all__ = [
    'UserInputError', 'CheckpointError', 'CheckpointMismatchError',
    'CheckpointNotFoundError', 'UnsafeCheckpointError',
    'load_checkpoint_file', 'load_teacher', 'load_weights',
    'silence_known_noise', 'SeededGenerators', 'derive_seed', 'unwrap_model'
]
