from .distributed_algorithm_wrapper import (DistributedAlgorithmWrapper,
                                            broadcast_tensors,
                                            replicated_state)

__all__ = [
    'DistributedAlgorithmWrapper', 'broadcast_tensors', 'replicated_state'
]
