"""Necks registered in mmpretrain MODELS."""
from .repdistiller_avgpool import RepDistillerAvgPool

__all__ = ['RepDistillerAvgPool']
