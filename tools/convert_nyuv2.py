# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Convert the official labeled NYU Depth v2 .mat into NYUv2SegDataset's files.

Input: ``nyu_depth_v2_labeled.mat`` (1,449 RGB-D frames with dense labels of
894 classes, 0 = unlabeled; MATLAB v7.3, i.e. HDF5), the official split
``splits.mat`` (``trainNdxs`` / ``testNdxs``, 1-based, 795 / 654) and the
894->40 mapping ``classMapping40.mat`` (``mapClass``). Output::

    OUT/image/{train,test}/%05d.png    RGB, 640x480 as in the .mat file
    OUT/seg13/{train,test}/%05d.png    NYU13 id - 1 (0..12), 255 = unlabeled

with the 13 classes in the order of ``NYUV2_13_CLASSES`` (bed, books,
ceiling, chair, floor, furniture, objects, picture, sofa, table, tv, wall,
window). ``--names mat`` (default) names a file by its 1-based index in the
.mat file, as github.com/VainF/nyuv2-python-toolkit (``extract_nyuv2.py``)
does for this same layout; ``--names split`` numbers each split 0, 1, ...

Axis order: MATLAB stores arrays column-major, so h5py reads the MATLAB
``images`` (480x640x3xN) as ``(N, 3, 640, 480)`` and ``labels`` (480x640xN)
as ``(N, 640, 480)``; an image is ``images[i].transpose(2, 1, 0)``, a label
map ``labels[i].T``. Read from VainF/nyuv2-python-toolkit
``extract_nyuv2.py`` (``imgs.transpose(0, 3, 2, 1)``,
``labels.transpose([0, 2, 1])``) and the shape comments of other public
extraction scripts (``(N,3,W,H) uint8``, ``(N,W,H) uint16``).

Mappings (sources read; see docs/datasets.md):

- 894 -> 40: ``classMapping40.mat`` key ``mapClass`` (1x894, NYU40 ids),
  from github.com/ankurhanda/nyuv2-meta-data (the file is not shipped here:
  pass it with ``--mapping40``); label 0 stays unlabeled. Read as
  VainF/nyuv2-python-toolkit does (``loadmat(...)['mapClass'][0]``, 0
  prepended).
