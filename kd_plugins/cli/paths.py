"""Where the repository is, for the tools and benchmarks that read its
configs and write under it."""
import os.path as osp

__all__ = ['REPO_ROOT']

#: The repository root (the directory holding ``configs/`` and ``tools/``):
#: two levels above this package. Valid for a checkout and for the editable
#: install (``pip install -e .``) the tools are run from.
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
