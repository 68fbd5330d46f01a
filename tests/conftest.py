import sys
from pathlib import Path

# Make ``_helpers`` importable from every test directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402

import kd_plugins  # noqa: E402,F401  (compat layer before OpenMMLab models)


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
