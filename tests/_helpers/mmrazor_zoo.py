"""Train every mmrazor 1.0.0 cls + seg distillation config for 2 iterations.

Run by ``tests/zoo/test_mmrazor_zoo.py`` in one subprocess (the configs share
one import of the stack); also runnable by hand::

    PYTHONPATH=.:tests python -m _helpers.mmrazor_zoo [NAME_SUBSTRING ...]

The configs are globbed from the installed mmrazor wheel
(``mmrazor/.mim/configs/distill/{mmcls,mmseg}``), loaded with
:func:`kd_plugins.cli.config_loading.read_config` and trained on tiny fake
data written in each dataset's own layout. Overrides (the same for every
config, printed per config):

* teacher weights random (offline): ``teacher_ckpt`` and ``Pretrained``
  ``init_cfg`` set to None, data-free teachers' ``ckpt_path`` removed,
  ``cfg_path`` models built with ``pretrained=False``, and a URL
  ``Pretrained`` init inside a ``cfg_path`` model config is skipped;
* 2 training iterations (``max_iters=2``, or 4 images, batch size 2 and
  one epoch), no validation, no checkpoint files, ``num_workers=0``;
* segmentation: crop 512x1024 -> 64x128 (and the data preprocessor's pad
  size); classification pipelines keep their crop sizes (224 / 32 px).

Prints one line per config (``PASS`` / ``SKIP: reason`` / ``FAIL: error``)
and a final ``SUMMARY pass=N skip=N fail=N total=N``.
"""
import glob
import os
import os.path as osp
import sys
import tempfile
import time
import traceback
from typing import Dict, List, Optional

from .dist import free_port
from .fake_data import write_cifar, write_cityscapes, write_imagenet

#: Configs that need something outside this stack, with the reason.
SKIPS: Dict[str, str] = {
    'deit-base_regnety160_pt-16xb64_in1k.py':
    "teacher is timm's RegNetY-160 (TIMMBackbone); timm is not part of "
    'this stack',
}


def zoo_configs() -> List[str]:
    """The cls + seg distillation configs of the installed mmrazor wheel
    (bases under ``datasets/`` excluded)."""
    import mmrazor
    root = osp.join(osp.dirname(mmrazor.__file__), '.mim', 'configs',
                    'distill')
    found = []
    for task in ('mmcls', 'mmseg'):
        for path in glob.glob(osp.join(root, task, '**', '*.py'),
                              recursive=True):
            rel = osp.relpath(path, root)
            if '__pycache__' in rel or f'{os.sep}datasets{os.sep}' in rel:
                continue
            found.append(path)
    return sorted(found)


# ---------------------------------------------------------------- overrides
def _walk(node, fn):
    if isinstance(node, dict):
        fn(node)
        for value in node.values():
            _walk(value, fn)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _walk(value, fn)


def _no_pretrained(node: dict) -> None:
    init_cfg = node.get('init_cfg')
    if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
        node['init_cfg'] = None
    if 'teacher_ckpt' in node:
        node['teacher_ckpt'] = None
    if 'cfg_path' in node and node.get('pretrained'):
        node['pretrained'] = False
    if 'ckpt_path' in node:  # DataFreeDistillation teachers
        node.pop('ckpt_path')


def prepare(cfg, data_root: str, work_dir: str) -> List[str]:
    """Apply the overrides listed in the module docstring to ``cfg``.

    Returns the overrides that changed the config, for the log line.
    """
    notes = []
    _walk(cfg._cfg_dict, _no_pretrained)
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    cfg.log_level = 'WARNING'
    for key in ('val', 'test'):
        cfg[f'{key}_cfg'] = cfg[f'{key}_dataloader'] = None
        cfg[f'{key}_evaluator'] = None
    hooks = cfg.get('default_hooks', {})
    if 'checkpoint' in hooks:
        hooks['checkpoint'].update(interval=10**6, save_last=False)
    cfg.randomness = dict(seed=0)
    # A scheduler that starts after iteration 2 cannot be built for a
    # 2-iteration run (mmengine checks begin < end).

    def early(schedulers):
        if isinstance(schedulers, dict) and 'type' not in schedulers:
            return {k: early(v) for k, v in schedulers.items()}  # per part
        if isinstance(schedulers, (list, tuple)):
            kept = [s for s in schedulers if s.get('begin', 0) < 2]
            if len(kept) < len(schedulers):
                notes.append('schedulers starting after iteration 2 dropped')
            return kept
        return schedulers

    if cfg.get('param_scheduler') is not None:
        cfg.param_scheduler = early(cfg.param_scheduler)
    train_cfg = cfg.train_cfg
    if train_cfg.get('by_epoch', True) and 'max_iters' not in train_cfg:
        train_cfg['max_epochs'] = 1
        train_cfg.pop('val_interval', None)
    else:
        train_cfg['max_iters'] = 2
        train_cfg['val_interval'] = 10**6
    loader = cfg.train_dataloader
    loader.update(batch_size=2, num_workers=0, persistent_workers=False)

    def point_data(node: dict) -> None:
        for key in ('data_root', 'data_prefix'):
            if isinstance(node.get(key), str) and node[key].startswith(
                    'data/'):
                node[key] = data_root
        for step in node.get('pipeline', []) or []:
            if step.get('crop_size') in ((512, 1024), [512, 1024]):
                step['crop_size'] = (64, 128)
                notes.append('crop 64x128')
            if step.get('type') == 'RandomResize':
                step['scale'] = (128, 64)

    _walk(loader.dataset, point_data)
    model = cfg.model
    if 'mmseg::' in str(model.get('architecture', {}).get('cfg_path', '')):
        model['data_preprocessor'] = dict(
            type='mmseg.SegDataPreProcessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True,
            pad_val=0,
            seg_pad_val=255,
            size=(64, 128))
    return notes


