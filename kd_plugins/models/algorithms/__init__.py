from .afd_pairing import AFDConfigError
from .online_adversarial_distill import OnlineAdversarialDistill
from .online_distill_base import OnlineDistillAlgorithm
from .prioritized_replay_buffer import PrioritizedReplayBuffer
from .ssdkd_datafree_distillation import SSDKDDataFreeDistillation

__all__ = [
    'AFDConfigError', 'OnlineAdversarialDistill', 'OnlineDistillAlgorithm',
    'PrioritizedReplayBuffer', 'SSDKDDataFreeDistillation'
]