- 40 -> 13: :data:`NYU40_TO_NYU13`, the table of ankurhanda/nyuv2-meta-data's
  ``class13Mapping.mat`` as a public PyTorch NYUv2 script writes it out
  (``NYU40_SEMANTIC_ID_TO_NYU13_SEMANTIC_ID``, citing that file), checked
  entry by entry against an independent source, howard-mahe/
  nyudv2_class_mapping (``utils/map40to13.m`` and its README table, derived
  from Couprie et al. 2013 via ankurhanda/SceneNetv1.0): all 40 agree.
  The .mat file itself could not be read here (UNCONFIRMED beyond those two
  copies). ``--mapping13 class13Mapping.mat`` reads the file instead: its
  ``classMapping13`` struct, the first field holding 40 ids 1..13 (the
  field's name is UNCONFIRMED; VainF's script reads field 0 by position), or
  a top-level ``mapClass`` of 40 ids (howard-mahe's ``classMapping13.mat``).

Every input is checked before anything is written; a missing or unreadable
file, a missing key, an index out of range or a missing h5py is one
``error:`` line (exit 1).

Examples:
    python tools/convert_nyuv2.py nyu_depth_v2_labeled.mat data/NYUv2 \
        --splits splits.mat --mapping40 classMapping40.mat
    python tools/convert_nyuv2.py nyu_depth_v2_labeled.mat data/NYUv2 \
        --mapping40 meta/classMapping40.mat \
        --mapping13 meta/class13Mapping.mat --names split
"""
import argparse
import os
import os.path as osp
from typing import Dict, Optional

import cv2
import numpy as np

from kd_plugins.cli.run import run_cli
from kd_plugins.cli.text import exception_summary
from kd_plugins.utils.errors import UserInputError

#: NYU40 class names (Gupta et al. 2013), index = NYU40 id - 1.
NYU40_CLASSES = (
    'wall', 'floor', 'cabinet', 'bed', 'chair', 'sofa', 'table', 'door',
    'window', 'bookshelf', 'picture', 'counter', 'blinds', 'desk', 'shelves',
    'curtain', 'dresser', 'pillow', 'mirror', 'floor mat', 'clothes',
    'ceiling', 'books', 'refrigerator', 'television', 'paper', 'towel',
    'shower curtain', 'box', 'whiteboard', 'person', 'night stand', 'toilet',
    'sink', 'lamp', 'bathtub', 'bag', 'other structure', 'other furniture',
    'other prop')

#: NYU40 id -> 1-based NYU13 id (index 0 = unlabeled -> 0); NYU13 order:
#: bed, books, ceiling, chair, floor, furniture, objects, picture, sofa,
#: table, tv, wall, window. Sources in the module docstring.
NYU40_TO_NYU13 = (0, 12, 5, 6, 1, 4, 9, 10, 12, 13, 6, 8, 6, 13, 10, 6, 13, 6,
                  7, 7, 5, 7, 3, 2, 6, 11, 7, 7, 7, 7, 7, 7, 6, 7, 7, 7, 7, 7,
                  7, 6, 7)

IGNORE_INDEX = 255
META_REPO = 'github.com/ankurhanda/nyuv2-meta-data'
SOURCES = {
    'labeled': 'nyu_depth_v2_labeled.mat from the NYU Depth Dataset V2 page '
    '(cs.nyu.edu/~silberman/datasets/nyu_depth_v2.html, "Labeled dataset")',
    'splits': 'splits.mat, the official 795/654 split, from the NYU Depth v2 '
    'site (indoor_seg_sup/splits.mat) or the copy in '
    'github.com/VainF/nyuv2-python-toolkit',
    'mapping40': f'classMapping40.mat (the 894->40 class mapping, key '
    f'mapClass) from {META_REPO}',
    'mapping13': f'class13Mapping.mat (the 40->13 class mapping) from '
    f'{META_REPO}',
}


class ConvertError(UserInputError, ValueError):
    """An input the conversion cannot use (one line naming it)."""


def _import_h5py(path: str):
    try:
        import h5py
    except ImportError as exc:
        raise ConvertError(
            f'h5py is not installed ({exception_summary(exc)}); it reads '
            f'MATLAB v7.3 files such as {path}: pip install h5py (or pip '
            'install -e ".[nyuv2]")') from exc
    return h5py


def _check_file(path: str, option: str, what: str) -> None:
    where = f' and pass it with {option}' if option.startswith('--') else ''
    if not osp.exists(path):
        raise ConvertError(f'{option}: {path} not found; download '
                           f'{SOURCES[what]}{where}')
    if not osp.isfile(path):
        raise ConvertError(f'{option}: {path} is not a file; expected '
                           f'{SOURCES[what]}')


def load_mat(path: str, option: str, what: str) -> Dict[str, np.ndarray]:
    """The variables of a small MATLAB file (v5 via scipy, v7.3 via h5py).

    Args:
        path (str): The file.
        option (str): The command-line option naming it (for messages).
        what (str): Key of :data:`SOURCES` saying where the file comes from.

    Returns:
        dict: Variable name -> array (``scipy.io.loadmat``'s result, or the
        top-level numeric datasets of a v7.3 file, transposed back to
        MATLAB's axis order).
    """
    from scipy.io import loadmat
    _check_file(path, option, what)
    try:
        return {k: v for k, v in loadmat(path).items()
                if not k.startswith('__')}
    except NotImplementedError:  # scipy: "use HDF reader for v7.3 files"
        pass
    except Exception as exc:
        raise ConvertError(
            f'{option}: cannot read {path} ({exception_summary(exc)}); '
            f'expected {SOURCES[what]}') from exc
    h5py = _import_h5py(path)
    try:
        with h5py.File(path, 'r') as f:
            return {k: np.asarray(v).T for k, v in f.items()
                    if isinstance(v, h5py.Dataset)
                    and v.dtype.kind in 'biuf'}
    except OSError as exc:
        raise ConvertError(
            f'{option}: cannot read {path} ({exception_summary(exc)}); '
            f'expected {SOURCES[what]}') from exc


def _variable(mat: dict, key: str, path: str, option: str,
              what: str) -> np.ndarray:
    if key not in mat:
        raise ConvertError(
            f'{option}: {path} has no variable {key!r} (it holds '
            f'{", ".join(sorted(mat)) or "nothing"}); expected '
            f'{SOURCES[what]}')
    return mat[key]


def _integers(values, path: str, option: str, key: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ConvertError(f'{option}: {path}: {key} is not numeric '
                           f'({exception_summary(exc)})') from exc
    if array.size and not np.all(array == np.round(array)):
        raise ConvertError(f'{option}: {path}: {key} holds non-integer '
                           'values')
    return array.astype(np.int64)


def read_mapping40(path: str) -> np.ndarray:
    """894 -> 40 lookup table ``lut[raw id] = NYU40 id`` (``lut[0] = 0``)."""
    option = '--mapping40'
    values = _integers(
        _variable(load_mat(path, option, 'mapping40'), 'mapClass', path,
                  option, 'mapping40'), path, option, 'mapClass')
    if values.size == 0 or values.min() < 0 or values.max() > 40:
        raise ConvertError(
            f'{option}: {path}: mapClass must hold NYU40 ids 0..40, found '
            f'{values.min() if values.size else "no values"}..'
            f'{values.max() if values.size else ""}')
    return np.concatenate([[0], values])


def read_mapping13(path: Optional[str] = None) -> np.ndarray:
    """40 -> 13 lookup table ``lut[NYU40 id] = NYU13 id`` (``lut[0] = 0``).

    Args:
        path (str, optional): ``class13Mapping.mat`` (``classMapping13``
            struct, first 40-entry numeric field) or a file with a
            top-level ``mapClass`` of 40 entries. Defaults to None
            (:data:`NYU40_TO_NYU13`).
    """
    if path is None:
        return np.asarray(NYU40_TO_NYU13, dtype=np.int64)
    option = '--mapping13'
    mat = load_mat(path, option, 'mapping13')
    candidates = []
    if 'mapClass' in mat:
        candidates.append(('mapClass', mat['mapClass']))
    struct = mat.get('classMapping13')
    if struct is not None and struct.dtype.names and struct.size:
        element = struct.reshape(-1)[0]
        candidates += [(f'classMapping13.{name}', element[name])
                       for name in struct.dtype.names]
    for key, value in candidates:
        value = np.asarray(value)
        if value.dtype.kind in 'biuf' and value.size == 40:
            values = _integers(value, path, option, key)
            if values.min() < 1 or values.max() > 13:
                raise ConvertError(
                    f'{option}: {path}: {key} must hold NYU13 ids 1..13, '
                    f'found {values.min()}..{values.max()}')
            return np.concatenate([[0], values])
    raise ConvertError(
        f'{option}: {path} has no 40-entry mapping (a classMapping13 struct '
        'whose first numeric field has 40 entries, or a mapClass of 40; it '
        f'holds {", ".join(sorted(mat)) or "nothing"}); expected '
        f'{SOURCES["mapping13"]}')


def label_lut(lut40: np.ndarray, lut13: np.ndarray) -> np.ndarray:
    """Raw (894-class) id -> output label (NYU13 id - 1, 255 unlabeled)."""
    nyu13 = lut13[lut40]
    return np.where(nyu13 > 0, nyu13 - 1, IGNORE_INDEX).astype(np.uint8)


def read_splits(path: str, num_images: int) -> Dict[str, np.ndarray]:
    """``{'train': ..., 'test': ...}`` 1-based indices into the .mat file."""
    option = '--splits'
    mat = load_mat(path, option, 'splits')
    splits = {}
    for split in ('train', 'test'):
        key = f'{split}Ndxs'
        idxs = _integers(_variable(mat, key, path, option, 'splits'), path,
                         option, key)
        if idxs.size == 0:
            raise ConvertError(f'{option}: {path}: {key} is empty')
        bad = idxs[(idxs < 1) | (idxs > num_images)]
        if bad.size:
            raise ConvertError(
                f'{option}: {path}: {key} holds {bad[0]}, outside 1..'
                f'{num_images} (the images in the labeled file); is it the '
                'split of another file?')
        if np.unique(idxs).size != idxs.size:
            raise ConvertError(f'{option}: {path}: {key} repeats an index')
        splits[split] = idxs
    both = np.intersect1d(splits['train'], splits['test'])
    if both.size:
        raise ConvertError(f'{option}: {path}: image {both[0]} is in both '
                           'trainNdxs and testNdxs')
    return splits


def _dataset(f, key: str, path: str):
    if key not in f:
        raise ConvertError(
            f'{path} has no dataset {key!r} (it holds '
            f'{", ".join(sorted(f)) or "nothing"}); expected '
            f'{SOURCES["labeled"]}')
    return f[key]


def _output_dirs(out: str) -> Dict[str, str]:
    dirs = {f'{kind}/{split}': osp.join(out, kind, split)
            for kind in ('image', 'seg13') for split in ('train', 'test')}
    for d in dirs.values():
        if osp.isdir(d):
            pngs = [n for n in os.listdir(d) if n.endswith('.png')]
            if pngs:
                raise ConvertError(
                    f'output folder {d} already holds {len(pngs)} .png '
                    'files; the dataset reads every .png there, so convert '
                    'into an empty folder (or delete them first)')
    return dirs


def convert(labeled: str,
            out: str,
            splits: Optional[str] = None,
            mapping40: Optional[str] = None,
            mapping13: Optional[str] = None,
            names: str = 'mat') -> Dict[str, int]:
    """Write ``out/{image,seg13}/{train,test}/%05d.png``.

    Args:
        labeled (str): ``nyu_depth_v2_labeled.mat``.
        out (str): The output ``data_root``.
        splits (str, optional): ``splits.mat``. Defaults to None (the file of
            that name beside ``labeled``).
        mapping40 (str, optional): ``classMapping40.mat``. Defaults to None
            (the file of that name beside ``labeled``).
        mapping13 (str, optional): ``class13Mapping.mat``. Defaults to None
            (the built-in :data:`NYU40_TO_NYU13`).
        names (str): ``'mat'`` (1-based index in the .mat file) or
            ``'split'`` (0-based index within the split). Defaults to 'mat'.

    Returns:
        dict: Images written per split.
    """
    if names not in ('mat', 'split'):
        raise ConvertError(f"--names must be 'mat' or 'split', got "
                           f'{names!r}')
    here = osp.dirname(osp.abspath(labeled))
    splits = splits or osp.join(here, 'splits.mat')
    mapping40 = mapping40 or osp.join(here, 'classMapping40.mat')
    _check_file(labeled, 'labeled file', 'labeled')
    h5py = _import_h5py(labeled)
    lut = label_lut(read_mapping40(mapping40), read_mapping13(mapping13))
    try:
        f = h5py.File(labeled, 'r')
    except OSError as exc:
        raise ConvertError(
            f'{labeled} is not a MATLAB v7.3 (HDF5) file '
            f'({exception_summary(exc)}); expected {SOURCES["labeled"]}'
        ) from exc
    with f:
        images = _dataset(f, 'images', labeled)
        labels = _dataset(f, 'labels', labeled)
        if (len(images.shape) != 4 or images.shape[1] != 3
                or images.dtype != np.uint8):
            raise ConvertError(
                f'{labeled}: images is {images.dtype} {images.shape}, '
                'expected uint8 (N, 3, W, H) (MATLAB HxWx3xN as h5py reads '
                'it)')
        num, _, width, height = images.shape
        if tuple(labels.shape) != (num, width, height):
            raise ConvertError(
                f'{labeled}: labels has shape {labels.shape}, expected '
                f'{(num, width, height)} to match images {images.shape}')
        if labels.dtype.kind not in 'iu':
            raise ConvertError(f'{labeled}: labels is {labels.dtype}, '
                               'expected integer class ids')
        split_idxs = read_splits(splits, num)
        for idx in np.concatenate(list(split_idxs.values())):
            raw = np.asarray(labels[idx - 1])
            if raw.size and (raw.min() < 0 or raw.max() >= lut.size):
                raise ConvertError(
                    f'{labeled}: labels of image {idx} go up to {raw.max()}'
                    f', but {mapping40} maps only classes 1..{lut.size - 1}')
        dirs = _output_dirs(out)
        for d in dirs.values():
            try:
                os.makedirs(d, exist_ok=True)
            except OSError as exc:
                raise ConvertError(f'cannot create output folder {d}: '
                                   f'{exception_summary(exc)}') from exc
        counts = {}
        for split, idxs in split_idxs.items():
            for k, idx in enumerate(idxs):
                name = '%05d.png' % (idx if names == 'mat' else k)
                raw = np.asarray(labels[idx - 1]).T
                rgb = np.asarray(images[idx - 1]).transpose(2, 1, 0)
                _write(osp.join(dirs[f'image/{split}'], name),
                       np.ascontiguousarray(rgb[:, :, ::-1]))  # cv2: BGR
                _write(osp.join(dirs[f'seg13/{split}'], name), lut[raw])
            counts[split] = len(idxs)
    return counts


def _write(path: str, array: np.ndarray) -> None:
    if not cv2.imwrite(path, array):
        raise ConvertError(f'cannot write {path} (is the disk full or the '
                           'folder read-only?)')


def _main(argv, state) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('labeled', help='nyu_depth_v2_labeled.mat')
    parser.add_argument('out', help='output data_root, e.g. data/NYUv2')
    parser.add_argument(
        '--splits', help='splits.mat (default: beside the labeled file)')
    parser.add_argument(
        '--mapping40',
        help='classMapping40.mat, the 894->40 mapping from '
        f'{META_REPO} (default: beside the labeled file)')
    parser.add_argument(
        '--mapping13',
        help=f'class13Mapping.mat from {META_REPO} (default: the built-in '
        'table of that file)')
    parser.add_argument(
        '--names', choices=('mat', 'split'), default='mat',
        help='file names: 1-based index in the .mat file (mat, as '
        'VainF/nyuv2-python-toolkit) or 0-based index within the split')
    parser.add_argument('--debug', action='store_true',
                        help='print the traceback of an error too')
    args = parser.parse_args(argv)
    counts = convert(args.labeled, args.out, args.splits, args.mapping40,
                     args.mapping13, args.names)
    print(f'wrote {counts["train"]} train / {counts["test"]} test images and '
          f'13-class labels (0..12, {IGNORE_INDEX} = unlabeled) to '
          f'{args.out}/{{image,seg13}}/{{train,test}}')


def main(argv=None) -> None:
    run_cli(_main, argv)


if __name__ == '__main__':
    main()
