"""Per-sample gradient scaling (SSD-KD's importance weights)."""
import torch

__all__ = ['scale_sample_grads']


class _ScaleGrad(torch.autograd.Function):
    """Identity whose backward multiplies sample ``i``'s gradient by w_i."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(w)
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        w, = ctx.saved_tensors
        return grad * w.view((-1, ) + (1, ) * (grad.dim() - 1)), None


def scale_sample_grads(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """``x`` unchanged in the forward pass; in the backward pass the
    gradient of sample ``x[i]`` is multiplied by ``w[i]`` (no gradient
    flows to ``w``). For a loss that is a mean over samples this is the
    loss with sample ``i`` weighted by ``w[i]``.

    Args:
        x (torch.Tensor): ``(N, ...)``.
        w (torch.Tensor): ``(N,)`` weights, same dtype and device as ``x``.

    Returns:
        torch.Tensor: A view of ``x``.
    """
    return _ScaleGrad.apply(x, w)
