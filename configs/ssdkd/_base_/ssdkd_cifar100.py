# SSD-KD on CIFAR-100: shared recipe + the real CIFAR-100 test split for
# validation (as configs/_base_/datasets/cifar100.py: mmpretrain CIFAR100,
# data/cifar100/cifar-100-python).
_base_ = ['./ssdkd_cifar.py']

num_classes = 100
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[129.304, 124.070, 112.434],
    std=[68.170, 65.392, 70.418],
    to_rgb=False)
val_dataloader = dict(
    batch_size=256,
    num_workers=4,
    dataset=dict(
        type='CIFAR100',
        data_root='data/cifar100',
        split='test',
        pipeline=[dict(type='PackInputs')]),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
model = dict(
    generator=dict(
        mean=data_preprocessor['mean'], std=data_preprocessor['std']),
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=data_preprocessor['mean'],
        std=data_preprocessor['std'],
        bgr_to_rgb=False))
