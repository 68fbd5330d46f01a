"""setup.py gives compatible ranges, constraints.txt the exact tested set,
and pip's resolver leaves a user's own torch / full mmcv in place."""
import ast
import json
import os
import subprocess
import sys
import venv
from importlib import metadata

import pytest
from _helpers import REPO_ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def setup_lists():
    """``INSTALL_REQUIRES`` and ``EXTRAS_REQUIRE`` read from setup.py."""
    tree = ast.parse((REPO_ROOT / 'setup.py').read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id in (
                'INSTALL_REQUIRES', 'EXTRAS_REQUIRE'):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found['INSTALL_REQUIRES'], found['EXTRAS_REQUIRE']


INSTALL_REQUIRES, EXTRAS_REQUIRE = setup_lists()


def constraints() -> dict:
    pins = {}
    for line in (REPO_ROOT / 'constraints.txt').read_text().splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            name, _, version = line.partition('==')
            pins[canonicalize_name(name)] = version
    return pins


def test_install_requires_are_ranges_without_mmcv():
    reqs = [Requirement(r) for r in INSTALL_REQUIRES]
    names = {canonicalize_name(r.name) for r in reqs}
    assert not any(s.operator == '==' for r in reqs for s in r.specifier)
    # a full mmcv and mmcv-lite share the ``mmcv`` package: requiring either
    # would overwrite the other
    assert not names & {'mmcv', 'mmcv-lite'}
    lite = Requirement(EXTRAS_REQUIRE['lite'][0])
    assert lite.name == 'mmcv-lite'
    assert '2.1.0' in lite.specifier and '2.2.0' not in lite.specifier
    by_name = {canonicalize_name(r.name): r.specifier for r in reqs}
    for name, other_version in [('torch', '2.1.2'), ('torch', '2.5.1'),
                                ('torchvision', '0.20.1'),
                                ('mmengine', '0.10.4'),
                                ('mmpretrain', '1.1.0')]:
        assert other_version in by_name[name], (name, other_version)
    assert '1.13.1' not in by_name['torch']


def test_constraints_pin_the_tested_environment_inside_the_ranges():
    pins = constraints()
    reqs = [Requirement(r) for r in INSTALL_REQUIRES] + [
        Requirement(r) for extra in EXTRAS_REQUIRE.values() for r in extra
    ]
    for req in reqs:
        name = canonicalize_name(req.name)
        assert name in pins, f'{name} is not pinned in constraints.txt'
        assert req.specifier.contains(pins[name], prereleases=True), name
    # the suite runs on exactly the pinned versions of the stack
    for name in ('torch', 'mmengine', 'mmcv-lite', 'mmpretrain',
                 'mmsegmentation', 'mmrazor', 'pytest'):
        assert metadata.version(name) == pins[name], name


def _fake_dist(site_packages, name: str, version: str) -> None:
    """An installed-package record pip's resolver sees (no code)."""
    info = site_packages / f'{name.replace("-", "_")}-{version}.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text(
        f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n')
    (info / 'INSTALLER').write_text('pip\n')
    (info / 'RECORD').write_text('')


def resolve(tmp_path, installed: dict):
    """``pip install --dry-run --report`` of setup.py's requirements into a
    fresh venv in which ``installed`` is already present (offline)."""
    env_dir = tmp_path / 'venv'
    venv.create(env_dir, with_pip=False)
    python = env_dir / 'bin' / 'python'
    site = next((env_dir / 'lib').glob('python3*/site-packages'))
    for name, version in installed.items():
        _fake_dist(site, name, version)
    report = tmp_path / 'report.json'
    cmd = [sys.executable, '-m', 'pip', '--isolated', '--python', str(python),
           'install', '--dry-run', '--no-index', '--report', str(report),
           '--quiet', *INSTALL_REQUIRES]
    env = {k: v for k, v in os.environ.items() if not k.startswith('PIP_')}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                          timeout=120)
    data = json.loads(report.read_text()) if report.exists() else None
    return proc, data


# a user's environment: CUDA torch 2.5.1, full mmcv 2.1.0, older mmengine
USER_ENV = {
    'torch': '2.5.1', 'torchvision': '0.20.1', 'mmcv': '2.1.0',
    'mmengine': '0.10.4', 'mmpretrain': '1.2.0', 'mmsegmentation': '1.2.2',
    'mmrazor': '1.0.0', 'setuptools': '79.0.1', 'joblib': '1.4.2',
    'ftfy': '6.2.0', 'regex': '2024.5.15', 'numpy': '1.26.4',
    'opencv-python': '4.10.0.84', 'tqdm': '4.66.4'
}


def test_resolver_keeps_the_users_torch_and_mmcv(tmp_path):
    proc, report = resolve(tmp_path, USER_ENV)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # nothing to install or replace: torch 2.5.1 and mmcv stay
    assert report['install'] == []


def test_resolver_would_replace_a_torch_outside_the_range(tmp_path):
    """Control: the same check fails when the installed torch is too old."""
    proc, report = resolve(tmp_path, dict(USER_ENV, torch='1.13.1'))
    assert proc.returncode != 0
    assert 'torch' in proc.stderr


@pytest.mark.skipif(sys.platform != 'linux', reason='venv layout')
def test_fake_dists_are_visible_to_the_venv(tmp_path):
    resolve(tmp_path, {'torch': '2.5.1'})
    python = tmp_path / 'venv' / 'bin' / 'python'
    out = subprocess.run(
        [str(python), '-c',
         'from importlib.metadata import version; print(version("torch"))'],
        capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == '2.5.1'
