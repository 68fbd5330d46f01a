import pytest
import torch

# parameter counts: test_zoo_configs.py


@pytest.mark.parametrize('name', ['vgg8', 'vgg19'])
def test_stage_shapes_and_out_channels(zoo, name):
    backbone, _ = zoo.check_stages(name, ((2, 64, 32, 32), (2, 128, 16, 16),
                                          (2, 256, 8, 8), (2, 512, 4, 4),
                                          (2, 512, 4, 4)))
    assert backbone.out_indices == (4, )


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
    post, _, _ = zoo.check_preact_is_pre_relu('vgg11', 5, range(1, 5))
    # blocks end in a norm layer (their last ReLU is applied outside)
    assert isinstance(post.block4[-1], torch.nn.BatchNorm2d)


def test_init_zeroes_conv_bias(zoo):
    backbone = zoo.build('vgg8')
    backbone.init_weights()
    assert torch.all(backbone.block2[0].bias == 0)
    std = backbone.block3[0].weight.std().item()
    assert abs(std / (2.0 / (9 * 512))**0.5 - 1) < 0.05
