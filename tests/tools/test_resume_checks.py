"""``tools/train.py --resume`` with a checkpoint of another model stops with
one line saying whose checkpoint it is (issue 23).

Was: mmengine's ``Runner.resume`` loads the weights with ``strict=False``
(a warning listing every missing key), then ``KeyError: 'param_groups'``
(an AFD checkpoint to KD) or ``ValueError: loaded state dict contains a
parameter group that doesn't match`` (student <-> KD). The checkpoints here
are real ones: one epoch of 16 digits of each config.
"""
import pytest
import torch
from _helpers import DIGITS_TWO_ITERS, REPO_ROOT, load_script

TRAIN = load_script('tools/train.py', '_kd_tool_train')
CFG = {
    'student': str(REPO_ROOT / 'configs/demo/student_resnet8_digits.py'),
    'kd': str(REPO_ROOT / 'configs/demo/kd_resnet20_resnet8_digits.py'),
    'afd': str(REPO_ROOT / 'configs/afd/afd_resnet8x2_digits.py'),
}
NO_TEACHER = {'kd': ['model.teacher_ckpt=None']}


def _options(name, epochs=1, *extra):
    tiny = dict(DIGITS_TWO_ITERS, **{'train_cfg.max_epochs': epochs})
    return ['--cfg-options', *NO_TEACHER.get(name, []), *extra,
            *[f'{k}={v}' for k, v in tiny.items()]]


def _error(argv) -> str:
    with pytest.raises(SystemExit) as info:
        TRAIN.main([str(a) for a in argv])
    message = info.value.code
    assert isinstance(message, str) and message.startswith('error: '), \
        message
    assert '\n' not in message
    return message


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp('resume')
    for name in CFG:
        TRAIN.main([CFG[name], '--work-dir', str(root / name),
                    *_options(name)])
        assert (root / name / 'epoch_1.pth').is_file()
    return {name: root / name / 'epoch_1.pth' for name in CFG}


@pytest.mark.parametrize('config, ckpt, held, expected', [
    ('kd', 'afd', 'discriminators.* (18 keys), feature_peers.* (1 keys), '
     'logit_peer_mask.* (1 keys), networks.* (112 keys) (written by a run '
     'of afd_resnet8x2_digits)', 'architecture.* (56 keys), teacher.* '
     '(128 keys)'),
    ('kd', 'student', 'backbone.* (54 keys), head.* (2 keys) (written by a '
     'run of student_resnet8_digits)', 'architecture.* (56 keys), '
     'teacher.* (128 keys)'),
    ('student', 'kd', 'architecture.* (56 keys), teacher.* (128 keys) '
     '(written by a run of kd_resnet20_resnet8_digits)',
     'backbone.* (54 keys), head.* (2 keys)'),
], ids=['afd-to-kd', 'student-to-kd', 'kd-to-student'])
def test_foreign_checkpoint_is_named_in_one_line(config, ckpt, held,
                                                 expected, checkpoints,
                                                 tmp_path, capsys):
    model = {'kd': 'SingleTeacherDistill', 'student': 'ImageClassifier'}
    work_dir = tmp_path / 'w'
    message = _error([CFG[config], '--work-dir', work_dir, '--resume',
                      checkpoints[ckpt], *_options(config, 2)])
    assert message.startswith(
        f'error: --resume {checkpoints[ckpt]} is not a checkpoint of this '
        f'model ({model[config]}): it holds {held}, the model has '
        f'{expected}; resume from a checkpoint this config wrote'), message
    if config == 'student':  # the algorithm's student could be extracted
        assert message.endswith(
            "the checkpoint keys carry the prefix 'architecture.': extract "
            'that part first, e.g. `python tools/extract_student.py CKPT OUT'
            ' --prefix architecture` and start from it with load_from=OUT '
            'instead of --resume'), message
    out = capsys.readouterr()
    assert 'missing keys in source state_dict' not in out.out + out.err
    assert not list(work_dir.glob('epoch_*.pth'))  # nothing trained


def test_same_model_with_other_shapes_and_the_latest_checkpoint(
        checkpoints, tmp_path):
    """Same prefixes, other head: counts and one example; a bare --resume
    checks the work dir's latest checkpoint the same way; a checkpoint of
    the same config still resumes."""
    message = _error([CFG['student'], '--work-dir', tmp_path / 'w',
                      '--resume', checkpoints['student'],
                      *_options('student', 2, 'model.head.num_classes=12')])
    assert message == (
        f'error: --resume {checkpoints["student"]} is not a checkpoint of '
        'this model (ImageClassifier) (written by a run of '
        'student_resnet8_digits): 2 shape mismatches (head.fc.weight: '
        'checkpoint (10, 64) vs model (12, 64)); resume from a checkpoint '
        'this config wrote')
    work_dir = tmp_path / 'auto'
    work_dir.mkdir()
    torch.save(torch.load(checkpoints['kd'], weights_only=False),
               work_dir / 'epoch_1.pth')
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'epoch_1.pth'))
    message = _error([CFG['student'], '--work-dir', work_dir, '--resume',
                      *_options('student', 2)])
    assert message.startswith(
        f'error: the latest checkpoint {work_dir}/epoch_1.pth is not a '
        'checkpoint of this model (ImageClassifier): it holds '
        'architecture.* (56 keys)'), message
    TRAIN.main([CFG['kd'], '--work-dir', str(tmp_path / 'ok'), '--resume',
                str(checkpoints['kd']), *_options('kd', 2)])
    assert (tmp_path / 'ok' / 'epoch_2.pth').is_file()
