"""Every config under ``configs/`` loads, builds and trains as shipped.

The configs are globbed, so a new config is covered without editing this
file. Three checks:

- every file (fragments under ``_base_/`` and ``_*.py`` too) loads;
- every full config builds its model, and so does every model fragment
  under ``_base_/models`` (teacher checkpoints set to None: nothing read);
- (``e2e``) every full config trains 2 iterations through
  ``tools/train.py``'s ``main`` on data this test writes in the dataset's
  real layout, then validates once.

What the 2-iteration runs override, by dataset family / key, never by
config name, and never the model's architecture, losses or pipelines:

- data: ``data_root`` -> the test's copy (CIFAR-10/100 python pickles,
  NYUv2 PNG folders, ImageNet folders + ``meta/*.txt``) with 4 images per
  split, so the shipped batch size is truncated by the dataset size; the
  bundled digits get ``indices=4``, DigitsSeg ``num_samples=4``; a
  data-free placeholder dataset gets ``length`` = its batch size (one
  iteration per epoch);
- checkpoints: ``teacher_ckpt`` / DAFL ``ckpt_path`` -> a file with random
  weights of the config's own teacher architecture, a remote ``pretrained``
  backbone -> a random checkpoint of that backbone (no network);
- schedule and logging: 2 epochs (or 2 iterations), validation at the end,
  log every iteration, ``num_workers=0``;
- cost caps, stated because they change model keys: data-free algorithms run
  with ``synthesis_batch_size``/``kd_batch_size`` (DFAD ``batch_size``) <= 4,
  DFAD ``student_steps`` <= 1,
  ``warmup_generator_steps``/``generator_steps`` <= 1, a synthetic set
  (SSD-KD ``data_scale`` <= 16 images, a replay buffer's ``capacity`` <= 64
  images), SSD-KD ``warmup_rounds`` <= 2 and ``warmup_rounds_per_iter``
  <= 1 (the shipped values, e.g. Fast-2's 20 warm-up rounds before its
  first KD step, take minutes per iteration on CPU).

CIFAR's md5 check is patched to accept the test's pickles (the real files
have fixed checksums); nothing else of the stack is patched.
"""
import copy
import json
import math
import pickle

import numpy as np
import pytest
from _helpers import REPO_ROOT, load_script, save_random_checkpoint
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from kd_plugins.cli.runner import forget_visualizers

CONFIG_ROOT = REPO_ROOT / 'configs'
ALL_CONFIGS = sorted(CONFIG_ROOT.rglob('*.py'))
N_IMAGES = 4


def _rel(path) -> str:
    return str(path.relative_to(CONFIG_ROOT))


def is_fragment(path) -> bool:
    """Pieces inherited by others: ``_base_/`` folders and ``_*.py``."""
    parts = path.relative_to(CONFIG_ROOT).parts
    return '_base_' in parts or path.name.startswith('_')


FULL_CONFIGS = [p for p in ALL_CONFIGS if not is_fragment(p)]
MODEL_FRAGMENTS = [
    p for p in ALL_CONFIGS
    if is_fragment(p) and '_base_/models' in _rel(p).replace('\\', '/')
]

# dataset type -> family (how its data is provided)
FAMILIES = {
    'DigitsDataset': 'digits',
    'DigitsSegDataset': 'digitsseg',
    'CIFAR10': 'cifar10',
    'CIFAR100': 'cifar100',
    'NYUv2SegDataset': 'nyuv2',
    'ImageNet': 'imagenet',
    'DataFreePlaceholderDataset': 'placeholder',
}
LOADERS = ('train_dataloader', 'val_dataloader')
DATAFREE_CAPS = dict(synthesis_batch_size=4, kd_batch_size=4,
                     batch_size=4, student_steps=1,
                     warmup_generator_steps=1, generator_steps=1,
                     data_scale=16, warmup_rounds=2,
                     warmup_rounds_per_iter=1)
BUFFER_CAP = 64