def dataset_type(cfg) -> str:
    found = []
    _walk(cfg.train_dataloader.dataset,
          lambda n: found.append(n['type']) if 'type' in n and n['type']
          not in ('CRDDataset', ) else None)
    return str(found[0]).rpartition('.')[-1]


def _one_process_group(cfg) -> None:
    from kd_plugins.cli.launch import prepare_distributed
    os.environ.update(RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
                      MASTER_ADDR='127.0.0.1', MASTER_PORT=str(free_port()))
    cfg.launcher = 'pytorch'
    # also gives DDP-type wrappers device_ids=None (CPU modules)
    prepare_distributed(cfg, 'pytorch')


def run_one(path: str, tmp: str) -> Optional[str]:
    """Train one config 2 iterations. Returns None on success."""
    import torch
    from mmengine.runner import Runner

    from kd_plugins.cli.config_loading import read_config
    cfg = read_config(path)
    name = osp.splitext(osp.basename(path))[0]
    data_root = osp.join(tmp, 'data', name)
    kind = dataset_type(cfg)
    if kind == 'ImageNet':
        write_imagenet(data_root)
    elif kind in ('CIFAR10', 'CIFAR100'):
        import mmpretrain.datasets as D
        write_cifar(data_root, getattr(D, kind))
    elif kind == 'CityscapesDataset':
        write_cityscapes(data_root)
    else:
        return f'no fake data writer for {kind}'
    notes = prepare(cfg, data_root, osp.join(tmp, 'work', name))
    torch.manual_seed(0)
    distributed = cfg.get('model_wrapper_cfg') is not None
    if distributed:
        # The data-free configs wrap the model in
        # MMSeparateDistributedDataParallel (their algorithms use
        # ``generator.module``): one gloo process, as tools/train.py
        # --launcher pytorch does on a CPU-only machine.
        _one_process_group(cfg)
        notes.append('1-process gloo launch')
    try:
        runner = Runner.from_cfg(cfg)
        runner.train()
    finally:
        if distributed:
            torch.distributed.destroy_process_group()
    if runner.iter != 2:
        return f'trained {runner.iter} iterations, not 2'
    print(f'    [{kind}; {", ".join(sorted(set(notes))) or "no extra"} '
          'overrides]', flush=True)
    return None


def _skip_url_init_weights() -> None:
    """Offline: ``Pretrained`` init from a URL inside a ``cfg_path`` model
    config (e.g. mmseg's ``open-mmlab://resnet101_v1c``) keeps the random
    weights instead of downloading."""
    from mmengine.model.weight_init import PretrainedInit
    original = PretrainedInit.__call__

    def __call__(self, module):
        if '://' in str(self.checkpoint):
            print(f'    [offline: random weights, not {self.checkpoint}]')
            return
        return original(self, module)

    PretrainedInit.__call__ = __call__


def main(argv: List[str]) -> int:
    import logging

    from mmengine.logging import MMLogger

    import kd_plugins  # noqa: F401
    _skip_url_init_weights()
    configs = zoo_configs()
    if argv:
        configs = [c for c in configs if any(a in c for a in argv)]
    counts = dict(PASS=0, SKIP=0, FAIL=0)
    with tempfile.TemporaryDirectory() as tmp:
        for path in configs:
            base = osp.basename(path)
            start = time.time()
            if base in SKIPS:
                counts['SKIP'] += 1
                print(f'SKIP {base}: {SKIPS[base]}', flush=True)
                continue
            try:
                error = run_one(path, tmp)
            except Exception as e:  # report and go on with the next config
                traceback.print_exc()
                first = (str(e).splitlines() or [''])[0]
                error = f'{type(e).__name__}: {first}'
            finally:
                logging.getLogger().handlers.clear()
                MMLogger._instance_dict.clear()
            status = 'PASS' if error is None else 'FAIL'
            counts[status] += 1
            print(f'{status} {base} ({time.time() - start:.1f} s)'
                  + (f': {error}' if error else ''), flush=True)
    print(f"SUMMARY pass={counts['PASS']} skip={counts['SKIP']} "
          f"fail={counts['FAIL']} total={len(configs)}", flush=True)
    return 1 if counts['FAIL'] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
