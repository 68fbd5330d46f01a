# SSD-KD on CIFAR-10: the CIFAR-100 recipe (./ssdkd_cifar100.py) with
# CIFAR-10's data for validation, as configs/_base_/datasets/cifar10.py sets
# it (mmpretrain CIFAR10, data/cifar10/cifar-10-batches-py).
_base_ = ['./ssdkd_cifar100.py']

dataset_type = 'CIFAR10'
data_root = 'data/cifar10'
num_classes = 10
mean = [125.307, 122.961, 113.8575]
std = [51.5865, 50.847, 51.255]
data_preprocessor = dict(num_classes=num_classes, mean=mean, std=std)
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(topk=(1, ))
test_evaluator = val_evaluator
model = dict(
    data_preprocessor=dict(mean=mean, std=std),
    generator=dict(mean=mean, std=std),
    architecture=dict(head=dict(num_classes=num_classes, topk=(1, ))),
    teacher=dict(head=dict(num_classes=num_classes, topk=(1, ))))
