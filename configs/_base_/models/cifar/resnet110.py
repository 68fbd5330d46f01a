# resnet110 (CIFAR KD zoo, RepDistiller naming), 100 classes.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='resnet110'),
    neck=dict(type='RepDistillerAvgPool', kernel_size=8),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
