"""The mmcls fix: config translation (kd_plugins.compat.mmcls_configs, read
by kd_plugins.cli.config_loading) and the mmcls import alias."""
import logging
import os.path as osp

import mmpretrain
import pytest
import torch
from mmengine.config import Config

import kd_plugins  # noqa: F401
from kd_plugins.cli import config_loading as loading
from kd_plugins.compat import mmcls_configs as mc

MMPRETRAIN_CONFIGS = osp.join(osp.dirname(mmpretrain.__file__), '.mim',
                              'configs')
KD_CONFIG = ('mmrazor::distill/mmcls/kd/'
             'kd_logits_resnet34_resnet18_8xb32_in1k.py')


def test_type_rename_table_maps_dead_names_to_registered_ones():
    import mmpretrain.datasets  # noqa: F401
    import mmpretrain.structures as structures
    import mmpretrain.visualization  # noqa: F401
    from mmpretrain.registry import TRANSFORMS, VISUALIZERS
    where = {'PackInputs': TRANSFORMS, 'UniversalVisualizer': VISUALIZERS}
    for old, new in mc.MMCLS_TYPE_RENAMES.items():
        assert not hasattr(structures, old), old
        if new in where:
            assert where[new].get(new) is not None, new
            assert where[new].get(old) is None, old
        else:
            assert hasattr(structures, new), new


def test_config_rename_table_points_at_existing_mmpretrain_configs():
    for old, new in mc.MMCLS_CONFIG_RENAMES.items():
        assert not osp.exists(osp.join(MMPRETRAIN_CONFIGS, old)), old
        assert osp.isfile(osp.join(MMPRETRAIN_CONFIGS, new)), new
    assert mc.translate_config_path('mmcls::resnet/resnet18_8xb32_in1k.py') \
        == 'mmpretrain::resnet/resnet18_8xb32_in1k.py'
    assert mc.translate_config_path('mmseg::a/b.py') == 'mmseg::a/b.py'


def test_translate_rewrites_every_mmcls_form():
    cfg = Config(
        dict(
            default_scope='mmcls',
            model=dict(
                _scope_='mmrazor',
                architecture=dict(cfg_path='mmcls::deit/'
                                  'deit-base_pt-16xb64_in1k.py'),
                student=dict(
                    type='mmcls.ImageClassifier',
                    head=dict(type='mmcls.LinearClsHead')),
                teacher=dict(_scope_='mmcls', type='ImageClassifier'),
                prefixed=dict(_scope_='mmrazor', type='mmcls.ClsDataSample')),
            pipeline=[dict(type='PackClsInputs'),
                      dict(type='RandomFlip', prob=0.5)],
            other='mmclsx::keep', name='mmcls'))
    changes = mc.translate_mmcls_config(cfg)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.model.architecture.cfg_path == \
        'mmpretrain::deit/deit-base_16xb64_in1k.py'
    assert (cfg.model.student._scope_, cfg.model.student.type) == (
        'mmpretrain', 'ImageClassifier')
    assert (cfg.model.student.head._scope_,
            cfg.model.student.head.type) == ('mmpretrain', 'LinearClsHead')
    assert cfg.model.teacher._scope_ == 'mmpretrain'
    assert cfg.model.prefixed.type == 'mmpretrain.DataSample'
    assert cfg.model._scope_ == 'mmrazor'
    assert cfg.pipeline[0].type == 'PackInputs'
    assert cfg.pipeline[1] == dict(type='RandomFlip', prob=0.5)
    assert (cfg.other, cfg.name) == ('mmclsx::keep', 'mmcls')
    assert len(changes) == 7


def test_a_config_without_mmcls_loads_as_with_fromfile(caplog):
    from _helpers import REPO_ROOT
    path = str(REPO_ROOT / 'configs' / 'demo' /
               'kd_resnet20_resnet8_digits.py')
    with caplog.at_level(logging.INFO):
        cfg = loading.read_config(path, {'train_cfg.max_epochs': 3})
    reference = Config.fromfile(path)
    reference.merge_from_dict({'train_cfg.max_epochs': 3})
    assert cfg.to_dict() == reference.to_dict()
    assert mc.translate_mmcls_config(Config.fromfile(path)) == []


def test_mmrazor_kd_config_loads_as_mmpretrain(capsys):
    cfg = loading.read_config(KD_CONFIG)
    text = cfg.pretty_text
    assert 'mmcls' not in text
    assert cfg.model.architecture.cfg_path == \
        'mmpretrain::resnet/resnet18_8xb32_in1k.py'
    assert cfg.train_dataloader.dataset.type == 'ImageNet'
    assert cfg.train_dataloader.dataset.pipeline[-1].type == 'PackInputs'
    assert cfg.default_scope == 'mmpretrain'
    # the same file by path
    path = loading.resolve_config_path(KD_CONFIG)
    assert osp.isfile(path) and path.endswith(KD_CONFIG.split('::')[1])
    assert loading.read_config(path).to_dict() == cfg.to_dict()


def test_one_info_line_tells_the_user(tmp_path):
    from mmengine.logging import MMLogger
    logger = MMLogger.get_instance('kd_mmcls_probe', log_level='INFO')
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(
        (record.levelno, record.getMessage()))
    logger.handlers.append(handler)
    try:
        loading.read_config(KD_CONFIG)
    finally:
        logger.handlers.remove(handler)
    infos = [m for level, m in seen if level == logging.INFO]
    assert len(infos) == 1
    assert 'written for mmcls; loaded it with mmpretrain' in infos[0]


def test_unknown_package_config_is_not_silently_mapped():
    with pytest.raises((FileNotFoundError, ValueError, AssertionError)):
        loading.resolve_config_path('mmcls::resnet/no_such_config.py')


def test_mmrazor_modules_get_mmpretrain_code():
    import mmcls
    from mmengine.utils import is_installed
    from mmpretrain.models.losses.cross_entropy_loss import soft_cross_entropy
    from mmpretrain.structures import DataSample
    from mmrazor.datasets.transforms import PackCRDClsInputs
    from mmrazor.models.losses import KDSoftCELoss, kd_soft_ce_loss
    assert kd_soft_ce_loss.soft_cross_entropy is soft_cross_entropy
    preds_s, preds_t = torch.randn(4, 10), torch.randn(4, 10)
    loss = KDSoftCELoss(tau=2.0)(preds_s, preds_t)
    assert torch.isfinite(loss) and loss.item() > 0
    from mmcls.structures import ClsDataSample
    assert ClsDataSample is DataSample
    assert PackCRDClsInputs.__mro__[1].__name__ == 'PackInputs'
    # only the served subpackages exist; mmengine still sees no mmcls
    with pytest.raises(ImportError):
        import mmcls.registry  # noqa: F401
    with pytest.raises(AttributeError):
        mmcls.no_such_name
    assert not is_installed('mmcls')


def test_cfg_path_models_inheriting_mmcls_bases_build():
    """mmrazor builds ``cfg_path`` models with mmengine.hub.get_config."""
    from mmengine.hub import get_config
    cfg = get_config('mmrazor::vanilla/mmcls/wide-resnet/'
                     'wrn16-w2_b16x8_cifar10.py')
    assert cfg.model._scope_ == 'mmpretrain'
    assert cfg.train_dataloader.dataset.type == 'CIFAR10'
    assert get_config('mmcls::resnet/resnet18_8xb16_cifar10.py').model \
        .backbone.type == 'ResNet_CIFAR'
