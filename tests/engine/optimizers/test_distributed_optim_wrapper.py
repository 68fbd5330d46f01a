"""Gradient-averaging optim wrappers (mmrazor.Distributed*OptimWrapper)."""
import pytest
import torch
from _helpers import spawn_gloo
from mmengine.optim import AmpOptimWrapper, OptimWrapper, build_optim_wrapper
from mmengine.registry import DefaultScope
from torch import nn

from kd_plugins.engine.optimizers import (DistributedAmpOptimWrapper,
                                          DistributedOptimWrapper)


def _amp_on_cpu(monkeypatch):
    """AmpOptimWrapper refuses to be built without an accelerator; its
    GradScaler then disables itself, which is enough to test ``step``."""
    from mmengine.optim.optimizer import amp_optimizer_wrapper
    monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available',
                        lambda: True)


def _build(type_name, model, lr=0.5):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return build_optim_wrapper(
            model,
            dict(type=type_name, optimizer=dict(type='SGD', lr=lr)))


@pytest.mark.filterwarnings('ignore::FutureWarning')
def test_registered_in_mmrazor_and_subclasses(monkeypatch):
    _amp_on_cpu(monkeypatch)
    plain = _build('mmrazor.DistributedOptimWrapper', nn.Linear(2, 1))
    assert type(plain) is DistributedOptimWrapper
    assert isinstance(plain, OptimWrapper) and plain.averages_gradients
    with pytest.warns(UserWarning):  # the scaler disables itself on CPU
        amp = _build('mmrazor.DistributedAmpOptimWrapper', nn.Linear(2, 1))
    assert type(amp) is DistributedAmpOptimWrapper
    assert isinstance(amp, AmpOptimWrapper) and amp.averages_gradients
    assert not getattr(OptimWrapper, 'averages_gradients', False)


def test_one_process_steps_like_the_plain_wrapper():
    torch.manual_seed(0)
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    x = torch.randn(4, 3)
    for model, wrapper in ((a, DistributedOptimWrapper), (b, OptimWrapper)):
        ow = wrapper(torch.optim.SGD(model.parameters(), lr=0.1),
                     clip_grad=dict(max_norm=0.1))
        ow.update_params(model(x).square().mean())
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)


def _worker(rank, world_size, out):
    import warnings

    from mmengine.optim.optimizer import amp_optimizer_wrapper
    amp_optimizer_wrapper.is_cuda_available = lambda: True
    states = {}
    for wrapper in (DistributedOptimWrapper, DistributedAmpOptimWrapper):
        torch.manual_seed(0)  # same start on every rank
        model = nn.Linear(3, 1)
        frozen = nn.Linear(3, 1)
        frozen.requires_grad_(False)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ow = wrapper(optimizer=torch.optim.SGD(
                list(model.parameters()) + list(frozen.parameters()),
                lr=0.5))
        x = torch.full((1, 3), float(rank + 1))  # different data per rank
        ow.update_params(model(x).sum())
        states[wrapper.__name__] = {
            k: v.clone() for k, v in model.state_dict().items()}
    torch.save(states, f'{out}.{rank}')


@pytest.mark.dist
def test_two_ranks_average_before_the_update(tmp_path):
    out = tmp_path / 'state'
    spawn_gloo(_worker, nprocs=2, args=(str(out), ))
    r0, r1 = torch.load(f'{out}.0'), torch.load(f'{out}.1')
    torch.manual_seed(0)
    init = nn.Linear(3, 1).state_dict()
    assert sorted(r0) == ['DistributedAmpOptimWrapper',
                          'DistributedOptimWrapper']
    for name, s0 in r0.items():
        # d sum(w x + b) / dw = x: ranks have x = 1 and x = 2, mean 1.5
        torch.testing.assert_close(s0['weight'], init['weight'] - 0.5 * 1.5)
        torch.testing.assert_close(s0['bias'], init['bias'] - 0.5)
        for k in s0:
            assert torch.equal(s0[k], r1[name][k]), (name, k)
