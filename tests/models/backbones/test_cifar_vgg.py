import pytest
import torch
import torch.nn.functional as F

# Exact counts of RepDistiller's models/vgg.py *_bn models with num_classes=100
# (CRD paper: vgg13 9.46M, vgg8 3.96M). Its classifier is AdaptiveAvgPool2d(1)
# + Linear(512, 100), i.e. GlobalAveragePooling + LinearClsHead here.
EXPECTED_PARAMS = {
    'vgg8': 3965028,
    'vgg11': 9277284,
    'vgg13': 9462180,
    'vgg16': 14774436,
    'vgg19': 20086692,
}


@pytest.mark.parametrize('name', sorted(EXPECTED_PARAMS))
def test_param_count_matches_repdistiller(zoo, name):
    assert zoo.count_with_linear(name) == EXPECTED_PARAMS[name]


@pytest.mark.parametrize('name', ['vgg8', 'vgg19'])
def test_stage_shapes_and_out_channels(zoo, name):
    backbone = zoo.build(name)
    assert backbone.out_channels == [64, 128, 256, 512, 512]
    assert backbone.out_indices == (4, )
    out = backbone(torch.randn(2, 3, 32, 32))
    assert len(out) == 1 and out[0].shape == (2, 512, 4, 4)
    assert zoo.all_stage_shapes(name) == ((2, 64, 32, 32), (2, 128, 16, 16),
                                          (2, 256, 8, 8), (2, 512, 4, 4),
                                          (2, 512, 4, 4))


def test_extra_pool_only_for_listed_heights(zoo):
    x = torch.randn(2, 3, 64, 64)
    assert zoo.build('vgg8')(x)[0].shape == (2, 512, 4, 4)
    no_pool = zoo.build('vgg8', extra_pool_heights=())
    assert no_pool(x)[0].shape == (2, 512, 8, 8)


def test_multi_out_indices_and_errors(zoo):
    zoo.check_out_indices('vgg8', (1, 3, 4))
    zoo.check_out_indices('vgg8', (-2, 0))
    zoo.check_bad_out_indices('vgg8', 5)
    with pytest.raises(ValueError, match='depth'):
        zoo.build('CIFARVGG', depth=12)


def test_preact_is_norm_output(zoo):
    torch.manual_seed(0)
    post = zoo.build('vgg11', out_indices=(0, 1, 2, 3, 4))
    pre = zoo.build('vgg11', out_indices=(0, 1, 2, 3, 4), preact=True)
    pre.load_state_dict(post.state_dict())
    post.eval()
    pre.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        f_post, f_pre = post(x), pre(x)
    torch.testing.assert_close(f_pre[0], f_post[0])
    for i in range(1, 5):
        assert (f_pre[i] < 0).any()
        torch.testing.assert_close(F.relu(f_pre[i]), f_post[i])
    # blocks end in a norm layer (their last ReLU is applied outside)
    assert isinstance(post.block4[-1], torch.nn.BatchNorm2d)


def test_init_zeroes_conv_bias(zoo):
    backbone = zoo.build('vgg8')
    backbone.init_weights()
    assert torch.all(backbone.block2[0].bias == 0)
    std = backbone.block3[0].weight.std().item()
    assert abs(std / (2.0 / (9 * 512))**0.5 - 1) < 0.05
