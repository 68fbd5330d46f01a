"""The CIFAR zoo: RepDistiller's parameter counts, and every
``configs/_base_/models/cifar/*.py`` builds a trainable classifier."""
import pytest
import torch
from _helpers import REPO_ROOT
from mmengine.config import Config
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

CONFIG_DIR = REPO_ROOT / 'configs' / '_base_' / 'models' / 'cifar'
CONFIGS = sorted(CONFIG_DIR.glob('*.py'))

# Exact parameter counts of RepDistiller's models built with num_classes=100
# (backbone + 100-way Linear), with the CRD paper's rounded figures.
EXPECTED_PARAMS = {
    # models/resnet.py; CRD: resnet56 0.86M, resnet8x4 1.23M, resnet32x4 7.43M
    'resnet8': 83892,
    'resnet14': 181108,
    'resnet20': 278324,
    'resnet32': 472756,
    'resnet44': 667188,
    'resnet56': 861620,
    'resnet110': 1736564,
    'resnet8x4': 1233540,
    'resnet32x4': 7433860,
    # models/wrn.py; CRD: wrn_40_2 2.26M, wrn_16_2 0.70M, wrn_40_1 0.57M
    'wrn_16_1': 180916,
    'wrn_16_2': 703284,
    'wrn_40_1': 569780,
    'wrn_40_2': 2255156,
    # models/vgg.py *_bn models; CRD: vgg13 9.46M, vgg8 3.96M. Their
    # classifier is AdaptiveAvgPool2d(1) + Linear(512, 100), i.e.
    # GlobalAveragePooling + LinearClsHead here.
    'vgg8': 3965028,
    'vgg11': 9277284,
    'vgg13': 9462180,
    'vgg16': 14774436,
    'vgg19': 20086692,
    # mobile_half(100); CRD "MobileNetV2": 0.81M
    'mobile_half': 812836,
    # ShuffleV1 / ShuffleV2; CRD: 0.95M / 1.36M
    'ShuffleV1': 949258,
    'ShuffleV2': 1355528,
    # models/resnetv2.py
    'ResNet18': 11220132,
    'ResNet34': 21328292,
    'ResNet50': 23705252,
}
ZOO = set(EXPECTED_PARAMS)


@pytest.mark.parametrize('name', sorted(EXPECTED_PARAMS))
def test_param_count_matches_repdistiller(zoo, name):
    assert zoo.count_with_linear(name) == EXPECTED_PARAMS[name]


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
