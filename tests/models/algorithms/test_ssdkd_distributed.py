"""SSD-KD under 2-process gloo with DistributedAlgorithmWrapper."""
import pytest
import torch

from _helpers import spawn_gloo
from _ssdkd_utils import optim_wrappers, tiny_algorithm


def _train_two_ranks(rank, world_size, out_dir):
    import torch.distributed as dist
    from kd_plugins.engine import DistributedAlgorithmWrapper
    torch.manual_seed(rank)  # different global RNG per rank on purpose
    algo = tiny_algorithm(synthesis_interval=2, kd_augment=dict(padding=1))
    if rank == 1:  # replicas start different: the wrapper broadcasts
        with torch.no_grad():
            for p in algo.student.parameters():
                p.add_(1.0)
    wrapper = DistributedAlgorithmWrapper(algo)
    ow = optim_wrappers(algo)
    for _ in range(3):
        wrapper.train_step(None, ow)
        algo.apply_pending_priorities()
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
    # 2 rounds x 2 ranks x 4 samples, the same on both ranks
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
