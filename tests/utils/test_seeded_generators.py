import copy
import pickle

import torch

from kd_plugins.utils import SeededGenerators


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


def test_fork_depends_only_on_seed_and_keys():
    from kd_plugins.utils import derive_seed
    gens = SeededGenerators(seed=5)
    a = torch.randn(3, generator=gens.fork(1, 2))
    assert torch.equal(a, torch.randn(3, generator=gens.fork(1, 2)))
    assert not torch.equal(a, torch.randn(3, generator=gens.fork(2, 1)))
    assert derive_seed(5, 1, 2) != derive_seed(5, 2, 1)
    assert 0 <= derive_seed(2**62, 2**40) < 2**63 - 1
