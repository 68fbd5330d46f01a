from .afd_discriminator_connector import AFDDiscriminatorConnector

__all__ = ['AFDDiscriminatorConnector']
