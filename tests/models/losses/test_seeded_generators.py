import copy
import pickle

import torch

from kd_plugins.models.losses.seeded_generators import SeededGenerators


def test_per_device_generator_is_seeded_cached_and_reset_on_copy():
    gens = SeededGenerators(seed=3)
    cpu = torch.device('cpu')
    first = torch.randn(4, generator=gens.get(cpu))
    second = torch.randn(4, generator=gens.get(cpu))
    assert gens.get(cpu) is gens.get(cpu)
    assert not torch.equal(first, second)  # fresh noise each draw
    for clone in (copy.deepcopy(gens), pickle.loads(pickle.dumps(gens))):
        assert clone.seed == 3
        assert torch.equal(torch.randn(4, generator=clone.get(cpu)), first)
    assert SeededGenerators(None).get(cpu) is None
