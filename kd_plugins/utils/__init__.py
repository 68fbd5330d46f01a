"""Helpers for the command-line tools and benchmarks (nothing registered)."""
from .errors import UserInputError
from .quiet import silence_known_noise

__all__ = ['UserInputError', 'silence_known_noise']
