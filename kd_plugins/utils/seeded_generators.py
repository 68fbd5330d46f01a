"""Seeded ``torch.Generator`` helpers: the one random-source utility of
the package (TeKAP losses, SSD-KD draws)."""
from typing import Dict, Optional, Union

import torch

__all__ = ['SeededGenerators', 'derive_seed']


def derive_seed(seed: int, *keys: int) -> int:
    """Mix ``keys`` into ``seed`` deterministically (same on every rank).

    Args:
        seed (int): Base seed.
        *keys (int): Integers such as a purpose tag, a step and a rank.

    Returns:
        int: A non-negative 63-bit seed.
    """
    out = int(seed)
    for k in keys:
        out = (out * 1000003 + int(k)) % (2**63 - 1)
    return out


class SeededGenerators:
    """Lazily create one generator per device, all seeded with ``seed``.

    Noise drawn from them is reproducible across runs and still fresh on
    every call. Copies and pickles start again from ``seed`` (generators are
    not carried over).

    Args:
        seed (int, optional): The seed. None means no private generator:
            :meth:`get` returns None and callers use the global RNG.
            Defaults to None.
    """

    def __init__(self, seed: Optional[int] = None) -> None:
        self.seed = seed
        self._generators: Dict[str, torch.Generator] = {}

    def get(self, device: torch.device) -> Optional[torch.Generator]:
        """Return the generator for ``device`` (None if unseeded)."""
        if self.seed is None:
            return None
        key = str(device)
        if key not in self._generators:
            gen = torch.Generator(device=device)
            gen.manual_seed(self.seed)
            self._generators[key] = gen
        return self._generators[key]

    def fork(self, *keys: int,
             device: Union[str, torch.device] = 'cpu') -> torch.Generator:
        """A fresh generator seeded by ``derive_seed(seed, *keys)``.

        Unlike :meth:`get`, the result depends only on the seed and the
        keys, so e.g. the draws of step ``k`` are reproducible after a
        resume and identical on every rank. An unseeded instance uses 0.

        Args:
            *keys (int): Integers mixed into the seed.
            device (str | torch.device): Device of the generator.
                Defaults to 'cpu'.

        Returns:
            torch.Generator: The new generator.
        """
        gen = torch.Generator(device=device)
        gen.manual_seed(derive_seed(self.seed or 0, *keys))
        return gen

    def __getstate__(self) -> dict:
        return {'seed': self.seed, '_generators': {}}
