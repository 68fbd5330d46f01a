import pytest
import torch
from mmrazor.registry import MODELS

from kd_plugins.models.losses import AFDAdversarialLoss
from kd_plugins.models.losses.afd_adversarial_loss import (
    discriminator_accuracy, lsgan_discriminator_loss, lsgan_generator_loss)

REAL = torch.tensor([0.8, 0.6])
FAKE = torch.tensor([0.3, 0.1])


def test_discriminator_loss_hand_values():
    # mean((1-0.8)^2, (1-0.6)^2) + mean(0.3^2, 0.1^2) = 0.1 + 0.05
    assert lsgan_discriminator_loss(REAL, FAKE).item() == pytest.approx(0.15)
    # perfect discriminator: zero loss; inverted one: 2
    assert lsgan_discriminator_loss(torch.ones(3), torch.zeros(3)) == 0
    assert lsgan_discriminator_loss(torch.zeros(3),
                                    torch.ones(3)).item() == pytest.approx(2)


def test_generator_loss_hand_values():
    # mean((1-0.3)^2, (1-0.1)^2) = (0.49 + 0.81) / 2
    assert lsgan_generator_loss(FAKE).item() == pytest.approx(0.65)
    assert lsgan_generator_loss(torch.ones(2, 3, 3)) == 0


def test_terms_are_means_of_their_own_elements():
    # real and fake maps of different sizes: each term averaged separately
    real = torch.full((2, 3, 3), 0.5)
    fake = torch.full((2, 1, 1), 0.5)
    assert lsgan_discriminator_loss(real, fake).item() == pytest.approx(0.5)


def test_accuracy():
    assert discriminator_accuracy(REAL, FAKE).item() == 1.0
    assert discriminator_accuracy(torch.tensor([0.4, 0.6]),
                                  FAKE).item() == 0.75
    assert discriminator_accuracy(FAKE, REAL).item() == 0.0


def test_module_weight_labels_and_registry():
    loss = MODELS.build(dict(type='AFDAdversarialLoss', loss_weight=2.0))
    assert isinstance(loss, AFDAdversarialLoss)
    assert loss(FAKE).item() == pytest.approx(1.3)
    assert loss(FAKE, REAL).item() == pytest.approx(0.3)
    assert loss.discriminator_loss(REAL, FAKE).item() == pytest.approx(0.3)
    # other label coding: real 0.9, fake 0.1
    soft = AFDAdversarialLoss(real_label=0.9, fake_label=0.1)
    expected = ((REAL - 0.9)**2).mean() + ((FAKE - 0.1)**2).mean()
    assert soft(FAKE, REAL).item() == pytest.approx(expected.item())


def test_gradients_flow_to_scores():
    fake = FAKE.clone().requires_grad_()
    lsgan_generator_loss(fake).backward()
    # d/df mean((1-f)^2) = -2(1-f)/n
    torch.testing.assert_close(fake.grad, -(1 - FAKE))
