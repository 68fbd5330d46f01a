"""SSD-KD under 2-process gloo with DistributedAlgorithmWrapper."""
import pytest
import torch
from _helpers import spawn_gloo
from _helpers import ssdkd_optim_wrappers as optim_wrappers
from _helpers import tiny_ssdkd as tiny_algorithm


def _train_two_ranks(rank, world_size, out_dir):
    import torch.distributed as dist
    from mmengine.optim import OptimWrapperDict

    from kd_plugins.engine.optimizers import DistributedOptimWrapper
    from kd_plugins.models.wrappers import DistributedAlgorithmWrapper
    torch.manual_seed(rank)  # different global RNG per rank on purpose
    algo = tiny_algorithm(data_scale=16, synthesis_interval=1,
                          kd_augment=dict(padding=1))
    if rank == 1:  # replicas start different: the wrapper broadcasts
        with torch.no_grad():
            for p in algo.student.parameters():
                p.add_(1.0)
    wrapper = DistributedAlgorithmWrapper(algo)
    ow = OptimWrapperDict(**{
        k: DistributedOptimWrapper(w.optimizer)
        for k, w in optim_wrappers(algo).items()})
    for _ in range(3):
        wrapper.train_step(None, ow)
    dist.barrier()
    torch.save(
        dict(student={k: v.clone() for k, v in
                      algo.student.state_dict().items()},
             generator={k: v.clone() for k, v in
                        algo.generator.state_dict().items()},
             images=algo.replay_buffer.images.clone(),
             priorities=algo.replay_buffer.priorities.clone(),
             size=int(algo.replay_buffer.size)),
        f'{out_dir}/rank{rank}.pt')


@pytest.mark.dist
def test_two_process_gloo_identical_students_and_buffers(tmp_path):
    spawn_gloo(_train_two_ranks, nprocs=2, args=(str(tmp_path), ))
    r0 = torch.load(tmp_path / 'rank0.pt')
    r1 = torch.load(tmp_path / 'rank1.pt')
    # iterations 0-1: the fill, 2 rounds x 2 ranks x 4 samples; iteration 2:
    # one round replaces half of it; the same on both ranks
    assert r0['size'] == r1['size'] == 16
    assert torch.equal(r0['images'], r1['images'])
    assert torch.equal(r0['priorities'], r1['priorities'])
    # each rank generated its own samples (rank-distinct latents)
    assert not torch.allclose(r0['images'][:4], r0['images'][4:8])
    for part in ('student', 'generator'):
        for k, v in r0[part].items():
            assert torch.equal(v, r1[part][k]), (part, k)
    # the students trained (on different slices: averaged gradients)
    init = tiny_algorithm().student.state_dict()
    assert any(not torch.equal(v, init[k]) for k, v in r0['student'].items()
               if v.is_floating_point())


def _runner_rank(rank, world_size, config, teacher, work_dir, out):
    from mmengine.config import Config
    from mmengine.runner import Runner

    import kd_plugins  # noqa: F401
    from kd_plugins.cli.launch import prepare_distributed
    cfg = Config.fromfile(config)
    width = 'ngf' if cfg.model.generator.type == 'FastGenerator' else \
        'hidden_channels'
    cfg.merge_from_dict({
        'model.teacher_ckpt': teacher,
        f'model.generator.{width}': 8,
        'model.data_scale': 8,
        'model.synthesis_batch_size': 2,
        'model.kd_batch_size': 2,
        'model.generator_steps': 1,
        'train_cfg.max_iters': 2,  # 2 KD steps per rank
        'train_cfg.val_interval': 100,
        'default_hooks.logger.interval': 1,
    })
    cfg.work_dir = work_dir
    cfg.launcher = 'pytorch'
    cfg.log_level = 'WARNING'
    assert prepare_distributed(cfg, 'pytorch')
    runner = Runner.from_cfg(cfg)
    assert type(runner.model).__name__ == 'DistributedAlgorithmWrapper'
    runner.train()
    assert [type(w).__name__ for w in runner.optim_wrapper.values()] == [
        'DistributedOptimWrapper'] * 2
    assert runner.iter == 2 and runner.world_size == 2
    model = runner.model.module
    state = {k: v.detach().clone() for k, v in model.state_dict().items()
             if torch.is_tensor(v)}
    state['images'] = model.replay_buffer.images.clone()
    torch.save(state, f'{out}.{rank}')


@pytest.mark.dist
@pytest.mark.e2e
def test_digits_config_runner_two_ranks(tmp_path):
    from _helpers import REPO_ROOT, save_random_checkpoint
    from _helpers import ssdkd_classifier as classifier
    teacher = tmp_path / 'teacher.pth'
    t = classifier('resnet20')
    t.pop('_scope_')
    save_random_checkpoint(t, teacher)
    out = tmp_path / 'state'
    spawn_gloo(_runner_rank, nprocs=2, args=(
        str(REPO_ROOT / 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py'),
        str(teacher), str(tmp_path / 'w'), str(out)))
    s0, s1 = torch.load(f'{out}.0'), torch.load(f'{out}.1')
    assert int(s0['replay_buffer.size']) == 8  # 2 rounds x 2 ranks x 2
    assert int(s0['num_steps']) == 2  # epoch 1: 8 / (2 x 2) KD steps
    for key in s0:
        assert torch.equal(s0[key], s1[key]), key
