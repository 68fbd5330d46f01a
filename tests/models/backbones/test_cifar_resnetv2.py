import pytest
import torch
import torch.nn.functional as F

# Exact counts of RepDistiller's models/resnetv2.py with num_classes=100.
EXPECTED_PARAMS = {
    'ResNet18': 11220132,
    'ResNet34': 21328292,
    'ResNet50': 23705252,
}


@pytest.mark.parametrize('name', sorted(EXPECTED_PARAMS))
def test_param_count_matches_repdistiller(zoo, name):
    assert zoo.count_with_linear(name) == EXPECTED_PARAMS[name]


@pytest.mark.parametrize('name,e', [('ResNet18', 1), ('ResNet50', 4)])
def test_stage_shapes_and_out_channels(zoo, name, e):
    backbone = zoo.build(name)
    assert backbone.out_channels == [64, 64 * e, 128 * e, 256 * e, 512 * e]
    out = backbone(torch.randn(2, 3, 32, 32))
    assert len(out) == 1 and out[0].shape == (2, 512 * e, 4, 4)
    assert zoo.all_stage_shapes(name) == ((2, 64, 32, 32),
                                          (2, 64 * e, 32, 32),
                                          (2, 128 * e, 16, 16),
                                          (2, 256 * e, 8, 8),
                                          (2, 512 * e, 4, 4))


def test_multi_out_indices_and_errors(zoo):
    zoo.check_out_indices('ResNet18', (1, 4))
    zoo.check_out_indices('ResNet18', (0, 2, 3))
    zoo.check_bad_out_indices('ResNet18', 5)
    with pytest.raises(ValueError, match='depth'):
        zoo.build('CIFARResNetV2', depth=20)


def test_preact(zoo):
    torch.manual_seed(0)
    post = zoo.build('ResNet18', out_indices=(0, 1, 2, 3, 4))
    pre = zoo.build('ResNet18', out_indices=(0, 1, 2, 3, 4), preact=True)
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


def test_zero_init_residual(zoo):
    backbone = zoo.build('ResNet18', zero_init_residual=True)
    backbone.init_weights()
    assert torch.all(backbone.layer2[1].bn2.weight == 0)
    assert torch.all(backbone.layer2[1].bn1.weight == 1)
    plain = zoo.build('ResNet18')
    plain.init_weights()
    assert torch.all(plain.layer2[1].bn2.weight == 1)
