from .afd_adversarial_loss import AFDAdversarialLoss
from .tekap_feature_loss import TeKAPFeatureLoss, perturb_teacher_feature
from .tekap_logits_loss import TeKAPLogitsLoss, tekap_logits_loss

__all__ = [
    'TeKAPFeatureLoss', 'perturb_teacher_feature', 'TeKAPLogitsLoss',
    'tekap_logits_loss', 'AFDAdversarialLoss'
]
