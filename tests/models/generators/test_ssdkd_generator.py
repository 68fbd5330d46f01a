import pytest
import torch
from mmrazor.registry import MODELS

from kd_plugins.models.generators import (SSDKDGenerator,
                                          StandaloneDAFLGenerator)


def test_square_output_and_gradient():
    gen = MODELS.build(dict(type='SSDKDGenerator', img_size=32,
                            latent_dim=16, hidden_channels=16))
    z = gen.sample_latent(4)
    x = gen(z)
    assert x.shape == (4, 3, 32, 32) and gen.out_shape == (3, 32, 32)
    x.pow(2).mean().backward()
    assert gen.fc.weight.grad is not None
    # last BN is affine-free: output roughly standardised per channel
    assert x.mean((0, 2, 3)).abs().max() < 1e-4


def test_non_square_and_channels():
    gen = SSDKDGenerator(img_size=(16, 24), out_channels=1, latent_dim=8,
                         hidden_channels=8, num_blocks=2)
    assert gen(torch.randn(2, 8)).shape == (2, 1, 16, 24)


def test_errors():
    with pytest.raises(ValueError, match='not divisible'):
        SSDKDGenerator(img_size=30)
    with pytest.raises(ValueError, match='latent codes'):
        SSDKDGenerator(latent_dim=8)(torch.randn(2, 9))


def test_standalone_dafl_generator_has_module():
    gen = StandaloneDAFLGenerator(img_size=32, latent_dim=8,
                                  hidden_channels=8)
    assert gen.module is gen and gen.module.latent_dim == 8
    assert 'module' not in dict(gen.named_modules())


def test_fast_generator_layout_sigmoid_and_normaliser():
    from kd_plugins.models.generators import FastGenerator
    gen = MODELS.build(dict(type='FastGenerator', img_size=(16, 24),
                            latent_dim=8, ngf=4, mean=[100.0, 50.0, 0.0],
                            std=[50.0, 25.0, 255.0]))
    kinds = [type(m).__name__ for m in gen.conv_blocks]
    assert kinds == ['BatchNorm2d', 'Upsample', 'Conv2d', 'BatchNorm2d',
                     'LeakyReLU', 'Upsample', 'Conv2d', 'BatchNorm2d',
                     'LeakyReLU', 'Conv2d', 'Sigmoid']
    assert gen.l1.out_features == 8 * 4 * 6
    x = gen(torch.randn(3, 8))
    assert x.shape == (3, 3, 16, 24) and gen.out_shape == (3, 16, 24)
    # normalised sigmoid: within [(0 - mean) / std, (255 - mean) / std]
    lo, hi = gen.black_level, (255 - gen.mean.flatten()) / gen.std.flatten()
    assert (x.amin((0, 2, 3)) >= lo - 1e-5).all()
    assert (x.amax((0, 2, 3)) <= hi + 1e-5).all()
    assert torch.allclose(lo, torch.tensor([-2.0, -2.0, 0.0]))
    with pytest.raises(ValueError, match='divisible by 4'):
        FastGenerator(img_size=30)
