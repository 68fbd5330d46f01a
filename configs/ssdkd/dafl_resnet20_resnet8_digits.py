# mmrazor's DAFL (Chen et al., ICCV 2019) on the digits teacher, for
# comparison with SSD-KD. mmrazor's DAFLDataFreeDistillation reads
# `generator.module`, which only exists under mmengine's DDP wrapper; the
# StandaloneDAFLGenerator of kd_plugins exposes `module` itself, so this
# runs in one process. Batch size = the placeholder loader's batch size.
_base_ = ['./ssdkd_resnet20_resnet8_digits.py']

batch_size = 64
model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='DAFLDataFreeDistillation',
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[77.9, 77.9, 77.9],
        std=[82.5, 82.5, 82.5],
        bgr_to_rgb=False),
    architecture={{_base_.model.architecture}},
    teachers=dict(
        res20=dict(
            build_cfg={{_base_.model.teacher}},
            ckpt_path={{_base_.teacher_ckpt}})),
    generator=dict(
        type='StandaloneDAFLGenerator',
        img_size=32,
        latent_dim=64,
        hidden_channels=64),
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            res20_fc=dict(type='ModuleOutputs', source='res20.head.fc')),
        distill_losses=dict(
            loss_kl=dict(type='KLDivergence', tau=6, loss_weight=1)),
        loss_forward_mappings=dict(
            loss_kl=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='res20_fc')))),
    generator_distiller=dict(
        type='ConfigurableDistiller',
        teacher_recorders=dict(
            res20_neck_gap=dict(
                type='ModuleOutputs', source='res20.neck.gap'),
            res20_fc=dict(type='ModuleOutputs', source='res20.head.fc')),
        distill_losses=dict(
            loss_res20_oh=dict(type='OnehotLikeLoss', loss_weight=0.05),
            loss_res20_ie=dict(type='InformationEntropyLoss', loss_weight=5),
            loss_res20_ac=dict(type='ActivationLoss', loss_weight=0.01)),
        loss_forward_mappings=dict(
            loss_res20_oh=dict(
                preds_T=dict(from_student=False, recorder='res20_fc')),
            loss_res20_ie=dict(
                preds_T=dict(from_student=False, recorder='res20_fc')),
            loss_res20_ac=dict(
                feat_T=dict(from_student=False,
                            recorder='res20_neck_gap')))))

# DAFL reads the batch size and data samples from the loader.
# One runner iteration is one DAFL step: 4 epochs of 100 (epoch-based,
# unlike the iteration-based SSD-KD configs it inherits from).
train_dataloader = dict(
    batch_size=batch_size,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='DataFreePlaceholderDataset',
        length=100,
        img_shape=(32, 32, 3),
        num_classes=10,
        pipeline=[dict(type='PackInputs')]))
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(optimizer=dict(type='AdamW', lr=1e-1)),
    generator=dict(optimizer=dict(type='AdamW', lr=1e-3)))
param_scheduler = None
train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=4, val_interval=1)
log_processor = dict(by_epoch=True)
default_hooks = dict(
    logger=dict(interval=20), checkpoint=dict(by_epoch=True, interval=1))
custom_hooks = []
work_dir = 'work_dirs/dafl_resnet20_resnet8_digits'
