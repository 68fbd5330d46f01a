"""Install kd_plugins and its pinned OpenMMLab stack.

``pip install -e .`` installs everything the package needs on a fresh
machine (CPU build of torch from the local wheel mirror, about a minute).
Extras: ``tests`` (pytest and the digits data), ``demo`` (digits data and
plots).
"""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def get_version() -> str:
    scope: dict = {}
    with open(osp.join(HERE, 'kd_plugins', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


# mmcv(-lite) must be 2.1.0: mmseg 1.2.2 and mmrazor 1.0.0 assert
# mmcv < 2.2.0 at import time, which pip cannot see. setuptools>=81 has no
# pkg_resources, which mmengine needs for ``mmpretrain::`` config paths.
# joblib (mmrazor), ftfy and regex (mmseg) are imported but not declared.
INSTALL_REQUIRES = [
    'torch==2.13.0',
    'torchvision==0.28.0',
    'mmengine==0.10.7',
    'mmcv-lite==2.1.0',
    'mmpretrain==1.2.0',
    'mmsegmentation==1.2.2',
    'mmrazor==1.0.0',
    'setuptools>=77.0.3,<81',
    'joblib',
    'ftfy',
    'regex',
    'numpy',
    'opencv-python',
    'tqdm',
]

EXTRAS_REQUIRE = {
    'demo': ['scikit-learn', 'matplotlib'],
    'tests': ['pytest', 'scikit-learn', 'matplotlib'],
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
