"""CIFAR KD model zoo (RepDistiller/CRD names) registered in mmpretrain MODELS.

See ``docs/backbones.md`` for the name -> class mapping, parameter counts and
stage indices.
"""
from .cifar_mobilenetv2 import CIFARMobileNetV2, mobile_half
from .cifar_resnet import (CIFARResNet, resnet8, resnet8x4, resnet14, resnet20,
                           resnet32, resnet32x4, resnet44, resnet56, resnet110)
from .cifar_resnetv2 import CIFARResNetV2, ResNet18, ResNet34, ResNet50
from .cifar_shufflenetv1 import CIFARShuffleNetV1, ShuffleV1
from .cifar_shufflenetv2 import CIFARShuffleNetV2, ShuffleV2
from .cifar_vgg import CIFARVGG, vgg8, vgg11, vgg13, vgg16, vgg19
from .wide_resnet import (CIFARWideResNet, wrn_16_1, wrn_16_2, wrn_40_1,
                          wrn_40_2)

__all__ = [
    'CIFARResNet', 'resnet8', 'resnet14', 'resnet20', 'resnet32', 'resnet44',
    'resnet56', 'resnet110', 'resnet8x4', 'resnet32x4', 'CIFARWideResNet',
    'wrn_16_1', 'wrn_16_2', 'wrn_40_1', 'wrn_40_2', 'CIFARVGG', 'vgg8',
    'vgg11', 'vgg13', 'vgg16', 'vgg19', 'CIFARMobileNetV2', 'mobile_half',
    'CIFARShuffleNetV1', 'ShuffleV1', 'CIFARShuffleNetV2', 'ShuffleV2',
    'CIFARResNetV2', 'ResNet18', 'ResNet34', 'ResNet50'
]
