"""tools/convert_repdistiller_ckpt.py: RepDistiller/CRD -> zoo ImageClassifier.

The original-layout state_dicts are built here: the key count, classifier
name and a few distinctive keys per architecture were read off
github.com/HobbitLong/RepDistiller ``models/*.py`` (built with
num_classes=100; counts include BN ``num_batches_tracked``). The CIFAR ResNet
logits are checked against an independent functional forward of the original
layout. With ``REPDISTILLER_ROOT`` pointing at a RepDistiller checkout, the
last test also compares every architecture with the original code itself.
"""
import os

import pytest
import torch
import torch.nn.functional as F
from _helpers import load_script, run_tool, write_getattr_chain

conv = load_script('tools/convert_repdistiller_ckpt.py')

# arch: (number of state_dict entries, classifier module, distinctive keys)
ORIGINAL_LAYOUT = {
    'resnet8': (56, 'fc', ['layer1.0.conv1.weight', 'layer3.0.downsample.1'
                           '.running_var']),
    'resnet14': (92, 'fc', ['layer2.1.bn2.weight']),
    'resnet20': (128, 'fc', ['layer3.2.conv2.weight']),
    'resnet32': (200, 'fc', ['layer3.4.conv2.weight']),
    'resnet44': (272, 'fc', ['layer3.6.conv2.weight']),
    'resnet56': (344, 'fc', ['layer3.8.conv2.weight']),
    'resnet110': (668, 'fc', ['layer3.17.conv2.weight']),
    'resnet8x4': (62, 'fc', ['layer1.0.downsample.0.weight']),
    'resnet32x4': (206, 'fc', ['layer1.0.downsample.0.weight']),
    'wrn_16_1': (82, 'fc', ['block2.layer.0.convShortcut.weight']),
    'wrn_16_2': (83, 'fc', ['block1.layer.0.convShortcut.weight']),
    'wrn_40_1': (226, 'fc', ['block3.layer.5.conv2.weight']),
    'wrn_40_2': (227, 'fc', ['block1.layer.0.convShortcut.weight']),
    'vgg8': (37, 'classifier', ['block0.0.weight']),
    'vgg11': (58, 'classifier', ['block0.0.weight']),
    'vgg13': (72, 'classifier', ['block4.4.weight']),
    'vgg16': (93, 'classifier', ['block4.7.weight']),
    'vgg19': (114, 'classifier', ['block4.10.weight']),
    'mobile_half': (320, 'classifier.0', ['blocks.0.0.conv.0.weight',
                                          'conv2.0.weight']),
    'ShuffleV1': (296, 'linear', ['layer1.0.conv1.weight']),
    'ShuffleV2': (338, 'linear', ['layer1.0.conv1.weight']),
    'ResNet50': (320, 'linear', ['layer1.0.shortcut.0.weight']),
}


def original_state_dict(arch: str, seed: int = 0) -> dict:
    """Random weights in RepDistiller's key layout for ``arch``."""
    torch.manual_seed(seed)
    model = conv.build_classifier(arch, 100)
    _, classifier, _ = ORIGINAL_LAYOUT[arch]
    state = {}
    for key, value in model.state_dict().items():
        value = value.clone()
        if value.is_floating_point():
            if key.endswith('running_var'):
                value.uniform_(0.5, 2.0)
            else:
                value.uniform_(-0.5, 0.5)
        if key.startswith('head.fc.'):
            state[f'{classifier}.{key[len("head.fc."):]}'] = value
        else:
            assert key.startswith('backbone.'), key
            state[key[len('backbone.'):]] = value
    return state


def repdistiller_resnet_logits(sd: dict, x: torch.Tensor):
    """RepDistiller's CIFAR ResNet (basic blocks) from its own keys: 3x3 stem,
    three stages (strides 1, 2, 2), ``nn.AvgPool2d(8)``, ``fc``. Returns the
    pre-pool map and the logits."""

    def bn(t, p):
        return F.batch_norm(t, sd[f'{p}.running_mean'], sd[f'{p}.running_var'],
                            sd[f'{p}.weight'], sd[f'{p}.bias'], False, 0.0,
                            1e-5)

    def conv(t, p, stride, pad):
        return F.conv2d(t, sd[f'{p}.weight'], stride=stride, padding=pad)

    x = F.relu(bn(conv(x, 'conv1', 1, 1), 'bn1'))
    for layer, first_stride in (('layer1', 1), ('layer2', 2), ('layer3', 2)):
        i = 0
        while f'{layer}.{i}.conv1.weight' in sd:
            p, s = f'{layer}.{i}', first_stride if i == 0 else 1
            out = F.relu(bn(conv(x, f'{p}.conv1', s, 1), f'{p}.bn1'))
            out = bn(conv(out, f'{p}.conv2', 1, 1), f'{p}.bn2')
            if f'{p}.downsample.0.weight' in sd:
                x = bn(conv(x, f'{p}.downsample.0', s, 0), f'{p}.downsample.1')
            x = F.relu(out + x)
            i += 1
    pooled = F.avg_pool2d(x, 8).flatten(1)
    return x, F.linear(pooled, sd['fc.weight'], sd['fc.bias'])


def convert_and_load(arch, state, tmp_path, rd_arch=None):
    src, dst = tmp_path / f'{arch}_rd.pth', tmp_path / f'{arch}.pth'
    torch.save({'model': state, 'epoch': 240, 'best_acc': 0.0}, src)
    conv.main([str(src), str(dst), '--arch', rd_arch or arch])
    ckpt = torch.load(dst)
    assert ckpt['meta']['arch'] == arch and ckpt['meta']['epoch'] == 240
    model = conv.build_classifier(arch, 100).eval()
    model.load_state_dict(ckpt['state_dict'], strict=True)
    return model


