import copy

import pytest
import torch
from _helpers import spawn_gloo
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmrazor.registry import MODEL_WRAPPERS
from torch import nn

from kd_plugins.engine.optimizers import DistributedOptimWrapper
from kd_plugins.models.wrappers import DistributedAlgorithmWrapper


class TwoOptimizerModel(BaseModel):
    """Toy algorithm with its own train_step and two optimizers."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        self.stats = nn.BatchNorm1d(1)  # buffers that differ per rank
        self.critic = nn.Linear(1, 1)
        self.unused = nn.Linear(2, 2)  # never gets a gradient
        self.calls = 0

    def forward(self, x, mode='tensor'):
        return self.net(x)

    def train_step(self, data, optim_wrapper):
        self.calls += 1
        x, y = data
        out = self.net(x)
        self.stats(out.detach())
        loss_net = ((out - y)**2).mean()
        optim_wrapper['net'].update_params(loss_net)
        loss_critic = (self.critic(out.detach())**2).mean()
        optim_wrapper['critic'].update_params(loss_critic)
        return dict(loss_net=loss_net.detach(), loss_critic=loss_critic)


def make_optim(model, wrapper=DistributedOptimWrapper):
    return OptimWrapperDict(
        net=wrapper(torch.optim.SGD(
            list(model.net.parameters()) + list(model.unused.parameters()),
            lr=0.1, weight_decay=0.01)),
        critic=wrapper(torch.optim.SGD(model.critic.parameters(), lr=0.1)))


def batches(rank, world_size, steps=3, per_rank=4):
    g = torch.Generator().manual_seed(123)
    out = []
    for _ in range(steps):
        x = torch.randn(world_size * per_rank, 4, generator=g)
        y = torch.randn(world_size * per_rank, 1, generator=g)
        if rank is None:
            out.append((x, y))
        else:
            sl = slice(rank * per_rank, (rank + 1) * per_rank)
            out.append((x[sl], y[sl]))
    return out


def _worker(rank, world_size, result_path):
    model = TwoOptimizerModel()
    if rank == 1:  # different start on rank 1: the wrapper must broadcast
        with torch.no_grad():
            for p in model.parameters():
                p.add_(1.0)
    wrapped = MODEL_WRAPPERS.build(
        dict(type='DistributedAlgorithmWrapper', device_ids=[rank],
             find_unused_parameters=True),
        default_args=dict(module=model))
    # an optim wrapper that does not average is refused, in one line
    with pytest.raises(TypeError) as err:
        wrapped.train_step(batches(rank, world_size)[0],
                           make_optim(model, OptimWrapper))
    assert str(err.value).startswith(
        'DistributedAlgorithmWrapper: optim_wrapper.net (OptimWrapper) does '
        'not average gradients over the 2 ranks')
    assert "optim_wrapper.net.type='mmrazor.DistributedOptimWrapper'" in \
        str(err.value) and '\n' not in str(err.value)
    assert model.calls == 0
    optim = make_optim(model)
    for data in batches(rank, world_size):
        wrapped.train_step(data, optim)
    assert model.calls == 3
    assert model.unused.weight.grad is None
    torch.save({k: v.clone() for k, v in model.state_dict().items()},
               f'{result_path}.{rank}')


@pytest.mark.dist
def test_two_ranks_stay_identical_and_match_large_batch(tmp_path):
    result = tmp_path / 'state'
    spawn_gloo(_worker, nprocs=2, args=(str(result), ))
    s0 = torch.load(f'{result}.0')
    s1 = torch.load(f'{result}.1')
    for k in s0:
        assert torch.equal(s0[k], s1[k]), k
    # Averaged gradients of two equal half-batches equal the gradient of
    # the full batch: a single process on the whole batch ends with the
    # same weights.
    single = TwoOptimizerModel()
    optim = make_optim(single)
    for data in batches(None, 2):
        single.train_step(data, optim)
    ref = single.state_dict()
    for k in ['net.0.weight', 'net.2.weight', 'critic.weight',
              'critic.bias']:
        torch.testing.assert_close(s0[k], ref[k], rtol=1e-4, atol=1e-5)
    # the wrapper was really synchronising: the start perturbation of
    # rank 1 and the different data did not make the replicas diverge
    assert not torch.equal(s0['net.2.weight'],
                           TwoOptimizerModel().state_dict()['net.2.weight'])


def test_single_process_is_transparent():
    model = TwoOptimizerModel()
    reference = copy.deepcopy(model)
    wrapped = DistributedAlgorithmWrapper(model)
    data = batches(None, 1)[0]
    # alone, any optim wrapper is accepted and nothing is averaged
    out = wrapped.train_step(data, make_optim(model, OptimWrapper))
    reference.train_step(data, make_optim(reference, OptimWrapper))
    assert set(out) == {'loss_net', 'loss_critic'}
    for (k, a), b in zip(model.state_dict().items(),
                         reference.state_dict().values()):
        assert torch.equal(a, b), k
    # the optim wrappers are not modified (no per-instance replacement)
    optim = make_optim(model)
    wrapped.train_step(data, optim)
    assert 'step' not in vars(optim['net'])
    assert torch.equal(wrapped(data[0]), model(data[0]))


class Excluding(nn.Module):
    broadcast_exclude = ('big', )

    def __init__(self):
        super().__init__()
        self.register_buffer('big', torch.zeros(3))
        self.register_buffer('small', torch.zeros(1))


def test_replicated_state_is_parameters_and_buffers_minus_declared():
    from kd_plugins.models.wrappers import replicated_state
    model = nn.Sequential(nn.BatchNorm1d(2), Excluding())
    ids = {id(t) for t in replicated_state(model)}
    expected = list(model.parameters()) + [
        model[0].running_mean, model[0].running_var,
        model[0].num_batches_tracked, model[1].small
    ]
    assert ids == {id(t) for t in expected}
    assert id(model[1].big) not in ids
    buffers = {id(t) for t in replicated_state(model, parameters=False)}
    assert buffers == ids - {id(p) for p in model.parameters()}
