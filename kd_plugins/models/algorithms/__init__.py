from .prioritized_replay_buffer import PrioritizedReplayBuffer
from .ssdkd_datafree_distillation import SSDKDDataFreeDistillation

__all__ = ['PrioritizedReplayBuffer', 'SSDKDDataFreeDistillation']
