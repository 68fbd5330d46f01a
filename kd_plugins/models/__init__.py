from . import (algorithms, backbones, connectors, generators, losses,  # noqa
               necks)

__all__ = [
    'algorithms', 'backbones', 'connectors', 'generators', 'losses', 'necks'
]
