"""tools/train.py hides the stack's known deprecation noise, and only that."""
import logging
import textwrap
import warnings

import pytest
import torch
from _helpers import REPO_ROOT, run_tool

from kd_plugins.cli import quiet

NOISE = ['"FileClient" will be deprecated', '"HardDiskBackend" is the alias',
         'Converting a tensor with requires_grad=True to a scalar']
PROBE_WARNING = 'kd-plugins-test: unrelated warning'
PROBE_LOG = 'kd-plugins-test: unrelated log line'


def write_probe_config(tmp_path):
    """2 iterations of the digits student with the progress bar, plus an
    imported module that emits one unrelated warning and log line."""
    (tmp_path / 'noisy_probe.py').write_text(textwrap.dedent(f"""
        import logging, warnings
        from mmengine.logging import print_log
        warnings.warn({PROBE_WARNING!r}, UserWarning)
        print_log({PROBE_LOG!r}, logger='current', level=logging.WARNING)
    """))
    base = REPO_ROOT / 'configs' / 'demo' / 'student_resnet8_digits.py'
    config = tmp_path / 'probe_cfg.py'
    config.write_text(textwrap.dedent(f"""
        _base_ = [{str(base)!r}]
        custom_imports = dict(
            imports=['kd_plugins', 'noisy_probe'], allow_failed_imports=False)
        custom_hooks = [dict(type='mmrazor.ProgressBarHook')]
        train_dataloader = dict(batch_size=8, dataset=dict(indices=16))
        train_cfg = dict(max_epochs=1)
        val_dataloader = dict(dataset=dict(indices=16))
    """))
    return config


@pytest.mark.e2e
def test_train_stderr_has_no_known_noise_but_other_warnings(tmp_path):
    config = write_probe_config(tmp_path)
    proc = run_tool('train.py', config, '--work-dir', tmp_path / 'work',
                    PYTHONPATH=f'{tmp_path}:{REPO_ROOT}',
                    PYTHONWARNINGS='default')
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    assert 'Epoch(train)' in output or (tmp_path / 'work' /
                                        'epoch_1.pth').exists()
    for noise in NOISE:
        assert noise not in output, noise
    assert PROBE_WARNING in proc.stderr
    assert PROBE_LOG in output


def test_known_log_lines_are_filtered_by_message_only():
    from mmengine.fileio import FileClient
    from mmengine.logging import MMLogger, print_log
    quiet.silence_known_noise()
    # created after silence_known_noise, and the current instance now
    logger = MMLogger.get_instance('kd_quiet_probe', log_level='INFO')
    assert MMLogger.get_current_instance() is logger
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger.handlers.append(handler)
    try:
        FileClient(backend='disk')  # logs both known lines
        print_log('"FileClient" is mentioned in this unrelated line',
                  logger='current', level=logging.WARNING)
    finally:
        logger.handlers.remove(handler)
    assert seen == ['"FileClient" is mentioned in this unrelated line']


def test_known_warnings_only():
    quiet.silence_known_noise()
    with warnings.catch_warnings(record=True) as caught:
        # catch_warnings restores the filters; re-apply inside
        quiet.silence_known_noise()
        warnings.simplefilter('default')  # would show everything ...
        quiet.silence_known_noise()  # ... except the known ones
        warnings.warn('pkg_resources is deprecated as an API. See ...',
                      UserWarning)
        warnings.warn('some other deprecation', DeprecationWarning)
        warnings.warn('pkg_resources is deprecated as an API',
                      DeprecationWarning)  # other category: shown
    messages = [str(w.message) for w in caught]
    assert 'some other deprecation' in messages
    assert 'pkg_resources is deprecated as an API' in messages
    assert not any(m.startswith('pkg_resources is deprecated as an API. ')
                   for m in messages)


def test_progress_bar_reads_the_loss_without_the_float_warning():
    from kd_plugins.engine.hooks.progress_bar_hook import ProgressBarHook

    class Bar:
        postfix = None

        def update(self, n):
            pass

        def set_postfix(self, postfix, refresh):
            Bar.postfix = postfix

    hook = ProgressBarHook()
    hook._bar = Bar()
    loss = (torch.ones(3, requires_grad=True) * 0.5).sum()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        hook.after_train_iter(None, 0, outputs={'loss': loss})
    assert Bar.postfix == {'loss': '1.500'}
