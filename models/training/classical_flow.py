"""Dense pyramidal Lucas-Kanade optical flow (the classical baseline), written with torch tensor ops."""
import torch
import torch.nn.functional as F


def _gray(rgb):
    """(N, 3, H, W) 0..255 -> (N, 1, H, W) 0..1 luma."""
    w = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    return (rgb * w).sum(1, keepdim=True) / 255.0


def _sample(img, flow):
    """img(p + flow(p)), bilinear, flow in pixels (N, 2, H, W)."""
    n, _, h, w = img.shape
    ys, xs = torch.meshgrid(torch.arange(h, dtype=img.dtype), torch.arange(w, dtype=img.dtype), indexing='ij')
    gx = (2 * (xs + flow[:, 0]) + 1) / w - 1
    gy = (2 * (ys + flow[:, 1]) + 1) / h - 1
    return F.grid_sample(img, torch.stack([gx, gy], 3), mode='bilinear', padding_mode='border', align_corners=False)


def _box(x, r):
    return F.avg_pool2d(F.pad(x, (r, r, r, r), mode='replicate'), 2 * r + 1, stride=1)


def lucas_kanade(current_rgb, key_rgb, levels=5, iterations=3, window=9, damping=0.05):
    """Flow M from `current` to `key` (pixel p of current sits at p + M(p) in key), in pixels, (N, 2, H, W).

    Coarse-to-fine: at each pyramid level the key image is warped by the current estimate and a
    windowed least-squares step (the Lucas-Kanade normal equations) refines it; a Tikhonov term
    (damping x the image's mean gradient energy) keeps flat or one-edge windows at the coarser estimate.
    """
    a, b = _gray(current_rgb), _gray(key_rgb)
    pyr = [(a, b)]
    for _ in range(levels - 1):
        a, b = F.avg_pool2d(a, 2), F.avg_pool2d(b, 2)
        pyr.append((a, b))
    flow = torch.zeros(a.shape[0], 2, *a.shape[2:])
    r = window // 2
    kx = torch.tensor([[-0.5, 0.0, 0.5]]).view(1, 1, 1, 3)
    ky = kx.view(1, 1, 3, 1)
    for lvl, (i1, i2) in enumerate(reversed(pyr)):
        if lvl > 0:
            flow = 2 * F.interpolate(flow, size=i1.shape[2:], mode='bilinear', align_corners=False)
        for _ in range(iterations):
            w2 = _sample(i2, flow)
            ix = F.conv2d(F.pad(w2, (1, 1, 0, 0), mode='replicate'), kx)
            iy = F.conv2d(F.pad(w2, (0, 0, 1, 1), mode='replicate'), ky)
            it = w2 - i1
            sxx, syy, sxy = _box(ix * ix, r), _box(iy * iy, r), _box(ix * iy, r)
            eps = damping * (sxx + syy).mean(dim=(1, 2, 3), keepdim=True) + 1e-9
            sxx, syy = sxx + eps, syy + eps
            sxt, syt = _box(ix * it, r), _box(iy * it, r)
            det = sxx * syy - sxy * sxy
            du = -(syy * sxt - sxy * syt) / det
            dv = -(sxx * syt - sxy * sxt) / det
            # smoothing the step over the window keeps neighbouring estimates consistent (no drift)
            flow = flow + _box(torch.cat([du, dv], 1).clamp(-2, 2), r)
    return flow
