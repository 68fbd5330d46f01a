# Runtime of the iteration-based segmentation configs (NYUv2, DigitsSeg):
# mmseg scope, kd_plugins loaded, the hooks of configs/_base_/
# default_runtime.py (atomic checkpoints, stop at the first NaN/inf loss,
# random states in checkpoints for an exact --resume) counted in iterations.
default_scope = 'mmseg'
custom_imports = dict(imports=['kd_plugins'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # atomic writes: a full disk or a kill never leaves a truncated iter_N;
    # every 2000 iterations (mmseg's 20k schedules), set per schedule
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=2000,
        max_keep_ckpts=2, backend_args=dict(backend='atomic_local')),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'),
    invalid_loss=dict(type='mmrazor.CheckInvalidLossHook'),
    random_state=dict(type='mmrazor.RandomStateHook'))
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='SegLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
