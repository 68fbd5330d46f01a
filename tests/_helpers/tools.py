"""Paths, subprocess environments and running the repository's tools."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTS_DIR = REPO_ROOT / 'tests'

__all__ = [
    'REPO_ROOT', 'TESTS_DIR', 'tool_env', 'run_tool', 'run_tool_mains',
    'load_script'
]


def tool_env(**extra: str) -> dict:
    """Environment for subprocesses: this checkout (and ``tests/``, so a
    subprocess can import ``_helpers`` too) first on PYTHONPATH and this
    interpreter for the shell tools (as in an activated venv)."""
    env = dict(os.environ)
    env['PATH'] = os.pathsep.join(
        [os.path.dirname(sys.executable), env.get('PATH', '')])
    env['PYTHON'] = sys.executable
    env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO_ROOT), str(TESTS_DIR)] +
        [p for p in [env.get('PYTHONPATH')] if p])
    env.setdefault('OMP_NUM_THREADS', '1')
    env.update(extra)
    return env


def run_tool(script: str, *args: str, timeout: float = 300,
             cwd=None, **env: str) -> subprocess.CompletedProcess:
    """Run ``tools/<script>`` with the current interpreter.

    Returns the completed process (stdout/stderr as text); never raises on a
    non-zero exit so tests can assert on failures too.
    """
    cmd = [sys.executable, str(REPO_ROOT / 'tools' / script), *map(str, args)]
    return subprocess.run(
        cmd, cwd=cwd or REPO_ROOT, env=tool_env(**env), capture_output=True,
        text=True, timeout=timeout)


# Runs several tool invocations in one subprocess. Each case calls
# ``tools/<x>.py``'s ``main(argv)`` (the code ``python tools/x.py`` runs) and
# records how it ended: ``[name, 0, 'finished']``, ``[name, 1, message]`` for
# ``sys.exit('error: ...')`` or ``[name, 'exception', text]``.
_DRIVER = r'''
import contextlib, importlib.util, io, json, sys, traceback
results = []
for name, tool, argv in json.loads(sys.argv[1]):
    spec = importlib.util.spec_from_file_location(name, tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            module.main(argv)
        results.append([name, 0, 'finished'])
    except SystemExit as e:
        results.append([name, 1 if isinstance(e.code, str) else e.code,
                        str(e.code)])
    except BaseException as e:
        results.append([name, 'exception',
                        ''.join(traceback.format_exception_only(e))])
print('RESULTS=' + json.dumps(results))
'''


def run_tool_mains(cases: Sequence[Tuple[str, str, List[str]]],
                   timeout: float = 600) -> list:
    """Run ``(name, tool file name, argv)`` cases in one subprocess (one
    interpreter start instead of one per case keeps the e2e tests short);
    return their results (see ``_DRIVER``)."""
    cases = [(name, str(REPO_ROOT / 'tools' / tool), [str(a) for a in argv])
             for name, tool, argv in cases]
    proc = subprocess.run(
        [sys.executable, '-c', _DRIVER, json.dumps(cases)], cwd=REPO_ROOT,
        env=tool_env(), capture_output=True, text=True, timeout=timeout)
    line = [s for s in proc.stdout.splitlines() if s.startswith('RESULTS=')]
    assert line, proc.stderr[-3000:]
    results = json.loads(line[0][len('RESULTS='):])
    assert [r[0] for r in results] == [c[0] for c in cases]
    return results


def load_script(path, name: str = None):
    """Import a script that is not in a package (``tools/*.py``,
    ``benchmarks/*.py``, or a package directory outside the repository) by
    its path, without touching ``sys.path``.

    ``path`` is absolute or relative to the repository root. The module is
    registered in ``sys.modules`` under ``name`` (default: the file stem),
    so scripts importing each other by name (``from _harness import ...``)
    share one module object; a second call returns the same module.
    """
    path = Path(REPO_ROOT, path)
    name = name or path.stem
    init = path / '__init__.py' if path.is_dir() else path
    module = sys.modules.get(name)
    if module is not None and getattr(module, '__file__', None) == str(init):
        return module
    spec = importlib.util.spec_from_file_location(
        name, init,
        submodule_search_locations=[str(path)] if path.is_dir() else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
