import pytest
import torch
import torch.nn.functional as F

# Exact counts of RepDistiller's models/resnet.py built with num_classes=100
# (backbone + 100-way Linear); CRD paper: resnet56 0.86M, resnet8x4 1.23M,
# resnet32x4 7.43M.
EXPECTED_PARAMS = {
    'resnet8': 83892,
    'resnet14': 181108,
    'resnet20': 278324,
    'resnet32': 472756,
    'resnet44': 667188,
    'resnet56': 861620,
    'resnet110': 1736564,
    'resnet8x4': 1233540,
    'resnet32x4': 7433860,
}


@pytest.mark.parametrize('name', sorted(EXPECTED_PARAMS))
def test_param_count_matches_repdistiller(zoo, name):
    assert zoo.count_with_linear(name) == EXPECTED_PARAMS[name]


@pytest.mark.parametrize('name,widths', [('resnet8', (16, 16, 32, 64)),
                                         ('resnet110', (16, 16, 32, 64)),
                                         ('resnet8x4', (32, 64, 128, 256)),
                                         ('resnet32x4', (32, 64, 128, 256))])
def test_stage_shapes_and_out_channels(zoo, name, widths):
    backbone = zoo.build(name)
    assert backbone.out_channels == list(widths)
    assert backbone.out_indices == (3, )
    out = backbone(torch.randn(2, 3, 32, 32))
    assert isinstance(out, tuple) and len(out) == 1
    assert out[0].shape == (2, widths[3], 8, 8)
    assert out[0].min() >= 0  # after the final ReLU
    shapes = zoo.all_stage_shapes(name)
    assert shapes == ((2, widths[0], 32, 32), (2, widths[1], 32, 32),
                      (2, widths[2], 16, 16), (2, widths[3], 8, 8))


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
    torch.manual_seed(0)
    post = zoo.build('resnet14', out_indices=(0, 1, 2, 3))
    pre = zoo.build('resnet14', out_indices=(0, 1, 2, 3), preact=True)
    pre.load_state_dict(post.state_dict())
    post.eval()
    pre.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        f_post, f_pre = post(x), pre(x)
    torch.testing.assert_close(f_pre[0], f_post[0])  # stem stays post-ReLU
    for i in (1, 2, 3):
        assert (f_pre[i] < 0).any()
        torch.testing.assert_close(F.relu(f_pre[i]), f_post[i])


def test_init_weights_follows_repdistiller(zoo):
    torch.manual_seed(0)
    backbone = zoo.build('resnet32x4')
    backbone.init_weights()
    conv = backbone.layer3[0].conv2  # 256 -> 256, 3x3
    expected_std = (2.0 / (3 * 3 * 256))**0.5
    assert abs(conv.weight.std().item() / expected_std - 1) < 0.05
    assert torch.all(backbone.layer3[0].bn2.weight == 1)
    assert torch.all(backbone.layer3[0].bn2.bias == 0)
