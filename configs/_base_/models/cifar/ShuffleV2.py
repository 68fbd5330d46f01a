# ShuffleV2 (CIFAR KD zoo, RepDistiller naming), 100 classes.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ShuffleV2'),
    neck=dict(type='RepDistillerAvgPool', kernel_size=4),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=1024,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
