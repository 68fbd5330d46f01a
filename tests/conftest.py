import sys
from pathlib import Path

# Make ``_helpers`` importable from every test directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import kd_plugins  # noqa: E402,F401  (compat layer before OpenMMLab models)
