# The DigitsSeg schedule of the teacher and the student alone
# (configs/demo/deeplabv3_r18_digitsseg.py, student_deeplabv3_r18w8_digitsseg
# .py): AdamW lr 2e-3, wd 1e-4, poly decay (power 0.9) to 1e-4 over 1,500
# iterations, validated every 500 (why AdamW: configs/demo/
# _digitsseg_common.py).
max_iters = 1500
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
