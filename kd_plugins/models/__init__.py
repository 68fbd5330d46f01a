from . import algorithms, backbones, connectors, generators, losses  # noqa: F401

__all__ = ['algorithms', 'backbones', 'connectors', 'generators', 'losses']
