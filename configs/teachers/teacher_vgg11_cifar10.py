# CIFAR-10 teacher vgg11 for SSD-KD's CIFAR-10 configs, same recipe as
# teacher_vgg11_cifar100.py on CIFAR-10 (data/cifar10/cifar-10-batches-py).
# Writes work_dirs/teacher_vgg11_cifar10/epoch_240.pth
#   python tools/train.py configs/teachers/teacher_vgg11_cifar10.py
_base_ = [
    '../_base_/models/cifar/vgg11.py',
    '../_base_/datasets/cifar10.py',
    '../_base_/schedules/cifar100_kd_240e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=10, topk=(1, )))
work_dir = 'work_dirs/teacher_vgg11_cifar10'
