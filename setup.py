"""Install kd_plugins into a new or an existing OpenMMLab environment.

``install_requires`` holds compatible ranges (what ``kd_plugins/compat/``
supports), so installing the plugin beside a user's CUDA torch or full mmcv
leaves them in place. The exact tested set is ``constraints.txt``:

    pip install -c constraints.txt -e ".[lite,demo,tests]"

Extras: ``lite`` (mmcv-lite, the pure-Python mmcv this project is tested
with; leave it out when a full mmcv 2.0/2.1 is installed), ``tests`` (pytest
and the digits data; h5py and scipy for the NYUv2 converter's test), ``demo``
(digits data and plots), ``nyuv2`` (h5py and scipy for
``tools/convert_nyuv2.py``, which reads the MATLAB v7.3 NYU Depth v2 file).
"""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def get_version() -> str:
    scope: dict = {}
    with open(osp.join(HERE, 'kd_plugins', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


# Ranges = the versions the compat layer handles (it feature-detects each
# fix and is a no-op where a package already works):
# - torch 2.0 .. 2.14: kd_plugins.compat restores torch.ao.quantization names
#   that torch 2.x renamed and uses torch.serialization.add_safe_globals when
#   present (2.4+); 2.13 is tested here, 2.14 is the current series.
# - torchvision: the releases that pair with those torch versions.
# - mmengine 0.10.x: compat allow-lists its checkpoint types and
#   kd_plugins.compat.mmcls_configs hooks its config-path resolution.
# - mmpretrain / mmsegmentation 1.0 .. 1.2 and mmrazor 1.0.x: the releases
#   kd_plugins/compat/ was written against (mmrazor 1.0.0's torch-2 import
#   breaks).
# - mmcv is NOT required here: mmseg 1.2 and mmrazor 1.0 assert
#   mmcv < 2.2.0 at import time, and a full mmcv (CUDA ops) and mmcv-lite are
#   two distributions of one ``mmcv`` package, so requiring either would
#   clobber the other. The ``lite`` extra installs mmcv-lite.
# setuptools>=81 has no pkg_resources, which mmengine needs for
# ``mmpretrain::`` config paths. joblib (mmrazor), ftfy and regex (mmseg) are
# imported but not declared by them.
INSTALL_REQUIRES = [
    'torch>=2.0,<2.15',
    'torchvision>=0.15,<0.30',
    'mmengine>=0.10.0,<0.11',
    'mmpretrain>=1.0.0,<1.3',
    'mmsegmentation>=1.0.0,<1.3',
    'mmrazor>=1.0.0,<1.1',
    'setuptools>=77.0.3,<81',
    'joblib',
    'ftfy',
    'regex',
    'numpy',
    'opencv-python',
    'tqdm',
]

EXTRAS_REQUIRE = {
    'lite': ['mmcv-lite>=2.0.0,<2.2.0'],
    'demo': ['scikit-learn', 'matplotlib'],
    'tests': [
        'pytest', 'scikit-learn', 'matplotlib', 'flake8', 'isort', 'h5py',
        'scipy'
    ],
    'nyuv2': ['h5py', 'scipy'],
}

setup(
    name='kd_plugins',
    version=get_version(),
    description='Knowledge-distillation methods (TeKAP, AFD, SSD-KD) '
    'for mmrazor on the torch 2.x OpenMMLab stack',
    long_description=open(osp.join(HERE, 'README.md')).read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['kd_plugins', 'kd_plugins.*']),
    python_requires='>=3.9',
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    license='Apache License 2.0',
    zip_safe=False,
)
