"""Error lines that now name the right thing (issue 23, "imprecise lines"):
a directory given as a checkpoint, ``batch_size=0``, a full disk whose
``OSError`` carries no file name, ``extract_student.py --network`` out of
range, and the NYUv2 dataset errors of the train split (they named
``val_dataloader.dataset``). Each was checked to fail before the fix."""
import os
import shutil

import cv2
import pytest
import torch
from _helpers import REPO_ROOT, load_script, write_tiny_nyuv2

from kd_plugins.cli.run import describe_error

TRAIN, TEST, EXTRACT = (
    load_script(f'tools/{name}.py', f'_kd_tool_{name}')
    for name in ('train', 'test', 'extract_student'))
STUDENT_CFG = str(REPO_ROOT / 'configs/demo/student_resnet8_digits.py')
KD_CFG = str(REPO_ROOT / 'configs/demo/kd_resnet20_resnet8_digits.py')
NYU_CFG = str(REPO_ROOT / 'configs/ssdkd/teacher_deeplabv3_r50_nyuv2.py')


def error_of(tool, *argv) -> str:
    with pytest.raises(SystemExit) as info:
        tool.main([str(a) for a in argv])
    message = info.value.code
    assert isinstance(message, str) and message.startswith('error: '), \
        message
    assert '\n' not in message
    return message


def test_a_directory_given_as_a_checkpoint(tmp_path):
    """Was: ``checkpoint file not found`` for a directory that exists."""
    folder = tmp_path / 'work_dirs'
    folder.mkdir()
    work = ['--work-dir', tmp_path / 'w']
    assert error_of(TRAIN, STUDENT_CFG, '--resume', folder, *work) == (
        f'error: --resume: {folder} is a directory, not a checkpoint file (a '
        'bare --resume resumes from the latest checkpoint of --work-dir)')
    assert error_of(TRAIN, KD_CFG, '--cfg-options',
                    f'model.teacher_ckpt={folder}', *work) == (
        f'error: model.teacher_ckpt: {folder} is a directory, not a '
        'checkpoint file')
    assert error_of(TEST, STUDENT_CFG, folder, *work) == (
        f'error: {folder} is a directory, not a checkpoint file')
    assert error_of(EXTRACT, folder, tmp_path / 'out.pth') == (
        f'error: {folder} is a directory, not a checkpoint file')
    # a missing file still reads as before
    assert error_of(EXTRACT, tmp_path / 'none.pth', tmp_path / 'o.pth') == (
        f'error: checkpoint file not found: {tmp_path}/none.pth')


@pytest.mark.parametrize('loader', ['train_dataloader', 'val_dataloader'])
def test_batch_size_zero_names_the_key(loader, tmp_path):
    """Was: ``invalid config: batch_size should be a positive integer
    value, but got batch_size=0`` (no key, for either loader)."""
    message = error_of(
        TRAIN, STUDENT_CFG, '--work-dir', tmp_path / 'w', '--cfg-options',
        f'{loader}.batch_size=0', 'train_dataloader.dataset.indices=8',
        'train_cfg.max_epochs=1')
    assert message == (
        f'error: {loader}.batch_size: batch_size should be a positive '
        'integer value, but got batch_size=0')


@pytest.mark.skipif(not os.path.exists('/dev/full'),
                    reason='no /dev/full')
def test_full_disk_without_a_file_name_in_the_error():
    """A write or close that fails with ENOSPC carries no file name; the
    open file in the traceback names it. Real ENOSPC from /dev/full,
    written as mmengine writes its ``last_checkpoint`` and scalar files."""

    def write_text(path):
        with open(path, 'w') as f:
            f.write('work_dirs/x/epoch_1.pth')

    with pytest.raises(OSError) as info:
        write_text('/dev/full')
    assert info.value.filename is None
    assert describe_error(info.value) == (
        'no space left writing /dev/full (No space left on device)')


def test_extract_network_out_of_range_says_how_many(tmp_path):
    """Was: ``no key starts with 'networks.5.'``."""
    state = {f'networks.{k}.backbone.w': torch.zeros(2) for k in (0, 1)}
    state['discriminators.0.w'] = torch.zeros(2)
    torch.save({'meta': {}, 'state_dict': state}, tmp_path / 'afd.pth')
    assert error_of(EXTRACT, tmp_path / 'afd.pth', tmp_path / 'o.pth',
                    '--network', 5) == (
        f'error: {tmp_path}/afd.pth: --network 5: the checkpoint has 2 '
        'networks (networks.0.*, networks.1.*); pass --network 0 to 1')
    torch.save({'state_dict': {'architecture.w': torch.zeros(2)}},
               tmp_path / 'kd.pth')
    assert error_of(EXTRACT, tmp_path / 'kd.pth', tmp_path / 'o.pth',
                    '--network', 1) == (
        f'error: {tmp_path}/kd.pth: --network 1: the checkpoint has 0 '
        'networks (no networks.<k>. keys); --network is for online '
        'distillation (AFD) checkpoints')
    EXTRACT.main([str(tmp_path / 'afd.pth'), str(tmp_path / 'n1.pth'),
                  '--network', '1'])
    assert list(torch.load(tmp_path / 'n1.pth')['state_dict']) == [
        'backbone.w']


def test_nyuv2_errors_name_the_train_split(tmp_path):
    """The NYUv2 teacher config on a tiny NYUv2 folder: a missing train
    image folder, then a label value outside the classes in a train label
    map, each named with ``train_dataloader.dataset``."""
    root = write_tiny_nyuv2(tmp_path / 'NYUv2')
    argv = [NYU_CFG, '--work-dir', tmp_path / 'w', '--cfg-options',
            f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            'train_cfg.max_iters=1', 'train_dataloader.num_workers=0',
            'val_dataloader.num_workers=0']
    seg = root / 'seg13' / 'train' / '00001.png'
    labels = cv2.imread(str(seg), cv2.IMREAD_UNCHANGED)
    labels[10, 10] = 50
    assert cv2.imwrite(str(seg), labels)
    assert error_of(TRAIN, *argv) == (
        'error: building NYUv2SegDataset (train_dataloader.dataset): '
        f"NYUv2SegDataset: label map '{seg}' holds the value 50, outside "
        'the classes 0..12 and 255 (ignore)')
    shutil.rmtree(root / 'image' / 'train')
    assert error_of(TRAIN, *argv) == (
        'error: building NYUv2SegDataset (train_dataloader.dataset): '
        f"NYUv2SegDataset: directory '{root}/image/train' (img_path) does "
        'not exist; expected <data_root>/{image,seg13}/{train,test}/%05d.png')


def test_a_replay_buffer_too_large_for_the_machine(tmp_path):
    """Was: a ``MemoryError`` traceback (the check before allocation raised
    a plain MemoryError, which the tools did not treat as the user's)."""
    message = error_of(
        TRAIN, REPO_ROOT / 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py',
        '--work-dir', tmp_path / 'w', '--cfg-options',
        'model.teacher_ckpt=None', 'model.data_scale=1000000000')
    assert message.startswith(
        'error: PrioritizedReplayBuffer: data_scale 1000000000 x (3, 32, 32) '
        'float32 needs 11444.09 GiB, more than the '), message
    assert message.endswith(
        " available; lower model.data_scale or set "
        "replay_buffer.storage_dtype='float16' (or 'bfloat16')"), message
