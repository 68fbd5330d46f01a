"""Fixtures shared by the whole test-suite.

Helpers (builders, fake data, subprocess runners) are imported as
``from _helpers import ...``: ``setup.cfg`` puts ``tests/`` on ``sys.path``
(pytest's ``pythonpath`` option).
"""
import pytest
from mmengine.registry import DefaultScope

import kd_plugins  # noqa: F401  (compat layer before OpenMMLab models)


def _restoring_default_scope():
    saved = DefaultScope._instance_dict.copy()
    yield
    DefaultScope._instance_dict.clear()
    DefaultScope._instance_dict.update(saved)


# A Runner built in a test (or a module-scoped fixture) leaves its default
# scope as the current one; restore the previous state so that registry
# lookups do not depend on test order.
_isolate_module_scope = pytest.fixture(scope='module', autouse=True)(
    _restoring_default_scope)
_isolate_test_scope = pytest.fixture(autouse=True)(_restoring_default_scope)
