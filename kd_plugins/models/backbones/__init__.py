from .cifar_resnet import (CIFARResNet, resnet8, resnet14, resnet20, resnet32,
                           resnet44, resnet56, resnet110, resnet8x4,
                           resnet32x4)

__all__ = [
    'CIFARResNet', 'resnet8', 'resnet14', 'resnet20', 'resnet32', 'resnet44',
    'resnet56', 'resnet110', 'resnet8x4', 'resnet32x4'
]
