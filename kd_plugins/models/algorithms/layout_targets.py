"""Task targets for inversion: random classes and segmentation layouts."""
from typing import Optional, Tuple

import torch

__all__ = ['random_layouts', 'task_targets']


def random_layouts(num: int, num_classes: int, size: Tuple[int, int],
                   generator: torch.Generator,
                   background: Optional[int] = None,
                   max_regions: int = 4,
                   side_range: Tuple[float, float] = (0.25, 0.5)
                   ) -> torch.Tensor:
    """Label maps of random rectangles over a background class.

    Each map is filled with ``background`` (or, when None, a class drawn
    per sample), then 1 to ``max_regions`` axis-aligned rectangles, each of
    a random class other than the background, with sides drawn uniformly
    in ``side_range`` times the map's side, are painted at random positions
    (later ones over earlier ones; a rectangle may run off the border).

    Args:
        num (int): Number of maps.
        num_classes (int): Classes ``0 .. num_classes - 1``; at least 2.
        size (tuple[int, int]): ``(h, w)`` of a map.
        generator (torch.Generator): The source of randomness.
        background (int, optional): The background class. Defaults to None.
        max_regions (int): Most rectangles per map. Defaults to 4.
        side_range (tuple[float, float]): Rectangle side as a fraction of
            the map's side. Defaults to (0.25, 0.5).

    Returns:
        torch.Tensor: ``(num, h, w)`` int64 class indices.
    """
    if num_classes < 2:
        raise ValueError(f'random_layouts: need >= 2 classes, got '
                         f'{num_classes}')
    if background is not None and not 0 <= background < num_classes:
        raise ValueError(f'random_layouts: background {background} is not a '
                         f'class index (0..{num_classes - 1})')
    h, w = size

    def uniform(n: int) -> torch.Tensor:
        return torch.rand(n, generator=generator)

    if background is None:
        bg = torch.randint(num_classes, (num, ), generator=generator)
    else:
        bg = torch.full((num, ), background, dtype=torch.long)
    maps = bg.view(num, 1, 1).expand(num, h, w).clone()
    ys = torch.arange(h).view(1, h, 1)
    xs = torch.arange(w).view(1, 1, w)
    counts = torch.randint(1, max_regions + 1, (num, ), generator=generator)
    lo, hi = side_range
    for r in range(max_regions):
        # a class other than the sample's background: shift by 1..K-1
        cls = (bg + torch.randint(1, num_classes, (num, ),
                                  generator=generator)) % num_classes
        rh = (lo + (hi - lo) * uniform(num)) * h
        rw = (lo + (hi - lo) * uniform(num)) * w
        y0 = uniform(num) * (h + rh) - rh
        x0 = uniform(num) * (w + rw) - rw
        inside = ((ys >= y0.view(-1, 1, 1)) & (ys < (y0 + rh).view(-1, 1, 1))
                  & (xs >= x0.view(-1, 1, 1)) &
                  (xs < (x0 + rw).view(-1, 1, 1)))
        inside &= (counts > r).view(-1, 1, 1)
        maps = torch.where(inside, cls.view(-1, 1, 1), maps)
    return maps


def task_targets(t_out: torch.Tensor, mode: str,
                 generator: torch.Generator,
                 background: Optional[int] = None) -> Optional[torch.Tensor]:
    """The targets of the task loss for teacher logits ``t_out``.

    Args:
        t_out (torch.Tensor): ``(N, K)`` or ``(N, K, H, W)`` logits.
        mode (str): ``'random'`` (a class per sample, or per pixel for
            segmentation, as Fast), ``'layout'`` (segmentation:
            :func:`random_layouts` of ``(H, W)``), ``'argmax'`` (None: the
            loss takes the teacher's argmax) or ``'auto'`` (random for
            classification, argmax for segmentation).
        generator (torch.Generator): CPU source of the random targets.
        background (int, optional): Background class of the layouts; None
            draws one per sample. Defaults to None.

    Returns:
        torch.Tensor | None: int64 targets on ``t_out``'s device.
    """
    if mode == 'auto':
        mode = 'random' if t_out.dim() == 2 else 'argmax'
    if mode == 'argmax':
        return None
    if mode == 'layout':
        if t_out.dim() != 4:
            raise ValueError("SSDKD: task_targets='layout' needs "
                             'segmentation logits (N, K, H, W), got '
                             f'{tuple(t_out.shape)}')
        return random_layouts(t_out.shape[0], t_out.shape[1],
                              tuple(t_out.shape[2:]), generator,
                              background).to(t_out.device)
    shape = (t_out.shape[0], ) + tuple(t_out.shape[2:])
    return torch.randint(t_out.shape[1], shape,
                         generator=generator).to(t_out.device)
