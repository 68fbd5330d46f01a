import pytest
import torch
from mmrazor.registry import MODELS

from kd_plugins.models.algorithms import PrioritizedReplayBuffer


def make(capacity=4, **kwargs):
    return PrioritizedReplayBuffer(
        capacity=capacity, sample_shape=(1, 2, 2), **kwargs)


def filled(priorities, **kwargs):
    buf = make(capacity=len(priorities), **kwargs)
    n = len(priorities)
    buf.push(torch.arange(n).float().view(n, 1, 1, 1).expand(n, 1, 2, 2),
             torch.tensor(priorities, dtype=torch.float))
    return buf


def test_probabilities_and_is_weights_match_formulas():
    buf = filled([1.0, 2.0, 3.0, 4.0], alpha=0.5, beta=0.4, eps=0.0,
                 weight_norm='buffer')
    p = torch.tensor([1.0, 2.0, 3.0, 4.0]).sqrt()
    p = p / p.sum()
    assert torch.allclose(buf.probabilities(), p, atol=1e-6)
    idx = torch.tensor([3, 0, 2])
    w = (4 * p[idx])**-0.4
    w_max = (4 * p.min())**-0.4  # normalised over the whole buffer
    raw = buf.importance_weights(idx)  # raw (N P)^-beta, not normalised
    assert torch.allclose(raw, w, atol=1e-6)
    assert torch.allclose(buf.normalize_weights(raw), w / w_max, atol=1e-6)
    batch = filled([1.0, 2.0, 3.0, 4.0], alpha=0.5, beta=0.4, eps=0.0,
                   weight_norm='batch')
    assert torch.allclose(batch.normalize_weights(raw), w / w.max(),
                          atol=1e-6)
    mean = filled([1.0, 2.0, 3.0, 4.0], alpha=0.5, beta=0.4, eps=0.0,
                  weight_norm='mean')
    normed = mean.normalize_weights(raw)  # mean 1: the loss scale is kept
    assert torch.allclose(normed, w / w.mean(), atol=1e-6)
    assert normed.mean().item() == pytest.approx(1.0)
    # the lowest-priority sample has normalised weight 1, the others less
    assert buf.normalize_weights(buf.importance_weights(
        torch.tensor([0])))[0] == pytest.approx(1.)
    idx_drawn, w_drawn = buf.sample(5, torch.Generator().manual_seed(0))
    assert torch.allclose(w_drawn, (4 * p[idx_drawn])**-0.4)  # raw weights
    assert buf.importance_weights(torch.tensor([0]))[0] > 1.0
    buf.set_beta(0.0)
    assert torch.allclose(buf.importance_weights(idx), torch.ones(3))


def test_eps_and_alpha_zero_is_uniform():
    buf = filled([0.0, 0.0, 5.0, 1.0], alpha=0.0, beta=0.7)
    assert torch.allclose(buf.probabilities(), torch.full((4, ), 0.25))
    assert torch.allclose(buf.importance_weights(torch.arange(4)),
                          torch.ones(4))
    buf = filled([0.0, 3.0], alpha=1.0, eps=1.0)
    assert torch.allclose(buf.probabilities(), torch.tensor([0.2, 0.8]))


def test_sampling_frequency_follows_priorities():
    buf = filled([1.0, 2.0, 3.0, 4.0], alpha=1.0, eps=0.0)
    g = torch.Generator().manual_seed(0)
    n = 40000
    idx, w = buf.sample(n, g)
    freq = torch.bincount(idx, minlength=4).float() / n
    expected = torch.tensor([0.1, 0.2, 0.3, 0.4])
    # binomial std <= sqrt(0.25 / 40000) = 0.0025; allow 4 sigma
    assert torch.allclose(freq, expected, atol=0.01)
    assert w.shape == (n, ) and idx.dtype == torch.long
    # same seed, same draws (rank consistency relies on this)
    idx2, _ = buf.sample(n, torch.Generator().manual_seed(0))
    assert torch.equal(idx, idx2)


def test_fill_then_replace_lowest_priority():
    buf = make(capacity=4)
    buf.push(torch.zeros(3, 1, 2, 2), torch.tensor([5.0, 1.0, 3.0]))
    assert len(buf) == 3
    # one free slot is filled first, then the lowest old one (slot 1)
    slots = buf.push(torch.ones(2, 1, 2, 2), torch.tensor([7.0, 8.0]))
    assert slots.tolist() == [3, 1]
    assert buf.priorities.tolist() == [5.0, 8.0, 3.0, 7.0]
    assert buf.get(torch.tensor([1, 3])).sum() == 8 and \
        buf.get(torch.tensor([0, 2])).sum() == 0
    # full: the next push replaces the two lowest (3.0 at 2, 5.0 at 0)
    slots = buf.push(torch.full((2, 1, 2, 2), 2.0), torch.tensor([1., 1.]))
    assert sorted(slots.tolist()) == [0, 2]
    assert int(buf.num_pushed) == 7 and len(buf) == 4


