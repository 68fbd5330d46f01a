"""Peak host memory of the digits configs, and replay-buffer sizes.

Measured: each digits config runs in a fresh subprocess (so peaks do not
mix) that builds the Runner from the shipped config, trains ``--iters``
iterations on CPU and reports its peak resident set size (``ru_maxrss``)
before and after training (and, for SSD-KD-style configs, the replay
buffer's size as the buffer computed it when it was built). The table shows
the peak during training and the ratio against the student trained alone.
Teachers are random-weight stand-ins (memory does not depend on their
accuracy).

Computed: the replay buffer of every SSD-KD-style config in ``BUFFERS`` at
its shipped ``data_scale``: ``data_scale x generator.out_shape x`` bytes per
element of ``replay_buffer.storage_dtype``, the formula
``PrioritizedReplayBuffer`` checks against the available memory before it
allocates (only the generator is built; nothing of the buffer's size is
allocated).

Usage::

    python benchmarks/peak_memory.py               # all methods, 10 iterations
    python benchmarks/peak_memory.py --iters 20 --methods kd tekap
    python benchmarks/peak_memory.py --methods     # the buffer table only
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import tempfile

from kd_plugins.cli.paths import REPO_ROOT

#: name -> (config, how the teacher checkpoint is set: 'teacher_ckpt',
#: 'teachers' (mmrazor's data-free algorithms) or None)
METHODS = {
    'student': ('configs/demo/student_resnet8_digits.py', None),
    'kd': ('configs/demo/kd_resnet20_resnet8_digits.py', 'teacher_ckpt'),
    'tekap': ('configs/tekap/tekap_kd_resnet20_resnet8_digits.py',
              'teacher_ckpt'),
    'afd': ('configs/afd/afd_resnet8x2_digits.py', None),
    'ssdkd': ('configs/ssdkd/ssdkd_resnet20_resnet8_digits.py',
              'teacher_ckpt'),
    'fast2': ('configs/ssdkd/fast2_resnet20_resnet8_digits.py',
              'teacher_ckpt'),
    'memorybank': ('configs/ssdkd/memorybank_resnet20_resnet8_digits.py',
                   'teacher_ckpt'),
    'dafl': ('configs/ssdkd/dafl_resnet20_resnet8_digits.py', 'teachers'),
}
#: configs whose replay buffer is computed at the shipped data_scale
BUFFERS = [
    'configs/ssdkd/deeplabv3_nyuv2.py',
    'configs/ssdkd/ssdkd_deeplabv3_digitsseg.py',
    'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py',
    'configs/ssdkd/fast2_resnet20_resnet8_digits.py',
    'configs/ssdkd/memorybank_resnet20_resnet8_digits.py',
]
_ELEMENT_BYTES = {'float32': 4, 'float16': 2, 'bfloat16': 2}

CHILD = r'''
import json, resource, sys, time
import kd_plugins, torch
from mmengine.config import Config
from mmengine.runner import Runner
config, work_dir, teacher, how, iters = sys.argv[1:6]
torch.manual_seed(0)
cfg = Config.fromfile(config)
cfg.work_dir = work_dir
cfg.log_level = 'WARNING'
cfg.train_cfg = dict(by_epoch=False, max_iters=int(iters), val_interval=10**9)
cfg.param_scheduler = None
cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10**9)
cfg.custom_hooks = [h for h in cfg.get('custom_hooks', [])
                    if 'SyntheticGrid' not in str(h.get('type'))]
if how == 'teacher_ckpt':
    cfg.model.teacher_ckpt = teacher
elif how == 'teachers':
    for t in cfg.model.teachers.values():
        t.ckpt_path = teacher
runner = Runner.from_cfg(cfg)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
runner.train()
elapsed = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
buf = getattr(runner.model, 'replay_buffer', None)
print('RESULT ' + json.dumps(dict(before_mib=before / 1024,
                                  peak_mib=after / 1024,
                                  seconds=elapsed,
                                  buffer_bytes=getattr(buf, 'nbytes', None))))
'''


def buffer_size(config: str) -> dict:
    """The replay buffer of ``config`` at its shipped scale, computed."""
    from mmengine.config import Config
    from mmrazor.registry import MODELS

    import kd_plugins  # noqa: F401
    model = Config.fromfile(osp.join(REPO_ROOT, config)).model
    shape = tuple(MODELS.build(model.generator.to_dict()).out_shape)
    dtype = model.get('replay_buffer', {}).get('storage_dtype', 'float32')
    scale = int(model.data_scale)
    nbytes = scale * _ELEMENT_BYTES[dtype]
    for n in shape:
        nbytes *= n
    return dict(config=config, data_scale=scale, shape=shape, dtype=dtype,
                bytes=nbytes)


def _size(n: float) -> str:
    return f'{n / 2**30:.2f} GiB' if n >= 2**30 else f'{n / 2**20:.1f} MiB'


TEACHER = dict(
    type='ImageClassifier',
    backbone=dict(type='resnet20'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64))


def make_teacher(path: str) -> None:
    import torch
    from mmengine.registry import MODELS, DefaultScope

    import kd_plugins  # noqa: F401
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(TEACHER)
    torch.save({'meta': {}, 'state_dict': model.state_dict()}, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument(
        '--methods', nargs='*', choices=list(METHODS), default=list(METHODS),
        help='digits configs to measure (none: only the buffer table)')
    args = parser.parse_args()
    print('replay buffers at the shipped data_scale (computed, not '
          'allocated)')
    print(f'{"config":<52}{"data_scale":>11}  {"sample":<14}{"dtype":<10}'
          f'{"bytes":>15}{"":>11}')
    for row in map(buffer_size, BUFFERS):
        shape, nbytes = 'x'.join(map(str, row['shape'])), row['bytes']
        print(f'{row["config"]:<52}{row["data_scale"]:>11}  {shape:<14}'
              f'{row["dtype"]:<10}{nbytes:>15,}{_size(nbytes):>11}')
    if not args.methods:
        return
    tmp = tempfile.mkdtemp(prefix='kd_mem_')
    teacher = osp.join(tmp, 'teacher.pth')
    make_teacher(teacher)
    rows = []
    for name in args.methods:
        config, how = METHODS[name]
        proc = subprocess.run(
            [sys.executable, '-c', CHILD, osp.join(REPO_ROOT, config),
             osp.join(tmp, name), teacher, str(how), str(args.iters)],
            capture_output=True, text=True, cwd=REPO_ROOT)
        line = [ln for ln in proc.stdout.splitlines()
                if ln.startswith('RESULT ')]
        if proc.returncode != 0 or not line:
            print(f'{name}: failed\n{proc.stderr[-2000:]}')
            continue
        rows.append(dict(method=name, **json.loads(line[0][7:])))
    base = next((r['peak_mib'] for r in rows if r['method'] == 'student'),
                None)
    print(f'\npeak resident memory, {args.iters} training iterations, CPU '
          '(measured)')
    print(f'{"method":<12}{"before train":>14}{"peak":>10}{"vs student":>12}'
          f'{"s/iter":>9}{"buffer":>12}')
    for r in rows:
        ratio = f'{r["peak_mib"] / base:.2f}x' if base else '-'
        buf = _size(r['buffer_bytes']) if r.get('buffer_bytes') else '-'
        print(f'{r["method"]:<12}{r["before_mib"]:>11.0f}MiB'
              f'{r["peak_mib"]:>7.0f}MiB{ratio:>12}'
              f'{r["seconds"] / args.iters:>9.3f}{buf:>12}')


if __name__ == '__main__':
    main()