@pytest.mark.parametrize('arch', sorted(ORIGINAL_LAYOUT))
def test_original_layout_converts_and_loads_strictly(arch, tmp_path):
    count, classifier, keys = ORIGINAL_LAYOUT[arch]
    state = original_state_dict(arch)
    # the state_dict built here has RepDistiller's layout
    assert len(state) == count
    assert f'{classifier}.weight' in state and all(k in state for k in keys)
    model = convert_and_load(arch, state, tmp_path)
    # every tensor went to the module of the same (original) name
    for key, value in state.items():
        new = ('head.fc.' + key[len(classifier) + 1:]
               if key.startswith(classifier + '.') else 'backbone.' + key)
        assert torch.equal(model.state_dict()[new], value), key


@pytest.mark.parametrize('arch', ['resnet8', 'resnet8x4', 'resnet20'])
def test_resnet_logits_match_original_forward(arch, tmp_path):
    state = original_state_dict(arch, seed=1)
    model = convert_and_load(arch, state, tmp_path)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        ref_map, ref_logits = repdistiller_resnet_logits(state, x)
        feat = model.backbone(x)[-1]
        logits = model(x, mode='tensor')
    # Bit-identical features, and the zoo config pools with the same op
    # (RepDistillerAvgPool = F.avg_pool2d(., 8)): bit-identical logits.
    assert torch.equal(feat, ref_map)
    assert torch.equal(logits, ref_logits)
    assert not torch.equal(logits, torch.zeros_like(logits))


def test_cli_errors_are_one_line(tmp_path):
    state = original_state_dict('resnet8')
    torch.save({'model': state}, tmp_path / 'r8.pth')
    proc = run_tool('convert_repdistiller_ckpt.py', tmp_path / 'r8.pth',
                    tmp_path / 'out.pth', '--arch', 'resnet20')
    assert proc.returncode == 1
    assert proc.stderr.strip().count('\n') == 0
    assert 'does not match --arch resnet20' in proc.stderr
    assert not (tmp_path / 'out.pth').exists()
    proc = run_tool('convert_repdistiller_ckpt.py', tmp_path / 'r8.pth',
                    tmp_path / 'out.pth', '--arch', 'resnet9')
    assert proc.returncode == 1 and 'unknown, choose from' in proc.stderr
    proc = run_tool('convert_repdistiller_ckpt.py', tmp_path / 'none.pth',
                    tmp_path / 'out.pth', '--arch', 'resnet8')
    assert proc.returncode == 1 and 'not found' in proc.stderr
    proc = run_tool('convert_repdistiller_ckpt.py', tmp_path / 'r8.pth',
                    tmp_path / 'out.pth', '--arch', 'resnet8')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'loads strictly' in proc.stdout


def _error_of(*argv) -> str:
    with pytest.raises(SystemExit) as info:
        conv.main([str(a) for a in argv])
    message = info.value.code
    assert isinstance(message, str) and message.startswith('error: ')
    assert '\n' not in message, message
    return message


def test_bad_files_go_through_the_safe_loader(tmp_path):
    """Was: torch's whole traceback for a checkpoint carrying code,
    ``KeyError: 101`` for a text file, an UnpicklingError about
    ``HistoryBuffer`` for a checkpoint written by kd_plugins."""
    marker, evil = tmp_path / 'pwned', tmp_path / 'evil.pth'
    write_getattr_chain(evil, marker)
    out = tmp_path / 'out.pth'
    assert _error_of(evil, out, '--arch', 'resnet8').startswith(
        f'error: {evil}: refused as unsafe: it contains getattr(')
    assert not marker.exists()
    text = tmp_path / 'notes.pth'
    text.write_text('just some text\n')
    assert _error_of(text, out, '--arch', 'resnet8').startswith(
        f'error: {text}: not a readable checkpoint')
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('convert_test')
    hub.update_scalar('train/loss', 1.0)
    ours = tmp_path / 'epoch_1.pth'
    torch.save({'meta': {'epoch': 1},
                'state_dict': conv.build_classifier('resnet8',
                                                    10).state_dict(),
                'message_hub': hub.state_dict()}, ours)
    assert _error_of(ours, out, '--arch', 'resnet8') == (
        f'error: {ours}: already a kd_plugins/mmengine checkpoint (keys '
        'backbone.conv1.weight, ...), not a RepDistiller one: use it '
        'directly (e.g. as model.teacher_ckpt), nothing to convert')
    assert not out.exists()


@pytest.mark.skipif(
    not os.environ.get('REPDISTILLER_ROOT'),
    reason='set REPDISTILLER_ROOT to a RepDistiller checkout to compare '
    'with the original code')
@pytest.mark.parametrize('arch', sorted(ORIGINAL_LAYOUT))
def test_against_repdistiller_code(arch, tmp_path):
    rd_models = load_script(
        os.path.join(os.environ['REPDISTILLER_ROOT'], 'models'))
    rd_arch = {'mobile_half': 'MobileNetV2'}.get(arch, arch)
    torch.manual_seed(0)
    original = rd_models.model_dict[rd_arch](num_classes=100)
    for m in original.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_var.uniform_(0.5, 2.0)
            m.running_mean.uniform_(-0.5, 0.5)
    original.eval()
    state = original.state_dict()
    assert len(state) == ORIGINAL_LAYOUT[arch][0]
    model = convert_and_load(arch, state, tmp_path, rd_arch)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        ref = original(x)
        out = model(x, mode='tensor')
    # bit-identical, not just close: the zoo configs pool with RepDistiller's
    # own op and kernel (RepDistillerAvgPool) where it differs from GAP
    assert torch.equal(out, ref), float((out - ref).abs().max())
