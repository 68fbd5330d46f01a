from .bn_statistics_loss import BNStatisticsLoss
from .diversity_aware_task_loss import DiversityAwareTaskLoss

__all__ = ['BNStatisticsLoss', 'DiversityAwareTaskLoss']
