from types import SimpleNamespace

import pytest
import torch
from _helpers import build_afd
from mmrazor.registry import HOOKS

from kd_plugins.engine.hooks import CyclicDistillHook
from kd_plugins.models.wrappers import DistributedAlgorithmWrapper
from kd_plugins.utils import UserInputError


@pytest.mark.parametrize('num, logit_peers, expected', [
    (2, 'cyclic', 'net0 <- feature net1, logits net1, '
     'net1 <- feature net0, logits net0'),
    (3, 'all', 'net0 <- feature net2, logits net1+net2, '
     'net1 <- feature net0, logits net0+net2, '
     'net2 <- feature net1, logits net0+net1'),
    (4, 'cyclic', 'net0 <- feature net3, logits net3, '
     'net1 <- feature net0, logits net0, '
     'net2 <- feature net1, logits net1, '
     'net3 <- feature net2, logits net2'),
])
def test_logs_the_algorithms_pairing_without_changing_it(
        num, logit_peers, expected):
    model = build_afd(num, adversarial=False, logit_peers=logit_peers)
    before = model.get_pairing()
    hook = HOOKS.build(dict(type='CyclicDistillHook'))
    assert CyclicDistillHook.describe(model) == expected
    runner = SimpleNamespace(model=DistributedAlgorithmWrapper(model))
    hook.before_train(runner)
    assert model.get_pairing() == before


def test_the_hook_holds_no_pairing_of_its_own():
    # the old default (hook logit_peers='cyclic') silently overrode 'all'
    for name in ('logit_peers', 'feature_peers'):
        with pytest.raises(UserInputError,
                           match=f'{name} is set in the algorithm config'):
            CyclicDistillHook(**{name: 'cyclic'})
    assert not hasattr(CyclicDistillHook(), 'logit_peers')


def test_bad_models():
    with pytest.raises(TypeError, match='not an OnlineDistillAlgorithm'):
        CyclicDistillHook().before_train(
            SimpleNamespace(model=torch.nn.Linear(2, 2)))
