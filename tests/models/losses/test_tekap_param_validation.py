"""TeKAP losses reject invalid parameters when built (issue 9.5)."""
import pytest

from kd_plugins.models.losses import TeKAPFeatureLoss, TeKAPLogitsLoss
from kd_plugins.utils import UserInputError


@pytest.mark.parametrize('kwargs, message', [
    (dict(noise_std=-1.0),
     'TeKAPLogitsLoss: noise_std must be a finite number >= 0, got -1.0'),
    (dict(alpha=-0.1),
     'TeKAPLogitsLoss: alpha must be a finite number >= 0 and <= 1, '
     'got -0.1'),
    (dict(alpha=1.5), 'alpha must be a finite number >= 0 and <= 1'),
    (dict(num_noisy=-1),
     'TeKAPLogitsLoss: num_noisy must be an integer >= 0, got -1'),
    (dict(num_noisy=2.5), 'num_noisy must be an integer >= 0, got 2.5'),
    (dict(tau=0), 'tau must be a finite number > 0, got 0'),
    (dict(noisy_weight=float('nan')), 'noisy_weight must be a finite'),
    (dict(loss_weight=-2), 'loss_weight must be a finite number >= 0'),
    (dict(noise_std='1'), "noise_std must be a finite number >= 0, got '1'"),
])
def test_logits_loss_rejects(kwargs, message):
    with pytest.raises(ValueError) as info:
        TeKAPLogitsLoss(**kwargs)
    assert isinstance(info.value, UserInputError)
    assert message in str(info.value)


@pytest.mark.parametrize('kwargs, message', [
    (dict(sigma=-0.1),
     'TeKAPFeatureLoss: sigma must be a finite number >= 0, got -0.1'),
    (dict(alpha=2.0), 'alpha must be a finite number >= 0 and <= 1'),
    (dict(num_noisy=-3), 'num_noisy must be an integer >= 0, got -3'),
    (dict(noisy_weight=-1.0), 'noisy_weight must be a finite number >= 0'),
    (dict(loss_weight=float('inf')), 'loss_weight must be a finite number'),
])
def test_feature_loss_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TeKAPFeatureLoss(**kwargs)


def test_valid_edges_are_accepted():
    TeKAPLogitsLoss(num_noisy=0, alpha=0.0, noise_std=0.0, noisy_weight=0)
    TeKAPLogitsLoss(alpha=1, loss_weight=0)
    TeKAPFeatureLoss(num_noisy=0, alpha=1.0, sigma=0)
