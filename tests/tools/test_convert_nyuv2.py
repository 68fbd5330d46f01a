"""tools/convert_nyuv2.py: the official labeled NYU Depth v2 file -> the
``{image,seg13}/{train,test}/%05d.png`` layout NYUv2SegDataset reads.

The inputs are written here in the layout of the real files: the labeled
file as MATLAB v7.3 writes it (HDF5 behind a 512-byte MATLAB header,
column-major, so h5py sees ``images`` as (N, 3, W, H) uint8 and ``labels``
as (N, W, H) uint16), ``splits.mat`` and ``classMapping40.mat`` as MATLAB v5
files (scipy). Images are 16x12 (W x H, not square, so a swapped axis shows)
and every pixel differs. The expected labels come from the NYU40 -> NYU13
class *names* of howard-mahe/nyudv2_class_mapping's README table (written
out below, independent of the tool's numeric table), turned into indices by
``NYUV2_13_CLASSES``.
"""
import os

import cv2
import h5py
import numpy as np
import pytest
from _helpers import REPO_ROOT, TESTS_DIR, run_tool, run_tool_mains
from mmseg.registry import DATASETS
from scipy.io import savemat

from kd_plugins.datasets.nyuv2_seg_dataset import NYUV2_13_CLASSES

TOOL = 'convert_nyuv2.py'
N, W, H = 6, 16, 12
TRAIN, TEST = [2, 5, 6, 3], [1, 4]  # 1-based, as in splits.mat

# NYU40 id order: (NYU40 name, NYU13 name), howard-mahe/nyudv2_class_mapping
NYU40_TO_13_NAMES = [
    ('wall', 'wall'), ('floor', 'floor'), ('cabinet', 'furniture'),
    ('bed', 'bed'), ('chair', 'chair'), ('sofa', 'sofa'),
    ('table', 'table'), ('door', 'wall'), ('window', 'window'),
    ('bookshelf', 'furniture'), ('picture', 'picture'),
    ('counter', 'furniture'), ('blinds', 'window'), ('desk', 'table'),
    ('shelves', 'furniture'), ('curtain', 'window'),
    ('dresser', 'furniture'), ('pillow', 'objects'), ('mirror', 'objects'),
    ('floor mat', 'floor'), ('clothes', 'objects'), ('ceiling', 'ceiling'),
    ('books', 'books'), ('refrigerator', 'furniture'),
    ('television', 'tv'), ('paper', 'objects'), ('towel', 'objects'),
    ('shower curtain', 'objects'), ('box', 'objects'),
    ('whiteboard', 'objects'), ('person', 'objects'),
    ('night stand', 'furniture'), ('toilet', 'objects'), ('sink', 'objects'),
    ('lamp', 'objects'), ('bathtub', 'objects'), ('bag', 'objects'),
    ('other structure', 'objects'), ('other furniture', 'furniture'),
    ('other prop', 'objects')
]

# synthetic 894 -> 40 mapping (raw id r -> NYU40 id), every NYU40 id used
MAP_CLASS = np.array([(r * 7) % 40 + 1 for r in range(1, 895)])


def rgb_of(i: int) -> np.ndarray:
    """(H, W, 3) image i (0-based in the .mat file), every pixel distinct."""
    y, x, c = np.meshgrid(np.arange(H), np.arange(W), np.arange(3),
                          indexing='ij')
    return ((i * 41 + y * W + x + c * 60) % 256).astype(np.uint8)


def raw_labels_of(i: int) -> np.ndarray:
    """(H, W) 894-class labels of image i: column 0 unlabeled, pixel (0, 1)
    of image 0 the last class (894), the rest cycling through the ids."""
    y, x = np.meshgrid(np.arange(H), np.arange(W), indexing='ij')
    raw = (i * 53 + y * W + x) % 894 + 1
    raw[:, 0] = 0
    if i == 0:
        raw[0, 1] = 894
    return raw.astype(np.uint16)


def expected_labels(i: int, table=None) -> np.ndarray:
    table = table or [NYUV2_13_CLASSES.index(name13)
                      for _, name13 in NYU40_TO_13_NAMES]
    raw = raw_labels_of(i)
    out = np.full((H, W), 255, np.uint8)
    for (yy, xx), r in np.ndenumerate(raw):
        if r:
            out[yy, xx] = table[MAP_CLASS[r - 1] - 1]
    return out


