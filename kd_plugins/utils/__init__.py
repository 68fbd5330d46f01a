"""Helpers for the command-line tools and benchmarks (nothing registered)."""
from .errors import UserInputError

__all__ = ['UserInputError']
