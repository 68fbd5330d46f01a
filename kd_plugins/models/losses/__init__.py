from .afd_adversarial_loss import AFDAdversarialLoss

__all__ = ['AFDAdversarialLoss']
