# CIFAR-10 in the official python format under data/cifar10
# (cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}): the
# CIFAR-100 settings (crop 4 + flip, batch 64) with CIFAR-10's classes,
# mean and std.
_base_ = ['./cifar100.py']

dataset_type = 'CIFAR10'
data_root = 'data/cifar10'
num_classes = 10
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255])
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator
