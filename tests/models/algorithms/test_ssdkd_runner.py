"""Real Runner iterations of SSD-KD (classification and segmentation)."""
from pathlib import Path

import numpy as np
import torch
from _helpers import REPO_ROOT, write_tiny_nyuv2
from mmengine.config import Config

CLS_CONFIG = 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py'
SEG_CONFIG = 'configs/ssdkd/deeplabv3_nyuv2.py'


def _small_run(tiny_runner, config, work_dir=None):
    """2 iterations (2 KD steps, each after its fill round), validation and
    a checkpoint at the end."""
    cfg = tiny_runner.config(config, work_dir=work_dir, log_level='WARNING')
    cfg.train_cfg.max_iters = 2
    cfg.train_cfg.val_interval = 2
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.logger.interval = 1
    cfg.model.data_scale = 12
    cfg.model.synthesis_batch_size = 4
    cfg.model.kd_batch_size = 4
    cfg.model.generator_steps = 1
    return cfg


def shrink_generator(gen):
    """Fewer channels for either digits generator."""
    if gen.type == 'FastGenerator':
        gen.ngf = 8
    else:
        gen.hidden_channels = 16


def cls_cfg(tiny_runner):
    cfg = _small_run(tiny_runner, CLS_CONFIG)
    tiny_runner.random_teacher(cfg)
    shrink_generator(cfg.model.generator)
    cfg.val_dataloader.dataset.indices = 8
    cfg.val_dataloader.batch_size = 8
    return cfg


def _grid(work_dir, it):
    import cv2
    found = sorted(Path(work_dir).glob(f'*/vis_data/vis_image/'
                                       f'synthetic_{it}.png'))
    assert found, sorted(Path(work_dir).rglob('*.png'))
    return cv2.imread(str(found[-1]))


def buffer_state(model):
    buf = model.replay_buffer
    return (buf.images.clone(), buf.priorities.clone(), int(buf.size),
            int(model.num_steps), int(model.num_rounds))


def test_cls_runner_two_iterations_and_resume(tiny_runner):
    cfg = cls_cfg(tiny_runner)
    runner = tiny_runner.build(cfg)
    runner.train()
    work = Path(cfg.work_dir)
    assert (work / 'iter_2.pth').is_file() and runner.iter == 2
    model = runner.model
    # each iteration: one of the 3 fill rounds of 4, then one KD step
    assert len(model.replay_buffer) == 8
    assert int(model.num_rounds) == 2 and int(model.num_steps) == 2
    assert model.replay_buffer.beta.item() > 0.4  # annealed
    before = buffer_state(model)
    metrics = runner.message_hub.get_scalar('val/accuracy/top1')
    assert metrics is not None
    scalars = runner.message_hub.log_scalars
    assert 'train/generator.loss_bn' in scalars and \
        'train/distill.loss_kd' in scalars
    # the shipped SyntheticGridHook wrote the final grid: 8 images of 32 px
    grid = _grid(work, 2)
    assert grid.shape == (2 + 34, 2 + 8 * 34, 3)

    cfg2 = cls_cfg(tiny_runner)
    cfg2.resume = True
    cfg2.model.teacher_ckpt = None  # the checkpoint holds the teacher
    runner2 = tiny_runner.build(cfg2)
    runner2.train()  # at max_iters already: only restores
    assert runner2.iter == 2
    after = buffer_state(runner2.model)
    assert torch.equal(before[0], after[0]) and \
        torch.equal(before[1], after[1])
    assert before[2:] == after[2:]
    assert (before[1][:8] > 0).all()  # the filled slots


