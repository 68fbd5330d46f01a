import pytest
import torch

# parameter counts: test_zoo_configs.py


@pytest.mark.parametrize('name,e', [('ResNet18', 1), ('ResNet50', 4)])
def test_stage_shapes_and_out_channels(zoo, name, e):
    zoo.check_stages(name, ((2, 64, 32, 32), (2, 64 * e, 32, 32),
                            (2, 128 * e, 16, 16), (2, 256 * e, 8, 8),
                            (2, 512 * e, 4, 4)))


def test_multi_out_indices_and_errors(zoo):
    zoo.check_out_indices('ResNet18', (1, 4))
    zoo.check_out_indices('ResNet18', (0, 2, 3))
    zoo.check_bad_out_indices('ResNet18', 5)
    with pytest.raises(ValueError, match='depth'):
        zoo.build('CIFARResNetV2', depth=20)


def test_preact(zoo):
    zoo.check_preact_is_pre_relu('ResNet18', 5, range(1, 5))


def test_zero_init_residual(zoo):
    backbone = zoo.build('ResNet18', zero_init_residual=True)
    backbone.init_weights()
    assert torch.all(backbone.layer2[1].bn2.weight == 0)
    assert torch.all(backbone.layer2[1].bn1.weight == 1)
    plain = zoo.build('ResNet18')
    plain.init_weights()
    assert torch.all(plain.layer2[1].bn2.weight == 1)