def test_fifo_and_random_replacement():
    buf = make(capacity=3, replace='fifo')
    buf.push(torch.zeros(3, 1, 2, 2), torch.tensor([9.0, 0.0, 9.0]))
    assert buf.push(torch.ones(2, 1, 2, 2)).tolist() == [0, 1]
    assert buf.push(torch.ones(2, 1, 2, 2)).tolist() == [2, 0]
    rnd = make(capacity=3, replace='random')
    rnd.push(torch.zeros(3, 1, 2, 2))
    slots = rnd.push(torch.ones(2, 1, 2, 2),
                     generator=torch.Generator().manual_seed(0))
    assert len(set(slots.tolist())) == 2


def test_default_priority_of_new_samples_is_the_max():
    buf = make(capacity=4)
    buf.push(torch.zeros(1, 1, 2, 2))
    assert buf.priorities[0] == 1.0
    buf.push(torch.zeros(1, 1, 2, 2), torch.tensor([4.0]))
    buf.push(torch.zeros(1, 1, 2, 2))
    assert buf.priorities[2] == 4.0


def test_update_priorities_abs_and_last_duplicate_wins():
    buf = filled([1.0, 1.0, 1.0, 1.0])
    buf.update_priorities(torch.tensor([2, 0, 2]),
                          torch.tensor([-3.0, 0.5, 6.0]))
    assert buf.priorities.tolist() == [0.5, 1.0, 6.0, 1.0]
    with pytest.raises(IndexError):
        make().update_priorities(torch.tensor([0]), torch.tensor([1.0]))


def test_state_dict_round_trip_restores_images_and_priorities():
    buf = make(capacity=5, storage_dtype='float16')
    buf.push(torch.randn(3, 1, 2, 2), torch.tensor([1.0, 2.0, 3.0]))
    buf.beta.fill_(0.9)
    state = buf.state_dict()
    # checkpoints hold the filled part only; data-parallel wrappers leave
    # the images (kept identical by the algorithm) out of broadcasts
    assert 'images' not in state and state['_extra_state'].shape[0] == 3
    assert 'images' in dict(buf.named_buffers())
    assert buf.broadcast_exclude == ('images', )
    other = make(capacity=5, storage_dtype='float16')
    other.load_state_dict(state)
    assert len(other) == 3 and other.beta.item() == pytest.approx(0.9)
    assert torch.equal(other.priorities, buf.priorities)
    assert torch.equal(other.images, buf.images)
    with pytest.raises(ValueError, match='capacity'):
        make(capacity=2).load_state_dict(state)


def test_errors_and_registry():
    with pytest.raises(ValueError, match='cannot push'):
        make(capacity=2).push(torch.zeros(3, 1, 2, 2))
    with pytest.raises(ValueError, match='sample shape'):
        make().push(torch.zeros(1, 3, 2, 2))
    with pytest.raises(ValueError, match='replace'):
        make(replace='oldest')
    with pytest.raises(RuntimeError, match='empty'):
        make().sample(2)


def test_non_finite_priorities_are_rejected():
    buf = filled([1.0, 2.0])
    with pytest.raises(ValueError, match='non-finite'):
        buf.update_priorities(torch.tensor([0]), torch.tensor([float('nan')]))
    with pytest.raises(ValueError, match='non-finite'):
        make().push(torch.zeros(1, 1, 2, 2), torch.tensor([float('inf')]))
    assert torch.equal(buf.priorities, torch.tensor([1.0, 2.0]))
    buf = MODELS.build(dict(type='PrioritizedReplayBuffer', capacity=7))
    assert buf.capacity == 7 and buf.images.shape == (7, 3, 32, 32)


def test_store_size_is_checked_before_it_is_allocated():
    buf = PrioritizedReplayBuffer(capacity=10, sample_shape=(3, 4, 4),
                                  storage_dtype='float16')
    assert buf.nbytes == 10 * 48 * 2 == buf.images.numel() * 2
    with pytest.raises(MemoryError, match=r"data_scale 10 x \(3, 4, 4\) "
                       r"float32 needs .*allowed \(max_bytes\).*float16"):
        PrioritizedReplayBuffer(capacity=10, sample_shape=(3, 4, 4),
                                max_bytes=10 * 48 * 4 - 1)
    # far beyond any machine's memory: refused, nothing allocated
    with pytest.raises(MemoryError, match='available'):
        PrioritizedReplayBuffer(capacity=10**9, sample_shape=(3, 512, 512))