def write_labeled(path, keys=('images', 'labels')) -> None:
    """A v7.3-like nyu_depth_v2_labeled.mat (MATLAB's axis order)."""
    images = np.stack([rgb_of(i) for i in range(N)]).transpose(0, 3, 2, 1)
    labels = np.stack([raw_labels_of(i) for i in range(N)]).transpose(0, 2, 1)
    assert images.shape == (N, 3, W, H) and labels.shape == (N, W, H)
    with h5py.File(path, 'w', userblock_size=512) as f:
        for key, value, cls in (('images', images, 'uint8'),
                                ('labels', labels, 'uint16')):
            if key in keys:
                f.create_dataset(key, data=value)
                f[key].attrs['MATLAB_class'] = np.bytes_(cls)
    matlab73_header(path)


def matlab73_header(path) -> None:
    """MATLAB's 512-byte v7.3 header (text, version 0x0200, 'IM') in the
    HDF5 user block, so scipy tells it from a v5 file as for real files."""
    text = b'MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .'
    with open(path, 'r+b') as f:
        f.write(text.ljust(124, b' ') + b'\x00\x02IM' + b'\x00' * 384)


def column(idxs):
    return np.array(idxs, dtype=np.float64).reshape(-1, 1)  # MATLAB double


@pytest.fixture(scope='module')
def src(tmp_path_factory):
    """The three input files under their official names, one folder."""
    root = tmp_path_factory.mktemp('nyu_src')
    write_labeled(root / 'nyu_depth_v2_labeled.mat')
    savemat(root / 'splits.mat',
            dict(trainNdxs=column(TRAIN), testNdxs=column(TEST)))
    savemat(root / 'classMapping40.mat',
            dict(mapClass=MAP_CLASS.reshape(1, -1).astype(np.float64)))
    return root


@pytest.fixture(scope='module')
def converted(src, tmp_path_factory):
    out = tmp_path_factory.mktemp('nyu_out') / 'NYUv2'
    proc = run_tool(TOOL, src / 'nyu_depth_v2_labeled.mat', out,
                    '--splits', src / 'splits.mat',
                    '--mapping40', src / 'classMapping40.mat')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'wrote 4 train / 2 test' in proc.stdout
    return out


def assert_layout(out, names, table=None) -> None:
    """Every written image and label map, pixel by pixel."""
    for split, idxs in (('train', TRAIN), ('test', TEST)):
        files = {(f'{idx:05d}.png' if names == 'mat' else f'{k:05d}.png'): idx
                 for k, idx in enumerate(idxs)}
        for kind in ('image', 'seg13'):
            assert sorted(os.listdir(out / kind / split)) == sorted(files)
        for name, idx in files.items():
            img = cv2.imread(str(out / 'image' / split / name),
                             cv2.IMREAD_UNCHANGED)
            assert img.shape == (H, W, 3) and img.dtype == np.uint8
            np.testing.assert_array_equal(img[:, :, ::-1], rgb_of(idx - 1))
            seg = cv2.imread(str(out / 'seg13' / split / name),
                             cv2.IMREAD_UNCHANGED)
            assert seg.shape == (H, W) and seg.dtype == np.uint8
            np.testing.assert_array_equal(
                seg, expected_labels(idx - 1, table))


def test_images_and_labels_pixel_by_pixel(converted):
    assert_layout(converted, 'mat')
    seg = cv2.imread(str(converted / 'seg13' / 'test' / '00001.png'),
                     cv2.IMREAD_UNCHANGED)
    assert (seg[:, 0] == 255).all() and (seg[:, 1:] != 255).all()
    # raw 894 -> NYU40 (894*7) % 40 + 1 = 19 (mirror) -> objects
    assert seg[0, 1] == NYUV2_13_CLASSES.index('objects')
    train = np.stack([cv2.imread(str(p), cv2.IMREAD_UNCHANGED) for p in
                      sorted((converted / 'seg13' / 'train').iterdir())])
    assert set(np.unique(train)) == set(range(13)) | {255}


