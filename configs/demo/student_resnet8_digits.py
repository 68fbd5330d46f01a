# The student trained alone (no teacher): the lower bound for every method.
_base_ = [
    '../_base_/models/cifar/resnet8.py',
    '../_base_/datasets/digits.py',
    '../_base_/schedules/digits.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=10, topk=(1, )))
work_dir = 'work_dirs/student_resnet8_digits'
