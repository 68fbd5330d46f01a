# CIFAR-10 teacher wrn_40_2 for SSD-KD's CIFAR-10 configs, same recipe as
# teacher_wrn_40_2_cifar100.py on CIFAR-10 (data/cifar10/cifar-10-batches-py).
# Writes work_dirs/teacher_wrn_40_2_cifar10/epoch_240.pth
#   python tools/train.py configs/teachers/teacher_wrn_40_2_cifar10.py
_base_ = ['./teacher_wrn_40_2_cifar100.py']

dataset_type = 'CIFAR10'
data_root = 'data/cifar10'
data_preprocessor = dict(
    num_classes=10,
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    to_rgb=False)
model = dict(head=dict(num_classes=10, topk=(1, )))
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator
work_dir = 'work_dirs/teacher_wrn_40_2_cifar10'
