"""Optimizer-wrapper constructor for algorithms that train several networks.

mmrazor's ``SeparateOptimWrapperConstructor`` maps each key to a direct
submodule (``model._modules[key]``). Online distillation keeps its K networks
in an ``nn.ModuleList`` and optimises groups that are not single submodules
(AFD: network ``k``'s backbone + transfer layer), so this constructor asks
the model (an ``OnlineDistillAlgorithm``) for the mapping:
``model.optim_wrapper_modules()`` returns ``{key: module}`` (see
``OnlineAdversarialDistill.optim_wrapper_modules``: ``net{k}``, ``adv{k}``,
``discriminators``).

Config::

    optim_wrapper = dict(
        constructor='mmrazor.OnlineDistillOptimWrapperConstructor',
        networks=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                                     weight_decay=1e-4)),
        adversarial=dict(optimizer=dict(type='Adam', lr=2e-5,
                                        weight_decay=0.1)),
        discriminators=dict(optimizer=dict(type='Adam', lr=2e-5,
                                           weight_decay=0.1)))

``networks`` is a template copied to every ``net{k}`` key and
``adversarial`` to every ``adv{k}`` key the model asks for that the config
does not name itself (``net1=dict(...)``/``adv1=dict(...)`` override it for
network 1). Every wrapper gets its own optimizer (state apart). A key whose
module has no trainable parameters (e.g. ``adv{k}`` of an identity transfer
layer in AFD's joint mode) is skipped; a key the model needs but the config
lacks is an error. After building, ``model.check_optim_wrapper`` may refuse
the result (e.g. gradient accumulation where wrappers share parameters).
"""
import copy
from typing import Dict, Optional

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict
from mmrazor.registry import OPTIM_WRAPPER_CONSTRUCTORS

from kd_plugins.utils.model import unwrap_model

__all__ = ['OnlineDistillOptimWrapperConstructor']

#: template key -> prefix of the model keys it fills
TEMPLATES = {'networks': 'net', 'adversarial': 'adv'}


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class OnlineDistillOptimWrapperConstructor:
    """Build an ``OptimWrapperDict`` from ``model.optim_wrapper_modules()``.

    Args:
        optim_wrapper_cfg (dict): ``{key: optim wrapper config}``; the
            special keys ``networks`` and ``adversarial`` are the templates
            of ``net{k}`` and ``adv{k}``. Each entry may hold its own
            ``paramwise_cfg``.
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
        model = unwrap_model(
            model,
            required=('optim_wrapper_modules()', 'check_optim_wrapper()'),
            owner='OnlineDistillOptimWrapperConstructor',
            kind='an OnlineDistillAlgorithm')
        modules: Dict[str, nn.Module] = model.optim_wrapper_modules()
        cfgs = copy.deepcopy(self.optim_wrapper_cfg)
        templates = {
            prefix: cfgs.pop(name)
            for name, prefix in TEMPLATES.items() if name in cfgs
        }
        unknown = sorted(set(cfgs) - set(modules))
        if unknown:
            raise KeyError(f'OnlineDistillOptimWrapperConstructor: unknown '
                           f'optim_wrapper keys {unknown}; the model '
                           f'optimises {sorted(modules)} (templates: '
                           f'{sorted(TEMPLATES)})')
        wrappers = {}
        for key, module in modules.items():
            cfg = cfgs.get(key)
            prefix = key.rstrip('0123456789')
            if cfg is None and prefix in templates:
                cfg = copy.deepcopy(templates[prefix])
            if cfg is None:
                template = [n for n, p in TEMPLATES.items() if p == prefix]
                raise KeyError(f'OnlineDistillOptimWrapperConstructor: '
                               f'optim_wrapper.{key} is missing'
                               + (f' (or optim_wrapper.{template[0]})'
                                  if template else ''))
            if not any(p.requires_grad for p in module.parameters()):
                print_log(
                    f'optim_wrapper.{key}: no trainable parameters, skipped',
                    logger='current')
                continue
            cfg = dict(cfg)
            paramwise = cfg.pop('paramwise_cfg', None)
            wrappers[key] = DefaultOptimWrapperConstructor(cfg,
                                                           paramwise)(module)
        optim_wrapper = OptimWrapperDict(**wrappers)
        model.check_optim_wrapper(optim_wrapper)
        return optim_wrapper
