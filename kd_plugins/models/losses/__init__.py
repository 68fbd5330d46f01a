from .afd_adversarial_loss import AFDAdversarialLoss
from .bn_statistics_loss import BNStatisticsLoss
from .diversity_aware_task_loss import DiversityAwareTaskLoss
from .masked_adversarial_kl import masked_adversarial_kl
from .per_sample_kl_loss import PerSampleKLLoss, per_sample_kl
from .tekap_feature_loss import TeKAPFeatureLoss, perturb_teacher_feature
from .tekap_logits_loss import TeKAPLogitsLoss, tekap_logits_loss

__all__ = [
    'AFDAdversarialLoss', 'BNStatisticsLoss', 'DiversityAwareTaskLoss',
    'masked_adversarial_kl', 'PerSampleKLLoss', 'per_sample_kl',
    'TeKAPFeatureLoss', 'perturb_teacher_feature', 'TeKAPLogitsLoss',
    'tekap_logits_loss'
]
