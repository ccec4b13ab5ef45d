"""The lrpseg 3D U-Net (Tjoa et al.) as a PyTorch nn.Module, and a loader for
lrpseg checkpoint directories. State-dict names equal lrpseg's, so weights move
both ways: `lrpseg_unet.load(DIR)` reads a checkpoint lrpseg wrote, and
`torch.save(net.state_dict(), "unet.pt")` is read by `lrpseg import`.

The forward pass is lrpseg's (src/model/unet.cpp): max pooling 2x2x2 with
ceil_mode, transposed 2x2x2 up-convolutions, the upsampled map cropped to the
skip's size with the offset (from - to) // 2 per axis, then concatenated after
the skip; the head is a 1x1x1 convolution, BatchNorm and ReLU.
"""
import json
import os

import torch
from torch import nn
import torch.nn.functional as F

LEAKY_SLOPE = 0.2


class Block(nn.Module):
    """conv1 -> bn1 -> LeakyReLU(0.2) -> conv2 -> bn2 -> LeakyReLU(0.2)."""

    def __init__(self, cin, cmid, cout):
        super().__init__()
        self.conv1 = nn.Conv3d(cin, cmid, 3, padding=1)
        self.conv2 = nn.Conv3d(cmid, cout, 3, padding=1)
        self.bn1 = nn.BatchNorm3d(cmid)
        self.bn2 = nn.BatchNorm3d(cout)

    def forward(self, x):
        x = F.leaky_relu(self.bn1(self.conv1(x)), LEAKY_SLOPE)
        return F.leaky_relu(self.bn2(self.conv2(x)), LEAKY_SLOPE)


def crop_to(x, like):
    """The centre of x at like's spatial size (offset (from - to) // 2)."""
    for axis in (2, 3, 4):
        offset = (x.shape[axis] - like.shape[axis]) // 2
        x = x.narrow(axis, offset, like.shape[axis])
    return x


class UNet3D(nn.Module):
    def __init__(self, width=32, in_channels=6, classes=2):
        super().__init__()
        w = width
        self.b1 = Block(in_channels, w, 2 * w)
        self.b2 = Block(2 * w, 2 * w, 4 * w)
        self.b3 = Block(4 * w, 4 * w, 8 * w)
        self.b4 = Block(8 * w, 8 * w, 16 * w)
        self.up1 = nn.ConvTranspose3d(16 * w, 16 * w, 2, stride=2, bias=False)
        self.b5 = Block(24 * w, 8 * w, 8 * w)
        self.up2 = nn.ConvTranspose3d(8 * w, 8 * w, 2, stride=2, bias=False)
        self.b6 = Block(12 * w, 4 * w, 4 * w)
        self.up3 = nn.ConvTranspose3d(4 * w, 4 * w, 2, stride=2, bias=False)
        self.b7 = Block(6 * w, 2 * w, 2 * w)
        self.head_conv = nn.Conv3d(2 * w, classes, 1)
        self.head_bn = nn.BatchNorm3d(classes)

    def forward(self, x):
        def pool(t):
            return F.max_pool3d(t, 2, 2, ceil_mode=True)

        h1 = self.b1(x)
        h2 = self.b2(pool(h1))
        h3 = self.b3(pool(h2))
        h4 = self.b4(pool(h3))
        d = self.b5(torch.cat([h3, crop_to(self.up1(h4), h3)], 1))
        d = self.b6(torch.cat([h2, crop_to(self.up2(d), h2)], 1))
        d = self.b7(torch.cat([h1, crop_to(self.up3(d), h1)], 1))
        return F.relu(self.head_bn(self.head_conv(d)))  # (N, classes, D, H, W)


def load(directory):
    """The network of an lrpseg checkpoint directory, in eval mode."""
    with open(os.path.join(directory, "model.json")) as f:
        architecture = json.load(f)["architecture"]
    net = UNet3D(architecture["width"], architecture["in_channels"], architecture["classes"])
    state = torch.load(os.path.join(directory, "model.pt"), weights_only=True)
    net.load_state_dict(state)
    return net.eval()