def _walk(node, prefix):
    """Yield ``(dotted path, dict)`` for every dict under ``node``."""
    if isinstance(node, dict):
        yield prefix, node
        for key, value in node.items():
            yield from _walk(value, f'{prefix}.{key}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _walk(value, f'{prefix}.{i}')


def _datasets(cfg):
    """``(path, family, loader)`` of every dataset of the train/val
    loaders; unknown dataset types fail with the fix."""
    found = []
    for loader in LOADERS:
        if not isinstance(cfg.get(loader), dict):
            continue
        for path, node in _walk(cfg[loader].get('dataset'),
                                f'{loader}.dataset'):
            kind = node.get('type')
            if kind in FAMILIES:
                found.append((path, FAMILIES[kind], loader))
        assert any(f[2] == loader for f in found), (
            f'{loader}: no dataset of a known family '
            f'({sorted(FAMILIES)}); add its family to {__file__}')
    return found


def _ckpt_targets(model):
    """``(key path, architecture cfg or None)`` of the checkpoints a model
    config reads; the architecture is what the checkpoint must hold."""
    for path, node in _walk(model, 'model'):
        if isinstance(node.get('teacher_ckpt'), str):
            yield f'{path}.teacher_ckpt', node.get('teacher')
        if isinstance(node.get('ckpt_path'), str):
            yield f'{path}.ckpt_path', node.get('build_cfg')
        pretrained = node.get('pretrained')
        if isinstance(pretrained, str) and '://' in pretrained:
            yield f'{path}.pretrained', node.get('backbone')


def _scope(cfg) -> str:
    return cfg.get('default_scope', 'mmpretrain')


# ------------------------------------------------------------------ loading
@pytest.mark.parametrize('path', ALL_CONFIGS, ids=_rel)
def test_config_loads(path):
    cfg = Config.fromfile(str(path))
    assert len(cfg.keys()) > 0
    # mmengine keeps `_delete_=True` when no base has the key; the Runner or
    # the component then fails on it (a leftover marker is always a bug).
    leftover = [p.lstrip('.') or '<top>'
                for p, node in _walk(cfg.to_dict(), '') if '_delete_' in node]
    assert not leftover, f'_delete_ with nothing to delete at {leftover}'
    if not is_fragment(path):
        for key in ('model', 'train_dataloader', 'train_cfg',
                    'optim_wrapper'):
            assert cfg.get(key) is not None, f'{_rel(path)}: no {key}'


def _build(cfg):
    model = copy.deepcopy(cfg.model.to_dict())
    for key, _ in list(_ckpt_targets(model)):
        node = model
        *parents, last = key.split('.')[1:]
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if last == 'ckpt_path':  # mmrazor's DAFL: absent means none
            del node[last]
        else:
            node[last] = None
    with DefaultScope.overwrite_default_scope(_scope(cfg)):
        return MODELS.build(model)


@pytest.mark.parametrize('path', FULL_CONFIGS + MODEL_FRAGMENTS, ids=_rel)
def test_model_builds(path):
    cfg = Config.fromfile(str(path))
    model = _build(cfg)
    assert sum(p.numel() for p in model.parameters()) > 0
    del model


# ------------------------------------------------------- data for the runs
def _write_cifar(root, num_classes):
    rng = np.random.RandomState(0)

    def batch(label_key):
        return {
            'data': rng.randint(0, 256, (N_IMAGES, 3072), dtype=np.uint8),
            label_key: [i % num_classes for i in range(N_IMAGES)],
        }

    def dump(obj, file):
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(pickle.dumps(obj))

    if num_classes == 10:
        base = root / 'cifar-10-batches-py'
        for i in range(1, 6):
            dump(batch('labels'), base / f'data_batch_{i}')
        dump(batch('labels'), base / 'test_batch')
        dump({'label_names': [f'c{i}' for i in range(10)]},
             base / 'batches.meta')
    else:
        base = root / 'cifar-100-python'
        dump(batch('fine_labels'), base / 'train')
        dump(batch('fine_labels'), base / 'test')
        dump({'fine_label_names': [f'c{i}' for i in range(100)]},
             base / 'meta')


def _write_nyuv2(root):
    import cv2
    rng = np.random.RandomState(0)
    for split in ('train', 'test'):
        (root / 'image' / split).mkdir(parents=True)
        (root / 'seg13' / split).mkdir(parents=True)
        for i in range(N_IMAGES if split == 'train' else 1):
            image = rng.randint(0, 256, (120, 160, 3), dtype=np.uint8)
            label = rng.randint(0, 13, (120, 160), dtype=np.uint8)
            label[:4] = 255  # unlabeled pixels, as in NYUv2
            cv2.imwrite(str(root / 'image' / split / f'{i:05d}.png'), image)
            cv2.imwrite(str(root / 'seg13' / split / f'{i:05d}.png'), label)


def _write_imagenet(root):
    import cv2
    rng = np.random.RandomState(0)
    (root / 'meta').mkdir(parents=True)
    for split in ('train', 'val'):
        lines = []
        for i in range(N_IMAGES):
            rel = f'n{i:08d}/img_{i}.JPEG'
            (root / split / rel).parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(root / split / rel),
                        rng.randint(0, 256, (72, 96, 3), dtype=np.uint8))
            lines.append(f'{rel} {i}')
        (root / 'meta' / f'{split}.txt').write_text('\n'.join(lines) + '\n')


