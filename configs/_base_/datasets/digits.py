# scikit-learn's 1797 real handwritten digits, 32x32x3 (kd_plugins
# DigitsDataset): 1438 train / 359 test, bundled, nothing to download.
dataset_type = 'DigitsDataset'
num_classes = 10
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[77.9, 77.9, 77.9],
    std=[82.5, 82.5, 82.5],
    to_rgb=False,
)

train_pipeline = [
    dict(type='RandomCrop', crop_size=32, padding=2),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(type=dataset_type, split='train', pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=0,
    dataset=dict(type=dataset_type, split='test', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
