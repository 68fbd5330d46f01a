"""Fixtures shared by the whole test-suite.

Helpers (builders, fake data, subprocess runners) live in ``tests/_helpers``
and are imported as ``from _helpers import ...``: ``setup.cfg`` puts
``tests/`` on ``sys.path`` (pytest's ``pythonpath`` option).
"""
import pytest
from _helpers import TinyRunner, mmengine_state_restored


# A Runner built in a test (or a module-scoped fixture) leaves its default
# scope, message hub, logger and visualizer as the current instances; put
# back the previous ones so that registry lookups and logs do not depend on
# test order (what mmengine's RunnerTestCase.tearDown does).
@pytest.fixture(scope='module', autouse=True)
def _isolate_module_mmengine_state():
    with mmengine_state_restored():
        yield


@pytest.fixture(autouse=True)
def _isolate_test_mmengine_state():
    with mmengine_state_restored():
        yield


@pytest.fixture
def tiny_runner(tmp_path) -> TinyRunner:
    """Tiny real Runners in ``tmp_path`` (``RunnerTestCase`` for pytest).

    ``tiny_runner(config, options, **fields)`` builds a Runner from a config
    (path relative to the repository root, or a Config) with ``options``
    merged (e.g. ``DIGITS_TWO_ITERS``) and ``work_dir=tmp_path / 'work'``;
    ``tiny_runner.config(...)`` returns the config to adjust first,
    ``.random_teacher(cfg)`` gives it random teacher weights, ``.build(cfg)``
    builds and ``.scalars()`` reads the logged scalars.
    """
    return TinyRunner(tmp_path)
