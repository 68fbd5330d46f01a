# vgg11 (CIFAR KD zoo, RepDistiller naming), 100 classes.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='vgg11'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