def test_seg_runner_two_iterations_on_tiny_nyuv2(tiny_runner, tmp_path):
    root = write_tiny_nyuv2(tmp_path / 'NYUv2', n_train=2, n_test=2,
                            size=(48, 64))
    cfg = _small_run(tiny_runner, SEG_CONFIG)
    m = cfg.model
    # small teacher (ResNet18-D8) and student heads to stay fast
    m.teacher.backbone.depth = 18
    m.teacher.decode_head.update(in_channels=512, channels=32)
    m.teacher.auxiliary_head.update(in_channels=256, channels=32)
    m.architecture.decode_head.channels = 32
    m.architecture.auxiliary_head.channels = 32
    m.generator.update(img_size=(32, 32), hidden_channels=16, num_blocks=2)
    m.replay_buffer.storage_dtype = 'float32'
    m.synthesis_batch_size = 2
    m.kd_batch_size = 2
    m.data_scale = 4
    tiny_runner.random_teacher(cfg, scope='mmseg')
    cfg.val_dataloader.dataset.data_root = str(root)
    cfg.val_dataloader.num_workers = 0
    cfg.val_dataloader.dataset.pipeline[1].scale = (2048, 32)
    runner = tiny_runner.build(cfg)
    runner.train()
    model = runner.model
    assert len(model.replay_buffer) == 4 and int(model.num_steps) == 2
    assert model.replay_buffer.images.shape[1:] == (3, 32, 32)
    assert runner.message_hub.get_scalar('val/mIoU') is not None
    assert (Path(cfg.work_dir) / 'iter_2.pth').is_file()
    # the grid: each of the 4 synthetic images, then the teacher's mask
    grid = _grid(cfg.work_dir, 2)
    assert grid.shape == (2 + 34, 2 + 8 * 34, 3)
    masks = grid[2:34, 2 + 34:2 + 34 + 32]
    assert not np.array_equal(masks, grid[2:34, 2:34])


def test_fast2_memorybank_and_mmrazor_dafl_configs_run(tiny_runner,
                                                       tmp_path):
    """The comparison configs train 2 iterations in one process."""
    for name in ('fast2', 'memorybank'):
        fast = _small_run(tiny_runner,
                          f'configs/ssdkd/{name}_resnet20_resnet8_digits.py',
                          tmp_path / name)
        teacher = tiny_runner.random_teacher(fast)
        shrink_generator(fast.model.generator)
        fast.val_dataloader.dataset.indices = 8
        fast.model.data_scale = 16
        if name == 'fast2':  # Fast's 20 warm-up rounds, cut to one
            fast.model.warmup_rounds = 1
        assert fast.model.replay_buffer.alpha == 0.0
        assert fast.model.replay_buffer.replace == 'fifo'
        assert fast.model.task_loss.gamma == 0.0 and \
            not fast.model.task_loss.diversity
        assert fast.model.meta_learning == (name == 'fast2')
        runner = tiny_runner.build(fast)
        runner.train()
        buf = runner.model.replay_buffer
        # fast2: the warm-up round, then a refresh round at iteration 1;
        # memorybank: one round every 4 iterations; uniform sampling
        n = 8 if name == 'fast2' else 4
        assert len(buf) == n and int(runner.model.num_steps) == 2
        assert torch.allclose(buf.probabilities(), torch.full((n, ), 1 / n))

    dafl = tiny_runner.config(
        'configs/ssdkd/dafl_resnet20_resnet8_digits.py', {
            'train_dataloader.batch_size': 4,
            'train_dataloader.dataset.length': 8,
            'train_cfg.max_epochs': 1,
            'val_dataloader.dataset.indices': 8,
        },
        work_dir=tmp_path / 'dafl',
        log_level='WARNING')
    dafl.model.teachers.res20.ckpt_path = str(teacher)
    runner = tiny_runner.build(dafl)
    gen_before = {k: v.clone() for k, v in
                  runner.model.generator.state_dict().items()}
    runner.train()  # mmrazor's algorithm, unchanged, without DDP
    assert runner.iter == 2
    now = runner.model.generator.state_dict()
    assert any(not torch.equal(v, now[k]) for k, v in gen_before.items())


def test_synthetic_data_scale_is_one_config_value():
    from mmengine.registry import DefaultScope
    from mmrazor.registry import MODELS
    cfg = Config.fromfile(str(REPO_ROOT / CLS_CONFIG))
    assert 'capacity' not in cfg.model.replay_buffer
    iters = cfg.train_cfg.max_iters
    for scale in (500, 5000):
        c = Config.fromfile(str(REPO_ROOT / CLS_CONFIG))
        c.merge_from_dict({'model.data_scale': scale,
                           'model.teacher_ckpt': None})
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            algo = MODELS.build(c.model)
        assert algo.replay_buffer.capacity == scale
        assert algo.replay_buffer.images.shape == (scale, 3, 32, 32)
        s = algo.schedule
        # the data scale sets the fill; the KD budget is max_iters
        assert s.warmup_rounds * s.round_size >= scale > \
            (s.warmup_rounds - 1) * s.round_size
        t = s.totals(iters)
        assert t['kd_steps'] == iters
        assert t['images'] == s.round_size * (
            min(s.warmup_rounds, iters) + -(-max(0, iters - s.warmup_iters)
                                            // s.synthesis_interval))
