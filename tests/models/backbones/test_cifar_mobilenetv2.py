import pytest

# parameter count: test_zoo_configs.py


def test_stage_shapes_and_out_channels(zoo):
    backbone, out = zoo.check_stages(
        'mobile_half', ((2, 16, 16, 16), (2, 12, 16, 16), (2, 16, 8, 8),
                        (2, 48, 4, 4), (2, 160, 2, 2), (2, 1280, 2, 2)))
    assert backbone.out_indices == (5, )
    assert out.min() >= 0


def test_width_and_expansion_args(zoo):
    full = zoo.build('CIFARMobileNetV2', width_mult=1.0)
    assert full.out_channels == [32, 24, 32, 96, 320, 1280]
    wide = zoo.build('CIFARMobileNetV2', width_mult=1.5)
    assert wide.out_channels[-1] == 1920
    # group 0 always uses expansion 1; other groups use expand_ratio
    t4 = zoo.build('CIFARMobileNetV2', expand_ratio=4)
    assert t4.blocks[0][0].conv[0].out_channels == 16
    assert t4.blocks[1][0].conv[0].out_channels == 8 * 4


def test_multi_out_indices_and_errors(zoo):
    zoo.check_out_indices('mobile_half', (0, 2, 4))
    zoo.check_out_indices('mobile_half', (5, 1))
    zoo.check_bad_out_indices('mobile_half', 6)
    with pytest.raises(TypeError):
        zoo.build('mobile_half', preact=True)  # no pre-activations here
