"""Per-device ``torch.Generator`` cache for losses with seedable noise."""
from typing import Dict, Optional

import torch

__all__ = ['SeededGenerators']


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

    def __getstate__(self) -> dict:
        return {'seed': self.seed, '_generators': {}}
