"""Checks shared by the distillation-loss tests."""
from typing import Callable

import torch

__all__ = ['assert_student_only_gradient']


def assert_student_only_gradient(loss_fn: Callable, student: torch.Tensor,
                                 teacher: torch.Tensor) -> None:
    """``loss_fn(student, teacher).backward()`` gives the student a non-zero
    gradient and leaves the teacher (a leaf that requires grad) without a
    gradient, unchanged and not modified in place."""
    before, version = teacher.detach().clone(), teacher._version
    loss_fn(student, teacher).backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    assert teacher.grad is None
    assert torch.equal(teacher.detach(), before)
    assert teacher._version == version
