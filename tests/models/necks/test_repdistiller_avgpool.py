"""RepDistillerAvgPool: the exact op of RepDistiller's CIFAR models.

No RepDistiller checkout needed; the comparison with the original code is in
tests/tools/test_convert_repdistiller_ckpt.py (``REPDISTILLER_ROOT``).
"""
import pytest
import torch
import torch.nn.functional as F
from _helpers import REPO_ROOT
from mmengine.config import Config
from mmpretrain.registry import MODELS  # noqa: E402

import kd_plugins  # noqa: F401

CONFIG_DIR = REPO_ROOT / 'configs' / '_base_' / 'models' / 'cifar'
# kernel of the final pool in RepDistiller's models/*.py (None: it pools
# adaptively or over the whole map with the same op as GlobalAveragePooling)
REPDISTILLER_KERNEL = {
    **{a: 8 for a in ('resnet8', 'resnet14', 'resnet20', 'resnet32',
                      'resnet44', 'resnet56', 'resnet110', 'resnet8x4',
                      'resnet32x4', 'wrn_16_1', 'wrn_16_2', 'wrn_40_1',
                      'wrn_40_2')},
    'ShuffleV1': 4, 'ShuffleV2': 4,
}


@pytest.mark.parametrize('kernel,size', [(8, 8), (4, 4)])
def test_neck_is_avg_pool2d_bit_for_bit(kernel, size):
    torch.manual_seed(0)
    neck = MODELS.build(dict(type='RepDistillerAvgPool', kernel_size=kernel))
    x = torch.randn(3, 64, size, size) * 10 + 3
    expected = F.avg_pool2d(x, kernel).view(3, -1)
    out = neck(x)
    assert out.shape == (3, 64)
    assert torch.equal(out, expected)
    assert torch.equal(out, torch.nn.AvgPool2d(kernel)(x).flatten(1))
    # a tuple (backbone output) is pooled map by map
    outs = neck((x, x[:, :5]))
    assert torch.equal(outs[0], expected) and torch.equal(outs[1],
                                                          expected[:, :5])
    # same value as global average pooling up to float32 rounding
    torch.testing.assert_close(out, x.mean((2, 3)))


def test_neck_rejects_a_map_its_window_does_not_cover():
    neck = MODELS.build(dict(type='RepDistillerAvgPool', kernel_size=8))
    with pytest.raises(ValueError, match='GlobalAveragePooling'):
        neck(torch.randn(2, 4, 16, 16))
    with pytest.raises(TypeError):
        neck([torch.randn(2, 4, 8, 8)])


@pytest.mark.parametrize('path', sorted(CONFIG_DIR.glob('*.py')),
                         ids=lambda p: p.stem)
def test_zoo_configs_pool_as_repdistiller(path):
    neck = Config.fromfile(str(path)).model.neck
    kernel = REPDISTILLER_KERNEL.get(path.stem)
    if kernel is None:
        assert neck.type == 'GlobalAveragePooling'
    else:
        assert neck.type == 'RepDistillerAvgPool'
        assert neck.kernel_size == kernel


@pytest.mark.parametrize('arch', ['resnet8', 'ShuffleV2'])
def test_config_with_the_neck_builds_and_pools_exactly(arch):
    cfg = Config.fromfile(str(CONFIG_DIR / f'{arch}.py')).model
    torch.manual_seed(0)
    model = MODELS.build(cfg).eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        feat = model.backbone(x)[-1]
        logits = model(x, mode='tensor')
        expected = model.head.fc(
            F.avg_pool2d(feat, REPDISTILLER_KERNEL[arch]).flatten(1))
    assert logits.shape == (2, 100)
    assert torch.equal(logits, expected)
