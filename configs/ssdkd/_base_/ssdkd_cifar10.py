# SSD-KD on CIFAR-10: shared recipe + real CIFAR-10 test split for
# validation (mmpretrain CIFAR10, data/cifar10/cifar-10-batches-py).
_base_ = ['./ssdkd_cifar.py']

num_classes = 10
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    to_rgb=False)
val_dataloader = dict(
    batch_size=256,
    num_workers=4,
    dataset=dict(
        type='CIFAR10',
        data_root='data/cifar10',
        split='test',
        pipeline=[dict(type='PackInputs')]),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
model = dict(
    generator=dict(
        mean=data_preprocessor['mean'], std=data_preprocessor['std']),
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=data_preprocessor['mean'],
        std=data_preprocessor['std'],
        bgr_to_rgb=False),
    architecture=dict(head=dict(num_classes=num_classes, topk=(1, ))),
    teacher=dict(head=dict(num_classes=num_classes, topk=(1, ))))
