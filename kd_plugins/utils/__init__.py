"""Package-wide helpers (nothing registered)."""
from .errors import UserInputError
from .seeded_generators import SeededGenerators, derive_seed

__all__ = ['UserInputError', 'SeededGenerators', 'derive_seed']
