from .afd_pairing import AFDConfigError
from .dfad_datafree_distillation import DFADDataFreeDistillation
from .online_adversarial_distill import OnlineAdversarialDistill
from .online_distill_base import OnlineDistillAlgorithm
from .prioritized_replay_buffer import (BufferMemoryError,
                                        PrioritizedReplayBuffer)
from .ssdkd_datafree_distillation import SSDKDDataFreeDistillation
from .teacher_checks import TeacherCheckError, check_teacher

__all__ = [
    'AFDConfigError', 'DFADDataFreeDistillation', 'OnlineAdversarialDistill',
    'OnlineDistillAlgorithm', 'BufferMemoryError', 'PrioritizedReplayBuffer',
    'SSDKDDataFreeDistillation', 'TeacherCheckError', 'check_teacher'
]
