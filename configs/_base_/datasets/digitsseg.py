# DigitsSeg (kd_plugins DigitsSegDataset): 64x64 RGB canvases of 1-4 real
# scikit-learn digits over random backgrounds, 11 classes (background +
# 10 digits), 255 = ignored stroke rim. Generated deterministically in
# memory (nothing to download or cache): 1000 train canvases from the
# training digits, 500 test canvases from the test digits.
dataset_type = 'DigitsSegDataset'
num_classes = 11
crop_size = (64, 64)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=False,  # the canvases are RGB already
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)

# Items carry the image and label map (no loading step). No flip: a
# mirrored digit is not the same digit.
train_pipeline = [dict(type='PackSegInputs')]
test_pipeline = [dict(type='PackSegInputs')]

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        split='train',
        num_samples=1000,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        split='test',
        num_samples=500,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
