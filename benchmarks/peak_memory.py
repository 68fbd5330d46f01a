"""Peak host memory of a training run of each method on the digits demo.

Each method runs in a fresh subprocess (so peaks do not mix) that builds the
Runner from the shipped digits config, trains ``--iters`` iterations on CPU
and reports its peak resident set size (``ru_maxrss``) before and after
training. The table shows the peak during training and the ratio against the
student trained alone. Teachers are random-weight stand-ins (memory does not
depend on their accuracy).

Usage::

    python benchmarks/peak_memory.py               # all methods, 10 iterations
    python benchmarks/peak_memory.py --iters 20 --methods kd tekap
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import tempfile

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
METHODS = {
    'student': ('configs/demo/student_resnet8_digits.py', False),
    'kd': ('configs/demo/kd_resnet20_resnet8_digits.py', True),
    'tekap': ('configs/tekap/tekap_kd_resnet20_resnet8_digits.py', True),
    'afd': ('configs/afd/afd_resnet8x2_digits.py', False),
    'ssdkd': ('configs/ssdkd/ssdkd_resnet20_resnet8_digits.py', True),
}

CHILD = r'''
import json, resource, sys, time
import kd_plugins, torch
from mmengine.config import Config
from mmengine.runner import Runner
config, work_dir, teacher, iters = sys.argv[1:5]
torch.manual_seed(0)
cfg = Config.fromfile(config)
cfg.work_dir = work_dir
cfg.log_level = 'WARNING'
cfg.train_cfg = dict(by_epoch=False, max_iters=int(iters), val_interval=10**9)
cfg.param_scheduler = None
cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10**9)
if teacher != '-':
    cfg.model.teacher_ckpt = teacher
runner = Runner.from_cfg(cfg)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
runner.train()
elapsed = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print('RESULT ' + json.dumps(dict(before_mib=before / 1024,
                                  peak_mib=after / 1024,
                                  seconds=elapsed)))
'''

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
        '--methods', nargs='+', choices=list(METHODS), default=list(METHODS))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix='kd_mem_')
    teacher = osp.join(tmp, 'teacher.pth')
    make_teacher(teacher)
    rows = []
    for name in args.methods:
        config, uses_teacher = METHODS[name]
        proc = subprocess.run(
            [sys.executable, '-c', CHILD, osp.join(REPO_ROOT, config),
             osp.join(tmp, name), teacher if uses_teacher else '-',
             str(args.iters)],
            capture_output=True, text=True, cwd=REPO_ROOT)
        line = [ln for ln in proc.stdout.splitlines()
                if ln.startswith('RESULT ')]
        if proc.returncode != 0 or not line:
            print(f'{name}: failed\n{proc.stderr[-2000:]}')
            continue
        rows.append(dict(method=name, **json.loads(line[0][7:])))
    base = next((r['peak_mib'] for r in rows if r['method'] == 'student'),
                None)
    print(f'\npeak resident memory, {args.iters} training iterations, CPU')
    print(f'{"method":<10}{"before train":>14}{"peak":>10}{"vs student":>12}'
          f'{"s/iter":>9}')
    for r in rows:
        ratio = f'{r["peak_mib"] / base:.2f}x' if base else '-'
        print(f'{r["method"]:<10}{r["before_mib"]:>11.0f}MiB'
              f'{r["peak_mib"]:>7.0f}MiB{ratio:>12}'
              f'{r["seconds"] / args.iters:>9.3f}')


if __name__ == '__main__':
    main()
