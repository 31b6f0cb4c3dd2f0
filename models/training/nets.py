"""The four networks of the default DFF pack: feature (stride 16), flow, warp, task.

Sizes are chosen for CPU training in about an hour and for DFF's cost balance: the flow network
costs a small fraction of the feature network, the task head a few per cent.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

FEATURE_STRIDE = 16
FEATURE_CHANNELS = 64
DET_STRIDE = 8  # detection maps: stride-16 features, pixel-shuffled x2
SEG_SHUFFLE = 4  # segmentation logits: pixel-shuffled x4 (stride 4); the decoder resizes them bilinearly


def conv_bn(cin, cout, stride=1, dilation=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class BasicBlock(nn.Module):
    """ResNet basic block (two 3x3 convs and an identity shortcut)."""

    def __init__(self, ch, dilation=1):
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch, 3, 1, dilation, dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(ch)
        self.conv2 = nn.Conv2d(ch, ch, 3, 1, dilation, dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(ch)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)), inplace=True)
        return F.relu(x + self.bn2(self.conv2(y)), inplace=True)


class FeatureNet(nn.Module):
    """ResNet-style backbone, output stride 16, FEATURE_CHANNELS channels."""

    def __init__(self, widths=(32, 64, 128, 128), blocks=(1, 2, 2), out_channels=FEATURE_CHANNELS):
        super().__init__()
        w0, w1, w2, w3 = widths
        layers = [conv_bn(3, w0, 2)]  # stride 2
        for cin, cout, n in ((w0, w1, blocks[0]), (w1, w2, blocks[1]), (w2, w3, blocks[2])):
            layers.append(conv_bn(cin, cout, 2))
            layers += [BasicBlock(cout) for _ in range(n)]
        layers.append(BasicBlock(w3, 2))  # dilated block: more context at stride 16
        # a narrow output keeps the warp and the task head cheap (DFF's feature reduction layer)
        layers += [nn.Conv2d(w3, out_channels, 1), nn.ReLU(inplace=True)]
        self.body = nn.Sequential(*layers)

    def forward(self, image):
        return self.body(image)


class FlowNet(nn.Module):
    """FlowNet-S style: halves both images, concatenates them, regresses flow current->key at stride 16.

    Outputs flow in feature cells (x, y) and a per-channel scale field initialised to exactly 1.
    """

    def __init__(self, feature_channels=FEATURE_CHANNELS, width=(16, 24, 48)):
        super().__init__()
        a, b, c = width
        self.encoder = nn.Sequential(
            nn.Conv2d(6, a, 3, 2, 1), nn.LeakyReLU(0.1, inplace=True),  # half-res /2 -> input /4
            nn.Conv2d(a, b, 3, 2, 1), nn.LeakyReLU(0.1, inplace=True),  # input /8
            nn.Conv2d(b, c, 3, 2, 1), nn.LeakyReLU(0.1, inplace=True),  # input /16
            nn.Conv2d(c, c, 3, 1, 2, dilation=2), nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(c, c, 3, 1, 1), nn.LeakyReLU(0.1, inplace=True),
        )
        self.flow = nn.Conv2d(c, 2, 1)
        self.scale = nn.Conv2d(c, feature_channels, 1)
        nn.init.zeros_(self.flow.weight)
        nn.init.zeros_(self.flow.bias)
        nn.init.zeros_(self.scale.weight)  # scale field starts at exactly 1, as in the official DFF code
        nn.init.ones_(self.scale.bias)

    def forward(self, key_image, current_image):
        x = torch.cat([current_image, key_image], 1)
        x = F.avg_pool2d(x, 2)  # the official code halves both images before the flow network
        h = self.encoder(x)
        return self.flow(h), self.scale(h)


def warp(features, flow, scale):
    """f_i(p) = S(p) * bilinear(f_k, p + M(p)); flow in feature cells, align_corners=False (cell centres)."""
    n, _, h, w = features.shape
    ys = torch.arange(h, dtype=features.dtype, device=features.device).view(1, h, 1).expand(n, h, w)
    xs = torch.arange(w, dtype=features.dtype, device=features.device).view(1, 1, w).expand(n, h, w)
    gx = (2.0 * (xs + flow[:, 0]) + 1.0) / w - 1.0
    gy = (2.0 * (ys + flow[:, 1]) + 1.0) / h - 1.0
    grid = torch.stack([gx, gy], dim=3)
    warped = F.grid_sample(features, grid, mode='bilinear', padding_mode='border', align_corners=False)
    return warped * scale


class FlowNetExport(nn.Module):
    """FlowNet for export: conv(cat(current, key)) on the halved pair written as one conv per image over the first
    conv's two halves of input channels. The same function and weights, without concatenating and pooling a
    full-resolution 6-channel tensor (~40 % of the flow graph's CPU time in onnxruntime)."""

    def __init__(self, flow_net):
        super().__init__()
        self.net = flow_net

    def forward(self, key_image, current_image):
        first, net = self.net.encoder[0], self.net
        x = (F.conv2d(F.avg_pool2d(current_image, 2), first.weight[:, :3], first.bias, first.stride, first.padding)
             + F.conv2d(F.avg_pool2d(key_image, 2), first.weight[:, 3:], None, first.stride, first.padding))
        h = net.encoder[1:](x)
        return net.flow(h), net.scale(h)


class WarpNet(nn.Module):
    """warp() for export, as one MatMul: features (C, cells) x an interpolation matrix (cells, cells) whose column
    p holds the four bilinear weights of the point p + flow(p), clamped to the border cells (= grid_sample with
    border padding, align_corners=False). onnxruntime's CPU GridSample kernel took 0.4-0.7 ms on a 64x12x20 map,
    ~30 % of a non-key frame; this graph gives the same values in ~0.15 ms. The matrix grows with cells^2:
    fine at stride 16 for inputs up to ~640x384 (960 cells, 3.7 MB), not beyond.
    """

    def __init__(self, height, width):
        super().__init__()
        ys, xs = torch.meshgrid(torch.arange(height).float(), torch.arange(width).float(), indexing='ij')
        self.register_buffer('base', torch.stack([xs, ys])[None])
        self.register_buffer('last', torch.tensor([width - 1.0, height - 1.0]).view(1, 2, 1, 1))
        self.register_buffer('columns', torch.arange(height * width).repeat(4))
        self.height, self.width = height, width

    def forward(self, features, flow, scale):  # batch 1, like every exported network of the pack
        cells = self.height * self.width
        p = torch.minimum(torch.clamp(flow + self.base, min=0.0), self.last)
        p0 = torch.floor(p)
        frac = p - p0
        i0 = p0.long()
        i1 = torch.minimum(i0 + 1, self.last.long())
        x0, y0, x1, y1 = i0[0, 0], i0[0, 1], i1[0, 0], i1[0, 1]
        wx, wy = frac[0, 0], frac[0, 1]
        rows = torch.stack([y0 * self.width + x0, y0 * self.width + x1, y1 * self.width + x0, y1 * self.width + x1])
        weights = torch.stack([(1 - wx) * (1 - wy), wx * (1 - wy), (1 - wx) * wy, wx * wy])
        matrix = torch.zeros(cells * cells, dtype=features.dtype).scatter_add(
            0, rows.reshape(-1) * cells + self.columns, weights.reshape(-1)).reshape(cells, cells)
        c = features.shape[1]
        return (features.reshape(c, cells) @ matrix).reshape(1, c, self.height, self.width) * scale


class TaskNet(nn.Module):
    """Light heads on stride-16 features.

    segmentation: 1x1 conv -> pixel shuffle x4 -> logits at stride 4 (upsample_seg: bilinear to the input,
    done by the decoder, outside the graph, so that non-key frames do not pay a full-resolution resize)
    detection (CenterNet): 1x1 conv -> pixel shuffle x2 -> stride 8 maps: heatmap per class (sigmoid logits),
    size (w, h in input pixels / DET_STRIDE, log-space), offset (sub-cell centre, 0..1).
    """

    def __init__(self, num_classes, feature_channels=FEATURE_CHANNELS, hidden=64, context=False):
        super().__init__()
        self.num_classes = num_classes  # object classes, background excluded
        self.reduce = nn.Sequential(nn.Conv2d(feature_channels, hidden, 1), nn.ReLU(inplace=True))
        # context (the head stage): two 3x3 convs added to the 1x1 path, the last one zero-initialised so that
        # the head starts as the plain one; lets each output sub-cell see its neighbours (sharper boundaries)
        self.context = nn.Sequential(nn.Conv2d(hidden, hidden, 3, 1, 1), nn.ReLU(inplace=True),
                                     nn.Conv2d(hidden, hidden, 3, 1, 1)) if context else None
        if context:
            nn.init.zeros_(self.context[2].weight)
            nn.init.zeros_(self.context[2].bias)
        self.seg = nn.Conv2d(hidden, (num_classes + 1) * SEG_SHUFFLE * SEG_SHUFFLE, 1)
        self.det = nn.Conv2d(hidden, (num_classes + 4) * 4, 1)
        nn.init.constant_(self.det.bias, 0.0)
        with torch.no_grad():  # CenterNet prior: heatmap starts near 0.01
            b = self.det.bias.view(num_classes + 4, 4)
            b[:num_classes] = -4.6

    def forward(self, features):
        h = self.reduce(features)
        if self.context is not None:
            h = F.relu(h + self.context(h))
        seg = F.pixel_shuffle(self.seg(h), SEG_SHUFFLE)
        det = F.pixel_shuffle(self.det(h), 2)
        c = self.num_classes
        return seg, det[:, :c], det[:, c:c + 2], det[:, c + 2:c + 4]


def upsample_seg(seg_logits, height, width):
    return F.interpolate(seg_logits, size=(height, width), mode='bilinear', align_corners=False)


def count_macs(model, *inputs):
    """Multiply-accumulates of convs (the bulk of the cost), counted with forward hooks."""
    total = [0]

    def hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1] * (mod.in_channels // mod.groups)
        total[0] += out.numel() // out.shape[0] * k

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model(*inputs)
    for h in handles:
        h.remove()
    return total[0]
