"""A NaN or a degenerate data-free teacher is told apart from a usable one
(issue 23). Was: SSD-KD with a NaN teacher weight failed with ``TypeError:
conv2d() received an invalid combination of arguments`` (a round kept a
batch only when its loss was below the best, never true for NaN); an
all-zero teacher trained the student to chance with exit 0."""
import pytest
import torch
from _helpers import REPO_ROOT, load_script, ssdkd_optim_wrappers, tiny_ssdkd
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from kd_plugins.models.algorithms.teacher_checks import (TeacherCheckError,
                                                         check_finite_terms,
                                                         check_teacher,
                                                         random_batch)

SSDKD_CFG = str(REPO_ROOT / 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py')


def _classifier():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(
            type='ImageClassifier', backbone=dict(type='resnet8'),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=10,
                      in_channels=64)))


def _segmentor():
    """DeepLabV3 (ResNet18-D8, small heads) of the NYUv2 configs."""
    cfg = Config.fromfile(str(REPO_ROOT / 'configs/ssdkd/_nyuv2_common.py'))
    m = cfg.teacher_model
    m.backbone.depth = 18
    m.decode_head.update(in_channels=512, channels=16)
    m.auxiliary_head.update(in_channels=256, channels=16)
    m.data_preprocessor.size = (32, 32)
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(m.to_dict())


def _zero(model):
    """All-zero weights (BN running variance 1): the same output for any
    input."""
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                t.fill_(1.0 if name.endswith('running_var') else 0.0)
    return model


@pytest.mark.parametrize('build, shape, out', [
    (_classifier, (3, 16, 16), 'logits (10,)'),
    (_segmentor, (3, 32, 32), 'per-pixel logits (13, 4, 4)'),
], ids=['cls', 'seg'])
def test_check_teacher(build, shape, out):
    torch.manual_seed(0)
    model = build().eval()
    x = random_batch(shape, model)
    assert x.shape == (4, ) + shape
    assert check_teacher(model, x) is None  # a random teacher is usable
    rng = torch.random.get_rng_state()
    assert torch.equal(random_batch(shape, model), x)  # own generator
    assert torch.equal(torch.random.get_rng_state(), rng)

    _zero(model)
    assert check_teacher(model, x) == (
        "SSDKD: the teacher's output does not depend on its input (the same "
        f'{out} for 4 different random inputs): a data-free student cannot '
        'learn from it; check model.teacher_ckpt (all-zero or untrained '
        'weights?)')

    model = build().eval()
    name, weight = next((n, p) for n, p in model.named_parameters()
                        if n.endswith('conv1.weight'))
    with torch.no_grad():
        weight[0, 0, 0, 0] = float('nan')
    with pytest.raises(TeacherCheckError) as info:
        check_teacher(model, x)
    assert str(info.value) == (
        "SSDKD: the teacher's output for 4 random inputs is not finite "
        f'(NaN/inf): 1 of its tensors holds NaN/inf ({name}); check '
        'model.teacher_ckpt')


def test_check_finite_terms():
    check_finite_terms(dict(loss_bn=torch.tensor(1.0)))
    with pytest.raises(TeacherCheckError) as info:
        check_finite_terms(dict(loss_bn=torch.tensor(float('nan')),
                                loss_task=torch.tensor(2.0),
                                loss_adv=torch.tensor(-float('inf'))))
    assert str(info.value) == (
        'SSDKD: non-finite synthesis (inversion) loss (loss_bn=nan, '
        'loss_adv=-inf); check model.teacher_ckpt for NaN/inf weights, or '
        'lower model.generator_lr / model.latent_lr')


def _nan_teacher(algo):
    with torch.no_grad():
        algo.teacher.backbone.conv1.weight[0, 0, 0, 0] = float('nan')


def test_ssdkd_stops_on_a_nan_teacher():
    """train_step checks the teacher before its first round; a round
    (synthesize) with a non-finite loss stops too, before the generator
    takes the NaN step."""
    algo = tiny_ssdkd(keep='best', warmup_rounds=0)
    _nan_teacher(algo)
    ow = ssdkd_optim_wrappers(algo)
    with pytest.raises(TeacherCheckError, match=(
            r"^SSDKD: the teacher's output for 4 random inputs is not "
            r'finite \(NaN/inf\): 1 of its tensors holds NaN/inf '
            r'\(backbone.conv1.weight\)')):
        algo.train_step(None, ow)
    generator = {k: v.clone() for k, v in algo.generator.state_dict().items()}
    with pytest.raises(TeacherCheckError,
                       match=r'^SSDKD: non-finite synthesis \(inversion\) '
                       r'loss \(loss_bn=nan, loss_task=nan, loss_adv=nan\)'):
        algo.synthesize(ow['generator'])
    assert all(torch.equal(v, algo.generator.state_dict()[k])
               for k, v in generator.items())
    assert len(algo.replay_buffer) == 0


TRAIN = load_script('tools/train.py', '_kd_tool_train')


def _teacher_file(path, change):
    """The digits SSD-KD teacher (resnet20) with random weights, changed."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        cfg = Config.fromfile(SSDKD_CFG)
        model = MODELS.build(cfg.model.teacher.to_dict())
    model.init_weights()
    change(model)
    torch.save({'meta': {}, 'state_dict': model.state_dict()}, path)
    return path


def _nan_conv(model):
    with torch.no_grad():
        model.backbone.layer2[0].conv1.weight[0, 0, 0, 0] = float('nan')


@pytest.mark.parametrize('change', ['nan', 'zero'])
def test_through_tools_train(change, tmp_path, capsys):
    """The digits SSD-KD config, 2 iterations: a NaN teacher stops with one
    line before any round; an all-zero one trains with one warning line."""
    ckpt = _teacher_file(tmp_path / 't.pth',
                         _nan_conv if change == 'nan' else _zero)
    argv = [SSDKD_CFG, '--work-dir', str(tmp_path / 'w'), '--no-validate',
            '--cfg-options', f'model.teacher_ckpt={ckpt}',
            'train_cfg.max_iters=2', 'model.data_scale=16',
            'model.synthesis_batch_size=8', 'model.kd_batch_size=8',
            'model.generator_steps=1']
    if change == 'nan':
        with pytest.raises(SystemExit) as info:
            TRAIN.main(argv)
        assert info.value.code == (
            "error: SSDKD: the teacher's output for 4 random inputs is not "
            'finite (NaN/inf): 1 of its tensors holds NaN/inf '
            '(backbone.layer2.0.conv1.weight); check model.teacher_ckpt')
        return
    TRAIN.main(argv)
    out = capsys.readouterr()
    text = out.out + out.err
    assert text.count("SSDKD: the teacher's output does not depend on its "
                      'input (the same logits (10,) for 4 different random '
                      'inputs)') == 1, text[-3000:]
    assert 'Saving checkpoint at 2 iterations' in text  # it trained
