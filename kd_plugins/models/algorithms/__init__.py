from .online_adversarial_distill import OnlineAdversarialDistill

__all__ = ['OnlineAdversarialDistill']
