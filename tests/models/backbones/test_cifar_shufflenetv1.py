import pytest

# parameter count: test_zoo_configs.py


def test_stage_shapes_and_out_channels(zoo):
    zoo.check_stages('ShuffleV1', ((2, 24, 32, 32), (2, 240, 16, 16),
                                   (2, 480, 8, 8), (2, 960, 4, 4)))


def test_first_unit_uses_ungrouped_conv1(zoo):
    backbone = zoo.build('ShuffleV1')
    assert backbone.layer1[0].conv1.groups == 1
    assert backbone.layer1[1].conv1.groups == 3
    assert backbone.layer2[0].conv1.groups == 3
    # stride-2 units concatenate the pooled input: branch + input channels
    assert backbone.layer2[0].conv3.out_channels == 480 - 240


def test_multi_out_indices_and_errors(zoo):
    zoo.check_out_indices('ShuffleV1', (0, 1, 3))
    zoo.check_bad_out_indices('ShuffleV1', 4)
    with pytest.raises(ValueError, match='branch_channels'):
        from kd_plugins.models.backbones.cifar_shufflenetv1 import \
            ShuffleV1Unit
        ShuffleV1Unit(240, 120, stride=1, groups=3)


def test_preact(zoo):
    zoo.check_preact_is_pre_relu('ShuffleV1', 4, (1, 2, 3))
