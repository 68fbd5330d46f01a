from .dafl_generator_standalone import StandaloneDAFLGenerator
from .fast_generator import FastGenerator
from .ssdkd_generator import SSDKDGenerator

__all__ = ['FastGenerator', 'SSDKDGenerator', 'StandaloneDAFLGenerator']