def test_nyuv2_seg_dataset_reads_the_output(converted):
    for split, idxs in (('train', TRAIN), ('test', TEST)):
        ds = DATASETS.build(
            dict(type='NYUv2SegDataset', _scope_='mmseg',
                 data_root=str(converted), split=split,
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='LoadAnnotations')]))
        assert len(ds) == len(idxs) and len(ds.metainfo['classes']) == 13
        seen = []
        for i in range(len(ds)):
            sample = ds[i]
            idx = int(os.path.basename(sample['img_path'])[:-4])
            seen.append(idx)
            np.testing.assert_array_equal(sample['img'][:, :, ::-1],
                                          rgb_of(idx - 1))  # loaded as BGR
            np.testing.assert_array_equal(sample['gt_seg_map'],
                                          expected_labels(idx - 1))
        assert sorted(seen) == sorted(idxs)


def test_variants_and_one_line_errors(src, converted, tmp_path):
    labeled = src / 'nyu_depth_v2_labeled.mat'
    # a class13Mapping.mat in the nyuv2-meta-data layout (struct
    # classMapping13, mapping first): here everything -> objects but wall
    other = [7] * 40
    other[0] = 12
    savemat(tmp_path / 'class13Mapping.mat', dict(classMapping13=dict(
        labels13=np.array([other], dtype=np.float64),
        className=np.array(['bed'] * 13, dtype=object))))
    savemat(tmp_path / 'classMapping13_hm.mat', dict(mapClass=np.array(
        [[NYUV2_13_CLASSES.index(c) + 1 for _, c in NYU40_TO_13_NAMES]])))
    splits73 = tmp_path / 'splits73.mat'  # splits.mat saved as v7.3
    with h5py.File(splits73, 'w', userblock_size=512) as f:
        f['trainNdxs'] = column(TRAIN).T
        f['testNdxs'] = column(TEST).T
    matlab73_header(splits73)
    savemat(tmp_path / 'bad13.mat', dict(mapClass=np.arange(1, 41)))
    savemat(tmp_path / 'wrong_key40.mat', dict(mapping=MAP_CLASS))
    savemat(tmp_path / 'short40.mat', dict(mapClass=MAP_CLASS[:100]))
    savemat(tmp_path / 'wrong_key_splits.mat',
            dict(trainNdxs=column(TRAIN), testNdx=column(TEST)))
    savemat(tmp_path / 'range_splits.mat',
            dict(trainNdxs=column(TRAIN), testNdxs=column([1, 9])))
    (tmp_path / 'garbage.mat').write_bytes(b'\x00not a mat file' * 20)
    savemat(tmp_path / 'v5_labeled.mat', dict(images=np.zeros((2, 2))))
    write_labeled(tmp_path / 'no_labels.mat', keys=('images', ))
    (tmp_path / 'lonely').mkdir()
    write_labeled(tmp_path / 'lonely' / 'nyu_depth_v2_labeled.mat')
    (tmp_path / 'adir.mat').mkdir()

    s, m = src / 'splits.mat', src / 'classMapping40.mat'
    base = ['--splits', s, '--mapping40', m]
    ok = {
        'defaults_beside_labeled': [labeled, tmp_path / 'o_def'],
        'split_names_struct13': [labeled, tmp_path / 'o_s13', *base,
                                 '--mapping13',
                                 tmp_path / 'class13Mapping.mat',
                                 '--names', 'split'],
        'top_level_mapClass13': [labeled, tmp_path / 'o_hm', *base,
                                 '--mapping13',
                                 tmp_path / 'classMapping13_hm.mat'],
        'v73_splits': [labeled, tmp_path / 'o_v73', '--splits',
                       splits73, '--mapping40', m],
    }
    errors = {  # case: (argv, parts of the one-line message)
        'labeled_missing': ([tmp_path / 'nope.mat', tmp_path / 'e1', *base],
                            ['nope.mat not found',
                             'nyu_depth_v2_labeled.mat']),
        'labeled_not_hdf5': ([tmp_path / 'v5_labeled.mat', tmp_path / 'e2',
                              *base],
                             ['v5_labeled.mat is not a MATLAB v7.3 (HDF5)']),
        'labeled_no_labels': ([tmp_path / 'no_labels.mat', tmp_path / 'e3',
                               *base],
                              ["no_labels.mat has no dataset 'labels'",
                               'it holds images']),
        'mapping40_missing': ([tmp_path / 'lonely' /
                               'nyu_depth_v2_labeled.mat', tmp_path / 'e4',
                               '--splits', s],
                              ['--mapping40', 'lonely/classMapping40.mat '
                               'not found', 'ankurhanda/nyuv2-meta-data']),
        'mapping40_wrong_key': ([labeled, tmp_path / 'e5', '--splits', s,
                                 '--mapping40', tmp_path / 'wrong_key40.mat'],
                                ["wrong_key40.mat has no variable "
                                 "'mapClass'", 'it holds mapping']),
        'mapping40_short': ([labeled, tmp_path / 'e6', '--splits', s,
                             '--mapping40', tmp_path / 'short40.mat'],
                            ['labels of image', 'go up to',
                             'short40.mat maps only classes 1..100']),
        'splits_missing': ([tmp_path / 'lonely' /
                            'nyu_depth_v2_labeled.mat', tmp_path / 'e7',
                            '--mapping40', m],
                           ['--splits', 'lonely/splits.mat not found']),
        'splits_wrong_key': ([labeled, tmp_path / 'e8', '--splits',
                              tmp_path / 'wrong_key_splits.mat',
                              '--mapping40', m],
                             ["wrong_key_splits.mat has no variable "
                              "'testNdxs'"]),
        'splits_out_of_range': ([labeled, tmp_path / 'e9', '--splits',
                                 tmp_path / 'range_splits.mat',
                                 '--mapping40', m],
                                ['range_splits.mat', 'testNdxs holds 9',
                                 'outside 1..6']),
        'splits_garbage': ([labeled, tmp_path / 'e10', '--splits',
                            tmp_path / 'garbage.mat', '--mapping40', m],
                           ['--splits: cannot read', 'garbage.mat']),
        'splits_directory': ([labeled, tmp_path / 'e11', '--splits',
                              tmp_path / 'adir.mat', '--mapping40', m],
                             ['adir.mat is not a file']),
        'mapping13_values': ([labeled, tmp_path / 'e12', *base,
                              '--mapping13', tmp_path / 'bad13.mat'],
                             ['bad13.mat', 'NYU13 ids 1..13',
                              'found 1..40']),
        'output_not_empty': ([labeled, converted, *base],
                             ['image/train already holds 4 .png files']),
    }
    cases = [(name, TOOL, argv) for name, argv in ok.items()]
    cases += [(name, TOOL, argv) for name, (argv, _) in errors.items()]
    results = {name: (code, msg) for name, code, msg in run_tool_mains(cases)}
    for name in ok:
        assert results[name] == (0, 'finished'), (name, results[name])
    assert_layout(tmp_path / 'o_def', 'mat')
    assert_layout(tmp_path / 'o_hm', 'mat')
    assert_layout(tmp_path / 'o_v73', 'mat')
    table = [NYUV2_13_CLASSES.index('objects')] * 40
    table[0] = NYUV2_13_CLASSES.index('wall')
    assert_layout(tmp_path / 'o_s13', 'split', table)
    for name, (argv, parts) in errors.items():
        code, message = results[name]
        assert code == 1, (name, code, message)
        assert message.startswith('error: ') and '\n' not in message, message
        for part in parts:
            assert part in message, (name, part, message)
        if name != 'output_not_empty':  # inputs checked before any write
            assert not os.path.exists(argv[1]), name


def test_missing_h5py_is_one_line(src, tmp_path):
    fake = tmp_path / 'no_h5py'
    fake.mkdir()
    (fake / 'h5py.py').write_text(
        "raise ImportError(\"No module named 'h5py'\")\n")
    path = os.pathsep.join(map(str, (fake, REPO_ROOT, TESTS_DIR)))
    proc = run_tool(TOOL, src / 'nyu_depth_v2_labeled.mat', tmp_path / 'out',
                    PYTHONPATH=path)
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith('error: h5py is not installed')
    assert 'pip install h5py' in lines[-1]
    assert 'nyu_depth_v2_labeled.mat' in lines[-1]
    assert 'Traceback' not in proc.stderr
    assert not (tmp_path / 'out').exists()
