import pytest
import torch
import torch.nn.functional as F

# Exact count of RepDistiller's ShuffleV1(num_classes=100) (CRD paper 0.95M).
EXPECTED_PARAMS = {'ShuffleV1': 949258}


def test_param_count_matches_repdistiller(zoo):
    assert zoo.count_with_linear('ShuffleV1') == EXPECTED_PARAMS['ShuffleV1']


def test_stage_shapes_and_out_channels(zoo):
    backbone = zoo.build('ShuffleV1')
    assert backbone.out_channels == [24, 240, 480, 960]
    out = backbone(torch.randn(2, 3, 32, 32))
    assert len(out) == 1 and out[0].shape == (2, 960, 4, 4)
    assert zoo.all_stage_shapes('ShuffleV1') == ((2, 24, 32, 32),
                                                 (2, 240, 16, 16),
                                                 (2, 480, 8, 8),
                                                 (2, 960, 4, 4))


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
    torch.manual_seed(0)
    post = zoo.build('ShuffleV1', out_indices=(0, 1, 2, 3))
    pre = zoo.build('ShuffleV1', out_indices=(0, 1, 2, 3), preact=True)
    pre.load_state_dict(post.state_dict())
    post.eval()
    pre.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        f_post, f_pre = post(x), pre(x)
    torch.testing.assert_close(f_pre[0], f_post[0])
    for i in (1, 2, 3):
        assert (f_pre[i] < 0).any()
        torch.testing.assert_close(F.relu(f_pre[i]), f_post[i])