@pytest.fixture(scope='module')
def data_roots(tmp_path_factory):
    root = tmp_path_factory.mktemp('shipped_data')
    _write_cifar(root / 'cifar10', 10)
    _write_cifar(root / 'cifar100', 100)
    _write_nyuv2(root / 'nyuv2')
    _write_imagenet(root / 'imagenet')
    return {name: root / name
            for name in ('cifar10', 'cifar100', 'nyuv2', 'imagenet')}


@pytest.fixture(scope='module')
def random_ckpts(tmp_path_factory):
    """A cache: architecture config -> checkpoint file of random weights."""
    root, cache = tmp_path_factory.mktemp('random_ckpts'), {}

    def get(arch: dict, scope: str, backbone_only: bool):
        key = json.dumps([arch, scope, backbone_only], sort_keys=True,
                         default=str)
        if key not in cache:
            path = root / f'ckpt_{len(cache)}.pth'
            save_random_checkpoint(arch, path, scope=scope)
            cache[key] = path
        return cache[key]

    return get


def run_overrides(cfg, data_roots, random_ckpts):
    """The ``--cfg-options`` of a 2-iteration run (see the module doc)."""
    opts = []
    for path, family, loader in _datasets(cfg):
        if family == 'digits':
            opts.append(f'{path}.indices={N_IMAGES}')
        elif family == 'digitsseg':  # generated in memory: fewer canvases
            opts.append(f'{path}.num_samples={N_IMAGES}')
        elif family == 'placeholder':
            opts.append(f'{path}.length={cfg[loader].batch_size}')
        else:
            opts.append(f'{path}.data_root={data_roots[family]}')
    for loader in LOADERS:
        if (cfg.get(loader) or {}).get('num_workers'):
            opts.append(f'{loader}.num_workers=0')
        if (cfg.get(loader) or {}).get('persistent_workers'):
            opts.append(f'{loader}.persistent_workers=False')
    model = cfg.model.to_dict()
    for key, arch in _ckpt_targets(model):
        assert isinstance(arch, dict), f'{key}: no architecture beside it'
        ckpt = random_ckpts(arch, _scope(cfg), key.endswith('pretrained'))
        opts.append(f'{key}={ckpt}')
    loop = 'max_epochs' if 'max_epochs' in cfg.train_cfg else 'max_iters'
    opts += [f'train_cfg.{loop}=2', 'train_cfg.val_interval=2']
    if 'logger' in cfg.get('default_hooks', {}):
        opts.append('default_hooks.logger.interval=1')
    for key, cap in DATAFREE_CAPS.items():
        if model.get(key) is not None and model[key] > cap:
            opts.append(f'model.{key}={cap}')
    capacity = model.get('replay_buffer', {}).get('capacity', 0)
    if capacity > BUFFER_CAP:
        opts.append(f'model.replay_buffer.capacity={BUFFER_CAP}')
    return opts


@pytest.fixture(scope='module')
def train_tool(monkeypatch_module):
    import mmpretrain.datasets.cifar as cifar
    monkeypatch_module.setattr(cifar, 'check_md5', lambda *a, **k: True)
    return load_script('tools/train.py', '_kd_tool_train_shipped')


@pytest.fixture(scope='module')
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.mark.e2e
@pytest.mark.parametrize('path', FULL_CONFIGS, ids=_rel)
def test_config_trains_two_iterations(path, data_roots, random_ckpts,
                                      train_tool, tmp_path):
    cfg = Config.fromfile(str(path))
    opts = run_overrides(cfg, data_roots, random_ckpts)
    forget_visualizers()
    work_dir = tmp_path / 'work'
    try:
        train_tool.main([str(path), '--work-dir', str(work_dir), '--debug',
                         '--cfg-options', *opts])
    except SystemExit as e:  # a one-line error (traceback above, --debug)
        pytest.fail(f'{_rel(path)} failed with {e.code!r}; options {opts}')

    scalars = sorted(work_dir.glob('*/vis_data/scalars.json'))
    assert scalars, 'no scalars.json'
    logs = [json.loads(line) for line in scalars[-1].read_text().splitlines()]
    train = [r for r in logs if any('loss' in k for k in r)]
    assert [r['iter'] for r in train] == [1, 2], train
    for record in train:
        for key, value in record.items():
            if 'loss' in key:
                assert math.isfinite(value), (key, record)
    metrics = [k for r in logs if not any('loss' in k for k in r) for k in r
               if 'accuracy' in k or 'IoU' in k]
    assert metrics, f'no validation metric in {logs}'
    assert list(work_dir.glob('epoch_2.pth')) or list(
        work_dir.glob('iter_2.pth')), sorted(work_dir.iterdir())
