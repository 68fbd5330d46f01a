# KD+TeKAP on CIFAR-100 (logit level): SingleTeacherDistill, CE 0.1 +
# TeKAPLogitsLoss 0.9 (M=3, alpha=0.1, lambda=0.8, T=4; ./tekap_kd.py), the
# reference recipe. Data, schedule and networks: ./_cifar100_common.py.
# Concrete configs set the backbones, head widths and `teacher_ckpt`.
_base_ = ['./_cifar100_common.py', './tekap_kd.py']

model = dict(
    data_preprocessor=dict(
        _base_.data_preprocessor, type='mmpretrain.ClsDataPreprocessor'),
    architecture=dict(
        _base_.student_model,
        head=dict(
            _base_.student_model.head,
            loss=dict(type='CrossEntropyLoss', loss_weight=0.1))),
    teacher=_base_.teacher_model,
    teacher_ckpt=_base_.teacher_ckpt)
