# Train the digits demo teacher: resnet20 (CIFAR zoo) on the embedded digits.
# Writes work_dirs/teacher_resnet20_digits/epoch_8.pth, the teacher of every
# digits distillation config.
_base_ = [
    '../_base_/models/cifar/resnet20.py',
    '../_base_/datasets/digits.py',
    '../_base_/schedules/digits.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=10, topk=(1, )))
work_dir = 'work_dirs/teacher_resnet20_digits'
