from . import (algorithms, backbones, connectors, generators, losses,  # noqa
               necks, wrappers)

__all__ = [
    'algorithms', 'backbones', 'connectors', 'generators', 'losses', 'necks',
    'wrappers'
]
