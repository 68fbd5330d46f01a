from .dafl_generator_standalone import StandaloneDAFLGenerator
from .ssdkd_generator import SSDKDGenerator

__all__ = ['SSDKDGenerator', 'StandaloneDAFLGenerator']
