"""Optimizer-wrapper constructor for algorithms that train several networks.

mmrazor's ``SeparateOptimWrapperConstructor`` maps each key to a direct
submodule (``model._modules[key]``). Online distillation keeps its K networks
in an ``nn.ModuleList`` and optimises groups (all transfer layers, all
discriminators) that are not single submodules, so this constructor asks the
model for the mapping: ``model.optim_wrapper_modules()`` returns
``{key: module}`` (see
``OnlineAdversarialDistill.optim_wrapper_modules``).

Config::

    optim_wrapper = dict(
        constructor='mmrazor.OnlineDistillOptimWrapperConstructor',
        networks=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                                     weight_decay=1e-4)),
        adversarial=dict(optimizer=dict(type='Adam', lr=2e-5,
                                        weight_decay=0.1)),
        discriminators=dict(optimizer=dict(type='Adam', lr=2e-5,
                                           weight_decay=0.1)))

``networks`` is a template copied to every ``net{k}`` key the model asks for
that the config does not name itself (``net1=dict(...)`` overrides it for
network 1). A configured key whose module has no trainable parameters (e.g.
``adversarial`` when every transfer layer is the identity) is skipped; a key
the model needs but the config lacks is an error.
"""
import copy
from typing import Dict, Optional

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict
from mmrazor.registry import OPTIM_WRAPPER_CONSTRUCTORS

__all__ = ['OnlineDistillOptimWrapperConstructor']


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class OnlineDistillOptimWrapperConstructor:
    """Build an ``OptimWrapperDict`` from ``model.optim_wrapper_modules()``.

    Args:
        optim_wrapper_cfg (dict): ``{key: optim wrapper config}``; the
            special key ``networks`` is the template for ``net{k}``. Each
            entry may hold its own ``paramwise_cfg``.
        paramwise_cfg (dict, optional): Must be None (set it per key).
            Defaults to None.
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        if not isinstance(optim_wrapper_cfg, dict):
            raise TypeError(f'OnlineDistillOptimWrapperConstructor: '
                            f'optim_wrapper must be a dict, got '
                            f'{type(optim_wrapper_cfg).__name__}')
        if paramwise_cfg is not None:
            raise ValueError('OnlineDistillOptimWrapperConstructor: set '
                             'paramwise_cfg inside each key, not at top level')
        self.optim_wrapper_cfg = copy.deepcopy(dict(optim_wrapper_cfg))

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        """Build one optim wrapper per key of the model's mapping."""
        if hasattr(model, 'module'):
            model = model.module
        if not hasattr(model, 'optim_wrapper_modules'):
            raise TypeError(f'OnlineDistillOptimWrapperConstructor: '
                            f'{type(model).__name__} has no '
                            f'optim_wrapper_modules()')
        modules: Dict[str, nn.Module] = model.optim_wrapper_modules()
        cfgs = copy.deepcopy(self.optim_wrapper_cfg)
        template = cfgs.pop('networks', None)
        unknown = sorted(set(cfgs) - set(modules))
        if unknown:
            raise KeyError(f'OnlineDistillOptimWrapperConstructor: unknown '
                           f'optim_wrapper keys {unknown}; the model '
                           f'optimises {sorted(modules)}')
        wrappers = {}
        for key, module in modules.items():
            cfg = cfgs.get(key)
            if cfg is None and key.startswith('net') and template is not None:
                cfg = copy.deepcopy(template)
            if cfg is None:
                raise KeyError(f'OnlineDistillOptimWrapperConstructor: '
                               f'optim_wrapper.{key} is missing')
            if not any(p.requires_grad for p in module.parameters()):
                print_log(
                    f'optim_wrapper.{key}: no trainable parameters, skipped',
                    logger='current')
                continue
            cfg = dict(cfg)
            paramwise = cfg.pop('paramwise_cfg', None)
            wrappers[key] = DefaultOptimWrapperConstructor(cfg,
                                                           paramwise)(module)
        return OptimWrapperDict(**wrappers)
