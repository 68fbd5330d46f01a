import pytest
import torch

# parameter counts: test_zoo_configs.py


@pytest.mark.parametrize('name,widths', [('resnet8', (16, 16, 32, 64)),
                                         ('resnet110', (16, 16, 32, 64)),
                                         ('resnet8x4', (32, 64, 128, 256)),
                                         ('resnet32x4', (32, 64, 128, 256))])
def test_stage_shapes_and_out_channels(zoo, name, widths):
    backbone, out = zoo.check_stages(
        name, ((2, widths[0], 32, 32), (2, widths[1], 32, 32),
               (2, widths[2], 16, 16), (2, widths[3], 8, 8)))
    assert backbone.out_indices == (3, )
    assert out.min() >= 0  # after the final ReLU


def test_multi_out_indices(zoo):
    zoo.check_out_indices('resnet20', (0, 2))
    zoo.check_out_indices('resnet20', (1, 2, 3))
    assert zoo.build('resnet20', out_indices=(-1, 1)).out_indices == (3, 1)
    assert zoo.build('resnet20', out_indices=2).out_indices == (2, )


def test_bad_out_indices(zoo):
    zoo.check_bad_out_indices('resnet8', 4)


def test_bad_depth_and_block(zoo):
    with pytest.raises(ValueError, match='depth 10'):
        zoo.build('CIFARResNet', depth=10)
    with pytest.raises(ValueError, match='block_type'):
        zoo.build('CIFARResNet', depth=8, block_type='Wide')
    with pytest.raises(ValueError, match='num_filters'):
        zoo.build('CIFARResNet', depth=8, num_filters=(16, 32))


def test_bottleneck_variant(zoo):
    backbone = zoo.build('CIFARResNet', depth=11, block_type='Bottleneck',
                         out_indices=(1, 2, 3))
    assert backbone.out_channels == [16, 64, 128, 256]
    feats = backbone(torch.randn(2, 3, 32, 32))
    assert [tuple(f.shape) for f in feats] == [(2, 64, 32, 32),
                                               (2, 128, 16, 16),
                                               (2, 256, 8, 8)]


def test_preact_features(zoo):
    # the stem (stage 0) stays post-ReLU
    zoo.check_preact_is_pre_relu('resnet14', 4, (1, 2, 3))


def test_init_weights_follows_repdistiller(zoo):
    torch.manual_seed(0)
    backbone = zoo.build('resnet32x4')
    backbone.init_weights()
    conv = backbone.layer3[0].conv2  # 256 -> 256, 3x3
    expected_std = (2.0 / (3 * 3 * 256))**0.5
    assert abs(conv.weight.std().item() / expected_std - 1) < 0.05
    assert torch.all(backbone.layer3[0].bn2.weight == 1)
    assert torch.all(backbone.layer3[0].bn2.bias == 0)
