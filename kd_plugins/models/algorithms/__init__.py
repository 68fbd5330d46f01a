from .online_adversarial_distill import OnlineAdversarialDistill
from .prioritized_replay_buffer import PrioritizedReplayBuffer
from .ssdkd_datafree_distillation import SSDKDDataFreeDistillation

__all__ = [
    'OnlineAdversarialDistill', 'PrioritizedReplayBuffer',
    'SSDKDDataFreeDistillation'
]
