import pytest
import torch
import torch.nn.functional as F

from kd_plugins.models.backbones._utils import channel_shuffle

# parameter count: test_zoo_configs.py


def test_stage_shapes_and_out_channels(zoo):
    _, out = zoo.check_stages('ShuffleV2', ((2, 24, 32, 32), (2, 116, 16, 16),
                                            (2, 232, 8, 8), (2, 464, 4, 4),
                                            (2, 1024, 4, 4)))
    assert out.min() >= 0


def test_net_sizes(zoo):
    half = zoo.build('CIFARShuffleNetV2', net_size=0.5)
    assert half.out_channels == [24, 48, 96, 192, 1024]
    with pytest.raises(ValueError, match='net_size'):
        zoo.build('CIFARShuffleNetV2', net_size=0.75)


def test_channel_shuffle_by_hand():
    x = torch.arange(6.).view(1, 6, 1, 1)
    assert channel_shuffle(x, 2).flatten().tolist() == [0, 3, 1, 4, 2, 5]
    assert channel_shuffle(x, 3).flatten().tolist() == [0, 2, 4, 1, 3, 5]
    assert channel_shuffle(x, 1) is x


def test_multi_out_indices_and_errors(zoo):
    zoo.check_out_indices('ShuffleV2', (3, 4))
    zoo.check_out_indices('ShuffleV2', (0, 2))
    zoo.check_bad_out_indices('ShuffleV2', 5)


def test_preact_is_unshuffled_concat(zoo):
    _, f_post, f_pre = zoo.preact_outputs('ShuffleV2', 5)
    torch.testing.assert_close(f_pre[0], f_post[0])
    for i in (1, 2, 3):
        assert (f_pre[i] < 0).any()
        # RepDistiller's preact: cat([x1, bn3(.)]) before ReLU and shuffle
        torch.testing.assert_close(channel_shuffle(F.relu(f_pre[i]), 2),
                                   f_post[i])
    torch.testing.assert_close(F.relu(f_pre[4]), f_post[4])
