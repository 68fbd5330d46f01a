"""AFD's own train_step under 2-process gloo (DistributedAlgorithmWrapper)."""
import pytest
import torch
from _helpers import afd_optim_wrappers as optim_wrappers
from _helpers import build_afd, fake_batch, spawn_gloo
from mmengine.optim import OptimWrapperDict
from mmrazor.registry import MODEL_WRAPPERS

from kd_plugins.engine.optimizers import DistributedOptimWrapper


def _worker(rank, world_size, result_path, update):
    torch.manual_seed(0)
    model = build_afd(2, bases=[8, 16], update=update)
    init = {k: v.clone() for k, v in model.state_dict().items()}
    if rank == 1:  # a different start: the wrapper must broadcast rank 0's
        with torch.no_grad():
            for p in model.parameters():
                p.add_(0.5)
    wrapped = MODEL_WRAPPERS.build(
        dict(type='mmrazor.DistributedAlgorithmWrapper'),
        default_args=dict(module=model))
    optim = OptimWrapperDict(**{
        k: DistributedOptimWrapper(w.optimizer)
        for k, w in optim_wrappers(model, net_momentum=0.9, adv_type='Adam',
                                   disc_type='Adam').items()})
    calls = []
    original = model.update_discriminators

    def counting(*args, **kwargs):  # proves the algorithm's own step ran
        calls.append(1)
        return original(*args, **kwargs)

    model.update_discriminators = counting
    for it in range(2):  # each rank sees different data
        out = wrapped.train_step(fake_batch(seed=10 * it + rank), optim)
    assert len(calls) == 2 and 'disc.loss' in out
    state = {k: v.clone() for k, v in model.state_dict().items()}
    torch.save(dict(state=state, init=init, opt=optim.state_dict()),
               f'{result_path}.{rank}')


@pytest.mark.dist
@pytest.mark.parametrize('update', ['alternating', 'joint'])
def test_afd_train_step_two_gloo_ranks_stay_identical(tmp_path, update):
    result = tmp_path / 'afd'
    spawn_gloo(_worker, nprocs=2, args=(str(result), update))
    r0 = torch.load(f'{result}.0', weights_only=False)
    r1 = torch.load(f'{result}.1', weights_only=False)
    for key, value in r0['state'].items():
        assert torch.equal(value, r1['state'][key]), key
    # momentum/Adam buffers of every optimizer (adv{k} too) agree
    assert sorted(r0['opt']) == (
        ['adv0', 'adv1', 'discriminators', 'net0', 'net1']
        if update == 'alternating' else ['adv0', 'discriminators', 'net0',
                                         'net1'])
    for name, opt_state in r0['opt'].items():
        assert opt_state['state'], name
        for idx, s in opt_state['state'].items():
            for k, v in s.items():
                if torch.is_tensor(v):
                    assert torch.equal(v, r1['opt'][name]['state'][idx][k])
    # training happened for networks, transfer layer and discriminators
    for prefix in ('networks.0.backbone.conv1.weight',
                   'networks.1.head.fc.weight',
                   'transfers.0.transfer.0.weight',
                   'discriminators.1.layers.0.weight'):
        assert not torch.equal(r0['state'][prefix], r0['init'][prefix])
