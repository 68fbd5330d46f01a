"""Every ``configs/_base_/models/cifar/*.py`` builds a trainable classifier."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402

import kd_plugins  # noqa: F401

CONFIG_DIR = Path(__file__).resolve().parents[3] / 'configs' / '_base_' / \
    'models' / 'cifar'
CONFIGS = sorted(CONFIG_DIR.glob('*.py'))


ZOO = {
    'resnet8', 'resnet14', 'resnet20', 'resnet32', 'resnet44', 'resnet56',
    'resnet110', 'resnet8x4', 'resnet32x4', 'wrn_16_1', 'wrn_16_2',
    'wrn_40_1', 'wrn_40_2', 'vgg8', 'vgg11', 'vgg13', 'vgg16', 'vgg19',
    'mobile_half', 'ShuffleV1', 'ShuffleV2', 'ResNet18', 'ResNet34',
    'ResNet50'
}


def test_every_zoo_name_has_a_config_and_is_registered():
    assert {p.stem for p in CONFIGS} == ZOO
    for name in ZOO:
        assert MODELS.get(name) is not None, name


@pytest.mark.parametrize('path', CONFIGS, ids=[p.stem for p in CONFIGS])
def test_config_builds_and_trains(path):
    cfg = Config.fromfile(str(path)).model
    assert cfg.backbone.type == path.stem
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    assert model.head.fc.in_features == model.backbone.out_channels[-1]
    assert model.head.fc.out_features == 100
    inputs = torch.randn(2, 3, 32, 32)
    samples = [DataSample().set_gt_label(3), DataSample().set_gt_label(97)]
    losses = model(inputs, samples, mode='loss')
    loss = losses['loss']
    assert torch.isfinite(loss) and loss.item() > 0
    loss.backward()
    first_conv = next(m for m in model.backbone.modules()
                      if isinstance(m, torch.nn.Conv2d))
    assert first_conv.weight.grad is not None
    assert first_conv.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        logits = model(inputs, mode='tensor')
    assert logits.shape == (2, 100)
