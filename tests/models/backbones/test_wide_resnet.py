import pytest
import torch
import torch.nn.functional as F

# parameter counts: test_zoo_configs.py


@pytest.mark.parametrize('name,k', [('wrn_16_1', 1), ('wrn_40_2', 2)])
def test_stage_shapes_and_out_channels(zoo, name, k):
    _, out = zoo.check_stages(name, ((2, 16, 32, 32), (2, 16 * k, 32, 32),
                                     (2, 32 * k, 16, 16), (2, 64 * k, 8, 8)))
    assert out.min() >= 0  # final BN-ReLU applied


def test_multi_out_indices_and_errors(zoo):
    zoo.check_out_indices('wrn_16_2', (0, 3))
    zoo.check_out_indices('wrn_16_2', (1, 2))
    zoo.check_bad_out_indices('wrn_16_1', 4)
    with pytest.raises(ValueError, match='depth 18'):
        zoo.build('CIFARWideResNet', depth=18)


def test_preact_matches_bn_of_next_stage_without_double_update(zoo):
    torch.manual_seed(0)
    post = zoo.build('wrn_16_2', out_indices=(0, 1, 2, 3))
    pre = zoo.build('wrn_16_2', out_indices=(0, 1, 2, 3), preact=True)
    pre.load_state_dict(post.state_dict())
    x = torch.randn(4, 3, 32, 32)
    # training mode: every norm must still update its statistics once
    post.train()
    pre.train()
    f_post, f_pre = post(x), pre(x)
    for (key, a), b in zip(post.state_dict().items(),
                           pre.state_dict().values()):
        torch.testing.assert_close(a, b, msg=key)
    post.eval()
    pre.eval()
    with torch.no_grad():
        f_post, f_pre = post(x), pre(x)
        torch.testing.assert_close(f_pre[0], f_post[0])
        torch.testing.assert_close(f_pre[1], post.block2.layer[0].bn1(
            f_post[1]))
        torch.testing.assert_close(f_pre[2], post.block3.layer[0].bn1(
            f_post[2]))
        torch.testing.assert_close(F.relu(f_pre[3]), f_post[3])
        assert (f_pre[3] < 0).any()


def test_dropout_only_in_training(zoo):
    torch.manual_seed(0)
    backbone = zoo.build('wrn_16_1', drop_rate=0.3)
    x = torch.randn(2, 3, 32, 32)
    backbone.train()
    assert not torch.allclose(backbone(x)[0], backbone(x)[0])
    backbone.eval()
    torch.testing.assert_close(backbone(x)[0], backbone(x)[0])
