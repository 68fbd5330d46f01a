"""kd_plugins.models.backbones._utils: helpers shared by the CIFAR zoo."""
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

import kd_plugins  # noqa: F401
from kd_plugins.models.backbones._utils import (PostActivationBlock,
                                                arch_setting, zoo_init_cfg)


def test_arch_setting_returns_the_entry_or_lists_the_choices():
    table = {18: 'basic', 50: 'bottleneck'}
    assert arch_setting(table, 50, 'depth', 'Net') == 'bottleneck'
    with pytest.raises(ValueError,
                       match=r'Net: depth must be one of \[18, 50\], got 34'):
        arch_setting(table, 34, 'depth', 'Net')


def test_zoo_init_cfg_keeps_a_given_config():
    mine = dict(type='Constant', val=0, layer='Conv2d')
    assert zoo_init_cfg(mine) is mine
    assert zoo_init_cfg([]) == []  # an explicit "no init" stays empty
    default = zoo_init_cfg(None)
    assert default[0]['type'] == 'Kaiming'
    assert default[0]['mode'] == 'fan_out'


@pytest.mark.parametrize('name', ['resnet8', 'ResNet18', 'ShuffleV1'])
def test_last_block_of_each_stage_runs_as_a_module(name):
    """Forward hooks (recorders) on a stage's last block see its output."""
    torch.manual_seed(0)
    backbone = MODELS.build(dict(type=name, out_indices=(1, 2, 3)))
    backbone.eval()  # BaseBackbone.train returns None: no chaining
    seen = []
    for i in (1, 2, 3):
        block = getattr(backbone, f'layer{i}')[-1]
        assert isinstance(block, PostActivationBlock)
        block.register_forward_hook(lambda m, args, out: seen.append(out))
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        feats = backbone(x)
        block = backbone.layer1[-1]
        stem = F.relu(backbone.bn1(backbone.conv1(x)))
        pre = block.forward_preact(backbone.layer1[:-1](stem))
    assert len(seen) == 3
    for hooked, feat in zip(seen, feats):
        assert torch.equal(hooked, feat)
    assert torch.equal(F.relu(pre), feats[0])
