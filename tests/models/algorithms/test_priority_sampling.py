"""priority_sampling: the PER arithmetic as tensor functions."""
import pytest
import torch

from kd_plugins.models.algorithms import priority_sampling as ps


def test_probabilities_and_weights_by_hand():
    p = ps.probabilities(torch.tensor([1., 3.]), eps=0., alpha=1.)
    assert torch.allclose(p, torch.tensor([0.25, 0.75]))
    w = ps.importance_weights(p, torch.tensor([0, 1, 0]), beta=1.)
    assert torch.allclose(w, torch.tensor([2., 2 / 3, 2.]))
    assert torch.allclose(ps.normalize_weights(w, 'buffer', p, 1.),
                          torch.tensor([1., 1 / 3, 1.]))
    assert torch.allclose(ps.normalize_weights(w, 'batch'), w / 2)
    assert torch.allclose(ps.normalize_weights(w, 'mean'), w / w.mean())
    uniform = ps.probabilities(torch.tensor([1., 5., 9.]), 1e-6, alpha=0.)
    assert torch.allclose(uniform, torch.full((3, ), 1 / 3))


def test_replacement_slots_fill_free_slots_first():
    slots, ptr = ps.replacement_slots(torch.tensor([5., 1.]), 4, 3,
                                      'lowest_priority', 0)
    assert slots.tolist() == [2, 3, 1] and ptr == 0


def test_replacement_slots_by_rule():
    prios = torch.tensor([2., 1., 1., 3.])
    low, _ = ps.replacement_slots(prios, 4, 3, 'lowest_priority', 0)
    assert low.tolist() == [1, 2, 0]  # ties to the lower index
    fifo, ptr = ps.replacement_slots(prios, 4, 3, 'fifo', 2)
    assert fifo.tolist() == [2, 3, 0] and ptr == 1
    rnd, _ = ps.replacement_slots(prios, 4, 4, 'random', 0,
                                  torch.Generator().manual_seed(0))
    assert sorted(rnd.tolist()) == [0, 1, 2, 3]


def test_last_occurrence_and_finite_check():
    uniq, last = ps.last_occurrence(torch.tensor([3, 1, 3, 0, 1]))
    assert uniq.tolist() == [0, 1, 3] and last.tolist() == [3, 4, 2]
    ps.check_finite(torch.tensor([0., 1.]))
    with pytest.raises(ValueError, match='non-finite priority'):
        ps.check_finite(torch.tensor([0., float('inf')]))
