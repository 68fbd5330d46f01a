# CIFAR-100 teacher vgg11 for SSD-KD (ResNet18 student).
# RepDistiller/CRD teacher recipe (train_teacher.py): 240 epochs, SGD lr 0.05
# (0.01 would be for MobileNetV2/ShuffleNet), momentum 0.9, wd 5e-4, batch 64,
# lr x0.1 at epochs 150, 180, 210. Writes the checkpoint the method configs
# name: work_dirs/teacher_vgg11_cifar100/epoch_240.pth
#   python tools/train.py configs/teachers/teacher_vgg11_cifar100.py
# Or convert a published RepDistiller teacher instead of training:
#   python tools/convert_repdistiller_ckpt.py ckpt.pth \
#       work_dirs/teacher_vgg11_cifar100/epoch_240.pth --arch vgg11
_base_ = [
    '../_base_/models/cifar/vgg11.py',
    '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar100_kd_240e.py',
    '../_base_/default_runtime.py',
]
work_dir = 'work_dirs/teacher_vgg11_cifar100'
