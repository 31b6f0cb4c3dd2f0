"""Training targets and losses: CenterNet detection maps, stride-16 flow, segmentation."""
import numpy as np
import torch
import torch.nn.functional as F

from nets import DET_STRIDE, FEATURE_STRIDE, upsample_seg

MIN_TRAIN_AREA = 32  # visible pixels: smaller fragments are not taught as objects
# Evaluation: ground truth smaller than this (visible pixels) or less visible than this fraction is "ignored"
# (VOC 'difficult'): matching it is neither a hit nor a false positive, missing it is no miss.
EVAL_MIN_AREA = 100
EVAL_MIN_VISIBLE = 0.25


def gaussian_radius(h, w, min_overlap=0.7):
    """CenterNet's radius: the largest centre shift that keeps IoU >= min_overlap (the official formula)."""
    a1, b1, c1 = 1, (h + w), w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + np.sqrt(b1 ** 2 - 4 * a1 * c1)) / 2
    a2, b2, c2 = 4, 2 * (h + w), (1 - min_overlap) * w * h
    r2 = (b2 + np.sqrt(b2 ** 2 - 4 * a2 * c2)) / 2
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    r3 = (b3 + np.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def detection_targets(boxes, num_classes, height, width):
    """boxes (N, 7) [x, y, w, h, cls, area, vis] in input pixels -> heat (C,h,w), size (2,h,w), offset (2,h,w), mask (h,w).

    size is log(box size / DET_STRIDE); offset is the centre's position inside its cell (0..1).
    """
    hh, ww = height // DET_STRIDE, width // DET_STRIDE
    heat = np.zeros((num_classes, hh, ww), np.float32)
    size = np.zeros((2, hh, ww), np.float32)
    offset = np.zeros((2, hh, ww), np.float32)
    mask = np.zeros((hh, ww), np.float32)
    ys, xs = np.mgrid[0:hh, 0:ww].astype(np.float32)
    for x, y, w, h, cls, area, _vis in boxes:
        if area < MIN_TRAIN_AREA or w < 2 or h < 2:
            continue
        cx, cy = (x + w / 2) / DET_STRIDE, (y + h / 2) / DET_STRIDE
        ix, iy = min(int(cx), ww - 1), min(int(cy), hh - 1)
        r = max(0.0, gaussian_radius(h / DET_STRIDE, w / DET_STRIDE))
        sigma = (2 * int(r) + 1) / 6
        g = np.exp(-((xs - ix) ** 2 + (ys - iy) ** 2) / (2 * sigma ** 2))
        c = int(cls) - 1
        heat[c] = np.maximum(heat[c], g)
        heat[c, iy, ix] = 1.0
        size[:, iy, ix] = np.log([w / DET_STRIDE, h / DET_STRIDE])
        offset[:, iy, ix] = [cx - ix, cy - iy]
        mask[iy, ix] = 1.0
    return heat, size, offset, mask


def flow_to_cells(flow_px, height, width):
    """GT flow on the flow grid, in input pixels, (T, h, w, 2) -> (T, 2, H/16, W/16) in feature cells (box average)."""
    t = torch.from_numpy(flow_px).permute(0, 3, 1, 2)
    t = F.adaptive_avg_pool2d(t, (height // FEATURE_STRIDE, width // FEATURE_STRIDE))
    return t / FEATURE_STRIDE


def focal_loss(logits, target):
    """CenterNet's penalty-reduced pixel-wise focal loss (alpha 2, beta 4), normalised by the object count."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = torch.log(1 - p) * p ** 2 * (1 - target) ** 4 * neg
    n = pos.sum().clamp(min=1)
    return -(pos_loss.sum() + neg_loss.sum()) / n


def soft_dice_loss(logits, target):
    """1 - mean soft Dice over classes (background included): pulls the small object classes' IoU up,
    where cross-entropy alone, dominated by background pixels, under-segments objects."""
    p = torch.softmax(logits, 1)
    onehot = F.one_hot(target, logits.shape[1]).permute(0, 3, 1, 2).float()
    inter = (p * onehot).sum((0, 2, 3))
    denom = p.sum((0, 2, 3)) + onehot.sum((0, 2, 3))
    return 1 - ((2 * inter + 1) / (denom + 1)).mean()


def task_loss(outputs, batch):
    """Segmentation cross-entropy + soft Dice at the input resolution + CenterNet heat/size/offset losses."""
    seg, heat, size, offset = outputs
    seg_full = upsample_seg(seg, *batch['semantic'].shape[1:])
    l_seg = F.cross_entropy(seg_full, batch['semantic']) + soft_dice_loss(seg_full, batch['semantic'])
    l_heat = focal_loss(heat, batch['heat'])
    m = batch['mask'].unsqueeze(1)
    n = m.sum().clamp(min=1)
    l_size = (F.l1_loss(size, batch['size'], reduction='none') * m).sum() / n
    l_off = (F.l1_loss(offset, batch['offset'], reduction='none') * m).sum() / n
    total = l_seg + l_heat + l_size + l_off
    return total, {'seg': l_seg.item(), 'heat': l_heat.item(), 'size': l_size.item(), 'off': l_off.item()}


def epe(flow_pred, flow_gt):
    """Mean end-point error over all positions; both (N, 2, H, W) in the same units."""
    return torch.sqrt(((flow_pred - flow_gt) ** 2).sum(1) + 1e-9).mean()
