"""Tiny fake datasets written in each dataset's own on-disk layout."""
import hashlib
import os
import os.path as osp
import pickle
from pathlib import Path

import numpy as np

__all__ = [
    'write_imagenet', 'write_cifar', 'write_cityscapes', 'write_tiny_nyuv2'
]


def _write_png(path: str, array: np.ndarray) -> None:
    import cv2
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(path, array), path


def write_imagenet(root: str, num: int = 4, size: int = 32) -> None:
    """``train/<class>/<img>.JPEG`` plus ``meta/train.txt`` (``path label``).
    """
    rng = np.random.default_rng(0)
    lines = []
    for i in range(num):
        rel = f'n{i:08d}/img_{i}.JPEG'
        img = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        _write_png(osp.join(root, 'train', rel), img)
        lines.append(f'{rel} {i % 2}')
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    with open(osp.join(root, 'meta', 'train.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def write_cifar(root: str, dataset_cls, num: int = 4) -> None:
    """CIFAR python pickles (``data_batch_*``, ``test_batch``/``train``,
    ``batches.meta``/``meta``); the class's md5 table is pointed at the fake
    files so its integrity check still runs."""
    rng = np.random.default_rng(0)
    folder = osp.join(root, dataset_cls.base_folder)
    os.makedirs(folder, exist_ok=True)
    label_key = 'fine_labels' if 'fine' in str(
        dataset_cls.meta.get('key')) else 'labels'

    def dump(name, payload):
        path = osp.join(folder, name)
        with open(path, 'wb') as f:
            pickle.dump(payload, f)
        return [name, hashlib.md5(open(path, 'rb').read()).hexdigest()]

    def batch(n):
        return {
            'data': rng.integers(0, 256, (n, 3072), dtype=np.uint8),
            label_key: [int(i % 2) for i in range(n)]
        }

    dataset_cls.train_list = [
        dump(name, batch(num if i == 0 else 0))
        for i, (name, _) in enumerate(dataset_cls.train_list)
    ]
    dataset_cls.test_list = [
        dump(name, batch(num)) for name, _ in dataset_cls.test_list
    ]
    classes = [f'class_{i}' for i in range(100)]
    _, md5 = dump(dataset_cls.meta['filename'],
                  {dataset_cls.meta['key']: classes})
    dataset_cls.meta = dict(dataset_cls.meta, md5=md5)


def write_cityscapes(root: str, num: int = 2, hw=(64, 128)) -> None:
    """``leftImg8bit/train/<city>/*_leftImg8bit.png`` and
    ``gtFine/train/<city>/*_gtFine_labelTrainIds.png``."""
    rng = np.random.default_rng(0)
    for i in range(num):
        stem = f'city_{i:06d}_000019'
        _write_png(
            osp.join(root, 'leftImg8bit', 'train', 'city',
                     f'{stem}_leftImg8bit.png'),
            rng.integers(0, 256, (*hw, 3), dtype=np.uint8))
        _write_png(
            osp.join(root, 'gtFine', 'train', 'city',
                     f'{stem}_gtFine_labelTrainIds.png'),
            rng.integers(0, 19, hw, dtype=np.uint8))


def write_tiny_nyuv2(root, n_train=3, n_test=2, size=(48, 64), seed=0):
    """Write the NYUv2/{image,seg13}/{train,test}/%05d.png layout."""
    import cv2
    root = Path(root)
    rng = np.random.RandomState(seed)
    for split, n in (('train', n_train), ('test', n_test)):
        (root / 'image' / split).mkdir(parents=True, exist_ok=True)
        (root / 'seg13' / split).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            img = rng.randint(0, 256, size + (3, ), dtype=np.uint8)
            seg = rng.randint(0, 13, size, dtype=np.uint8)
            seg[:4, :4] = 255
            cv2.imwrite(str(root / 'image' / split / f'{i:05d}.png'), img)
            cv2.imwrite(str(root / 'seg13' / split / f'{i:05d}.png'), seg)
    return root
