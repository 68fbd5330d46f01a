"""Run several tool invocations in one subprocess (not a test module).

Each case calls ``tools/<x>.py``'s ``main(argv)`` (the code ``python
tools/x.py`` runs) and records how it ended: ``[name, 0, 'finished']``,
``[name, 1, message]`` for ``sys.exit('error: ...')`` or ``[name,
'exception', text]``. One interpreter start instead of one per case keeps
the e2e tests short.
"""
import json
import subprocess
import sys
from typing import List, Sequence, Tuple

from _helpers import REPO_ROOT, tool_env

__all__ = ['run_tool_mains']

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
    """Run ``(name, tool file name, argv)`` cases; return their results."""
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
