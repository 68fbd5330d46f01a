from .datafree_placeholder_dataset import DataFreePlaceholderDataset
from .digits import DigitsDataset, load_digits_arrays
from .digits_seg import DigitsSegDataset
from .nyuv2_seg_dataset import NYUv2SegDataset

__all__ = ['DigitsDataset', 'load_digits_arrays', 'NYUv2SegDataset',
           'DataFreePlaceholderDataset', 'DigitsSegDataset']
