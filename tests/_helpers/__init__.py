"""Shared helpers of the test-suite: import them as ``from _helpers import
...`` (``setup.cfg`` puts ``tests/`` on ``sys.path``; test files never edit
``sys.path`` and never import another test module).

One import point, split by topic:

* :mod:`.tools`: ``REPO_ROOT``, subprocess environments, running
  ``tools/*.py`` (one process per call or many ``main()`` calls in one),
  importing scripts that are not in a package (``load_script``);
* :mod:`.dist`: ``free_port``, ``spawn_gloo`` (multi-process gloo runs);
* :mod:`.checkpoints`: random "trained" teachers, hostile checkpoint files;
* :mod:`.runner`: tiny real Runners (``tiny_runner`` fixture in
  ``conftest.py``, ``toy_runner``, ``DIGITS_TWO_ITERS``, ``read_scalars``,
  ``train_two_iterations`` through ``tools/train.py``) and the mmengine
  global-state cleanup every test gets;
* :mod:`.fake_data`: tiny datasets in ImageNet, CIFAR, Cityscapes and NYUv2
  layouts;
* :mod:`.afd`, :mod:`.ssdkd`: tiny algorithm builders for those methods;
* :mod:`.backbones`, :mod:`.losses`: checks shared by the CIFAR zoo
  backbone tests and by the distillation-loss tests.

Not re-exported (imported by name where needed): :mod:`.mmrazor_zoo` (the
mmrazor config zoo runner, run as ``python -m _helpers.mmrazor_zoo``) and
:mod:`.afd_dist_probe` (a hook a config imports in a subprocess).
"""
import kd_plugins  # noqa: F401  (compat layer before OpenMMLab models)

from .afd import (JOINT_REFERENCE, afd_optim_cfg, afd_optim_wrappers,
                  build_afd, digest_run, fake_batch, joint_reference_run,
                  tensor_digest, tiny_classifier, write_joint_reference)
from .backbones import ZooChecks
from .checkpoints import (save_random_checkpoint, write_getattr_chain,
                          write_reduce_payload)
from .dist import free_port, spawn_gloo
from .fake_data import (write_cifar, write_cityscapes, write_imagenet,
                        write_tiny_nyuv2)
from .losses import assert_student_only_gradient
from .runner import (DIGITS_TWO_ITERS, TinyRunner, ToyModel, build_runner,
                     mmengine_state_restored, read_scalars, tiny_config,
                     toy_runner, train_two_iterations)
from .ssdkd import (changed, snapshot, ssdkd_classifier, ssdkd_optim_wrappers,
                    tiny_ssdkd)
from .tools import (REPO_ROOT, TESTS_DIR, load_script, run_tool,
                    run_tool_mains, tool_env)

__all__ = [
    'REPO_ROOT', 'TESTS_DIR', 'tool_env', 'run_tool', 'run_tool_mains',
    'load_script', 'free_port', 'spawn_gloo', 'save_random_checkpoint',
    'write_getattr_chain', 'write_reduce_payload', 'ToyModel', 'toy_runner',
    'DIGITS_TWO_ITERS', 'tiny_config', 'build_runner', 'read_scalars',
    'TinyRunner', 'mmengine_state_restored', 'write_imagenet', 'write_cifar',
    'write_cityscapes', 'write_tiny_nyuv2', 'tiny_classifier', 'build_afd',
    'afd_optim_wrappers', 'fake_batch', 'JOINT_REFERENCE', 'tensor_digest',
    'digest_run', 'joint_reference_run', 'write_joint_reference',
    'ssdkd_classifier', 'tiny_ssdkd', 'ssdkd_optim_wrappers', 'snapshot',
    'changed', 'train_two_iterations', 'ZooChecks', 'afd_optim_cfg',
    'assert_student_only_gradient'
]
