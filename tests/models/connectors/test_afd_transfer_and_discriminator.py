import pytest
import torch
import torch.nn as nn
from mmrazor.registry import MODELS

from kd_plugins.models.connectors import AFDDiscriminator, AFDTransferConnector


def test_layout_and_shapes():
    tr = MODELS.build(
        dict(type='AFDTransferConnector', in_channels=16, out_channels=32))
    assert tr.has_transfer
    conv, bn = tr.transfer
    assert (conv.in_channels, conv.out_channels, conv.kernel_size) == \
        (16, 32, (1, 1)) and conv.bias is None
    assert isinstance(bn, nn.BatchNorm2d)
    disc = MODELS.build(dict(type='AFDDiscriminator', in_channels=32))
    d = disc.layers
    assert (d[0].in_channels, d[0].out_channels, d[0].kernel_size,
            d[0].stride) == (32, 16, (2, 2), (1, 1))
    assert isinstance(d[1], nn.BatchNorm2d) and isinstance(
        d[2], nn.LeakyReLU) and d[2].negative_slope == 0.2
    assert (d[3].in_channels, d[3].out_channels, d[3].kernel_size,
            d[3].stride) == (16, 1, (2, 2), (2, 2))
    assert isinstance(d[4], nn.Sigmoid)
    t = tr(torch.randn(4, 16, 8, 8))
    assert t.shape == (4, 32, 8, 8)
    scores = disc(t)
    assert scores.shape == (4, )
    assert ((scores > 0) & (scores < 1)).all()


def test_per_location_scores_average_to_per_sample():
    torch.manual_seed(0)
    disc = AFDDiscriminator(8, score_reduction='none').eval()
    x = torch.randn(2, 8, 8, 8)
    maps = disc(x)
    assert maps.shape == (2, 3, 3)  # 8 -> 7 (k2) -> 3 (k2 s2)
    disc.score_reduction = 'mean'
    torch.testing.assert_close(disc(x), maps.mean(dim=(1, 2)))


def test_transfer_modes():
    assert not AFDTransferConnector(16, 16).has_transfer  # auto
    assert isinstance(AFDTransferConnector(16).transfer, nn.Identity)
    assert AFDTransferConnector(16, 16, mode='always').has_transfer
    x = torch.randn(2, 16, 4, 4)
    assert torch.equal(AFDTransferConnector(16)(x), x)
    with pytest.raises(ValueError, match="mode='never'"):
        AFDTransferConnector(16, 32, mode='never')
    with pytest.raises(ValueError, match='mode must be one of'):
        AFDTransferConnector(16, mode='sometimes')
    with pytest.raises(ValueError, match='out_channels must be a positive'):
        AFDTransferConnector(16, 0)
    with pytest.raises(ValueError, match='score_reduction'):
        AFDDiscriminator(16, score_reduction='sum')
    with pytest.raises(ValueError, match='in_channels must be a positive'):
        AFDDiscriminator(-1)


def test_clear_shape_errors():
    with pytest.raises(ValueError,
                       match=r'\(N, 16, H, W\), got \(2, 8, 4, 4\)'):
        AFDTransferConnector(16, 32)(torch.randn(2, 8, 4, 4))
    with pytest.raises(ValueError, match='H>=3'):
        AFDDiscriminator(32)(torch.randn(2, 32, 2, 2))
