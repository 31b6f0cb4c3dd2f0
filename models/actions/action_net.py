"""The small 3D CNN used for all three streams (RGB, flow, MARS): R(2+1)D-lite.

A full 3x3x3 stem (stride 2 in space, 1 in time: the first layer compares neighbouring frames at full
resolution, where a slow object moves about one pixel a frame), then 4 stages of (2+1)D residual blocks
(spatial 1x3x3 conv, temporal 3x1x1 conv), global average pool -> feature vector -> dropout -> FC.
MARS distils the flow stream into the RGB stream through that pooled feature vector.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTHS = (16, 24, 48, 96, 128)  # stem, stage 1..4; the pooled feature vector has WIDTHS[-1] values
RGB_DIFF_GAIN = 4.0  # frame differences are small next to the frames: scaled up so both start on a par


class Conv2Plus1D(nn.Sequential):
    """Spatial 1xkxk then temporal kx1x1 convolution, each with BN + ReLU (the last ReLU optional)."""

    def __init__(self, cin, cout, stride=(1, 1, 1), mid=None, last_relu=True):
        mid = mid or cout
        layers = [nn.Conv3d(cin, mid, (1, 3, 3), (1, stride[1], stride[2]), (0, 1, 1), bias=False), nn.BatchNorm3d(mid),
                  nn.ReLU(inplace=True),
                  nn.Conv3d(mid, cout, (3, 1, 1), (stride[0], 1, 1), (1, 0, 0), bias=False), nn.BatchNorm3d(cout)]
        if last_relu:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class Block(nn.Module):
    """Residual (2+1)D block; a strided 1x1x1 projection on the shortcut when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(Conv2Plus1D(cin, cout, stride), Conv2Plus1D(cout, cout, last_relu=False))
        self.short = None
        if cin != cout or stride != (1, 1, 1):
            self.short = nn.Sequential(nn.Conv3d(cin, cout, 1, stride, bias=False), nn.BatchNorm3d(cout))

    def forward(self, x):
        s = x if self.short is None else self.short(x)
        return F.relu(self.body(x) + s, inplace=True)


class ActionNet(nn.Module):
    """(N, in_channels, T, H, W) -> logits (N, num_classes); features(x) gives the pooled vector.

    compensate_camera (the flow stream): each flow field first has its own mean vector subtracted, as two-stream
    ConvNets do (Simonyan & Zisserman 2014). The world's camera pans, zooms and rolls by about as much as the objects
    move; without it the stream stayed at chance for 450 iterations (a 256-clip overfit test: 22 % vs 57 % after
    160 iterations). Being part of the graph, the exported flow stream takes the raw flow.

    rgb_difference (the RGB streams, RGB-only and MARS alike): the stem sees each frame and its difference to the
    next one (TSN's "RGB difference", Wang et al. 2016; the last frame's difference is zero), computed in the graph
    from the RGB clip. Without it the RGB stream was still at 24 % after 2000 iterations and MARS's feature loss
    did not move in 450; in the 256-clip overfit test, 33 % -> 86 % training accuracy after 160-175 iterations.
    """

    def __init__(self, in_channels, num_classes, widths=WIDTHS, dropout=0.3, compensate_camera=False,
                 rgb_difference=False):
        super().__init__()
        self.compensate_camera = compensate_camera
        self.rgb_difference = rgb_difference
        if rgb_difference:
            in_channels *= 2
        w0, w1, w2, w3, w4 = widths
        self.stem = nn.Sequential(nn.Conv3d(in_channels, w0, 3, (1, 2, 2), 1, bias=False), nn.BatchNorm3d(w0),
                                  nn.ReLU(inplace=True))
        self.stages = nn.Sequential(
            Block(w0, w1, (1, 2, 2)),  # T x H/4 x W/4
            Block(w1, w2, (2, 2, 2)),  # T/2 x H/8
            Block(w2, w3, (2, 2, 2)),  # T/4 x H/16
            Block(w3, w4, (1, 2, 2)),  # T/4 x H/32
        )
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(w4, num_classes)
        self.feature_dim = w4

    def features(self, x):
        if self.compensate_camera:
            x = x - x.mean(dim=(3, 4), keepdim=True)
        if self.rgb_difference:
            x = torch.cat([x, F.pad(x[:, :, 1:] - x[:, :, :-1], (0, 0, 0, 0, 0, 1)) * RGB_DIFF_GAIN], 1)
        return self.stages(self.stem(x)).mean(dim=(2, 3, 4))

    def forward(self, x):
        return self.fc(self.dropout(self.features(x)))


class MarsExport(nn.Module):
    """What action.onnx holds: the RGB (MARS) network, logits only."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, clip):
        return self.net(clip)


def macs(net, shape):
    """Multiply-accumulates of the conv and linear layers for one input of `shape` (no batch)."""
    total = 0

    def hook(m, inp, out):
        nonlocal total
        if isinstance(m, nn.Conv3d):
            k = m.kernel_size[0] * m.kernel_size[1] * m.kernel_size[2]
            total += out.numel() // out.shape[0] * (m.in_channels // m.groups) * k
        elif isinstance(m, nn.Linear):
            total += m.in_features * m.out_features

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (nn.Conv3d, nn.Linear))]
    with torch.no_grad():
        net.eval()(torch.zeros(1, *shape))
    for h in handles:
        h.remove()
    return total
