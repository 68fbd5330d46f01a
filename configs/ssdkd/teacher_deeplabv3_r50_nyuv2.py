# Train the NYUv2 (13 classes) teacher of configs/ssdkd/deeplabv3_nyuv2.py:
# DeepLabV3-ResNet50-D8 on the real NYUv2 train split (795 images),
# ImageNet-initialised backbone (downloads open-mmlab://resnet50_v1c).
# Data: data/NYUv2/{image,seg13}/{train,test}/%05d.png.
_base_ = ['./_nyuv2_common.py']

model = dict(_base_.teacher_model, pretrained='open-mmlab://resnet50_v1c')

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='NYUv2SegDataset',
        data_root={{_base_.data_root}},
        split='train',
        pipeline={{_base_.train_pipeline}}))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=20000,
         by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=20000,
                 val_interval=2000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
work_dir = 'work_dirs/teacher_deeplabv3_r50_nyuv2'
