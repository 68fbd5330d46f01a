from .afd_discriminator import AFDDiscriminator
from .afd_transfer_connector import AFDTransferConnector

__all__ = ['AFDDiscriminator', 'AFDTransferConnector']
