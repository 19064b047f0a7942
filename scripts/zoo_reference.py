"""PyTorch references for GIRD's model zoo, and the fixtures its cross-check
tests read (Tests/GirdNNTests/Fixtures; run through scripts/make-zoo-fixtures).

The networks below are the CIFAR models of RepDistiller's `models/`
(github.com/HobbitLong/RepDistiller), written again here with the same module
structure, so that `state_dict()` has the same keys, shapes and order and a
checkpoint of either side loads into the other with `strict=True`. Each
forward records GIRD's named taps (`stem`, `stageK`, `stageK.preact`,
`embedding`; see Sources/GirdNN/Core/Network.swift) where RepDistiller's
`is_feat=True, preact=...` returns its feature lists; the correspondence is
spelled out per family in `tap` calls and in the fixtures' README.

Usage (Debian's python3-torch; scripts/make-zoo-fixtures finds the python):

    zoo_reference.py --out DIR [--models a,b] [--train c,d]   write fixtures
    zoo_reference.py --check-gird-weights FILE MODEL [--input X.npy --expect-logits Y.npy]
                                          load a file GIRD saved, compare logits
    zoo_reference.py --list                                    model names

The fixtures' references are computed in float64 from the float32 weights
and input, so that the tests measure GIRD's rounding alone, and each model's
input and batch-norm shifts are chosen so that float32 can meet them (see
`prepare_training_step` and `clear_relu_kinks`); what float32 PyTorch misses
by is measured and stored with them.

Safetensors are read and written here by hand (the format is small: an
8-byte little-endian header length, a JSON header, one byte buffer), so the
script needs nothing beyond torch and numpy.
"""
import argparse
import copy
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def tap(taps, name, tensor):
    """Keeps `tensor` under GIRD's tap `name` when the caller collects taps."""
    if taps is not None:
        taps[name] = tensor


# ---------------------------------------------------------------------------
# CIFAR ResNets (RepDistiller models/resnet.py): resnet8..110, resnet8x4/32x4
# ---------------------------------------------------------------------------

class ResidualBlock(nn.Module):
    """3x3 conv-BN-ReLU, 3x3 conv-BN, plus the input (or its 1x1 projection)."""

    def __init__(self, in_planes, planes, stride, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        branch = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        shortcut = x if self.downsample is None else self.downsample(x)
        preact = branch + shortcut
        return F.relu(preact), preact


class CifarResNet(nn.Module):
    def __init__(self, depth, widths, classes):
        super().__init__()
        assert (depth - 2) % 6 == 0
        blocks = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, widths[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU()
        in_planes = widths[0]
        for index, planes in enumerate(widths[1:]):
            stage = []
            for block in range(blocks):
                stride = 2 if index > 0 and block == 0 else 1
                downsample = None
                if stride != 1 or in_planes != planes:
                    downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                                               nn.BatchNorm2d(planes))
                stage.append(ResidualBlock(in_planes, planes, stride, downsample))
                in_planes = planes
            setattr(self, "layer%d" % (index + 1), nn.Sequential(*stage))
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(in_planes, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x, taps=None):
        x = self.relu(self.bn1(self.conv1(x)))
        tap(taps, "stem", x)
        for k, stage in enumerate([self.layer1, self.layer2, self.layer3], start=1):
            for block in stage:
                x, preact = block(x)
            tap(taps, "stage%d.preact" % k, preact)
            tap(taps, "stage%d" % k, x)
        x = self.avgpool(x).flatten(1)
        tap(taps, "embedding", x)
        return self.fc(x)


# ---------------------------------------------------------------------------
# ImageNet-style ResNets at CIFAR size (RepDistiller models/resnetv2.py)
# ---------------------------------------------------------------------------

class PlainBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = projection(in_planes, planes, stride)

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        preact = out + self.shortcut(x)
        return F.relu(preact), preact


class BottleneckBlock(nn.Module):
    expansion = 4

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.shortcut = projection(in_planes, planes * 4, stride)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        preact = self.bn3(self.conv3(out)) + self.shortcut(x)
        return F.relu(preact), preact


def projection(in_planes, out_planes, stride):
    """The identity (an empty Sequential: no state_dict entries) or 1x1 conv-BN."""
    if stride == 1 and in_planes == out_planes:
        return nn.Sequential()
    return nn.Sequential(nn.Conv2d(in_planes, out_planes, 1, stride=stride, bias=False),
                         nn.BatchNorm2d(out_planes))


class ImageNetStyleResNet(nn.Module):
    def __init__(self, block, counts, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        in_planes = 64
        for index, (planes, count) in enumerate(zip([64, 128, 256, 512], counts)):
            stage = []
            for i in range(count):
                stage.append(block(in_planes, planes, 2 if index > 0 and i == 0 else 1))
                in_planes = planes * block.expansion
            setattr(self, "layer%d" % (index + 1), nn.Sequential(*stage))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.linear = nn.Linear(in_planes, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x, taps=None):
        x = F.relu(self.bn1(self.conv1(x)))
        tap(taps, "stem", x)
        for k in range(1, 5):
            for block in getattr(self, "layer%d" % k):
                x, preact = block(x)
            tap(taps, "stage%d.preact" % k, preact)
            tap(taps, "stage%d" % k, x)
        x = self.avgpool(x).flatten(1)
        tap(taps, "embedding", x)
        return self.linear(x)


# ---------------------------------------------------------------------------
# Wide ResNets (RepDistiller models/wrn.py): pre-activation blocks
# ---------------------------------------------------------------------------

class WideBlock(nn.Module):
    def __init__(self, in_planes, out_planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(in_planes, out_planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_planes)
        self.relu2 = nn.ReLU()
        self.conv2 = nn.Conv2d(out_planes, out_planes, 3, stride=1, padding=1, bias=False)
        self.equal_in_out = in_planes == out_planes
        # Only registered when widths differ: RepDistiller's state_dict has no
        # convShortcut key for the identity blocks.
        if not self.equal_in_out:
            self.convShortcut = nn.Conv2d(in_planes, out_planes, 1, stride=stride, padding=0, bias=False)

    def forward(self, x):
        activated = self.relu1(self.bn1(x))
        out = self.conv2(self.relu2(self.bn2(self.conv1(activated))))
        # Where widths change, the projection reads the activated input;
        # otherwise the shortcut is the raw input, as in the original.
        shortcut = x if self.equal_in_out else self.convShortcut(activated)
        return shortcut + out


class WideStage(nn.Module):
    def __init__(self, count, in_planes, out_planes, stride):
        super().__init__()
        self.layer = nn.Sequential(*[WideBlock(in_planes if i == 0 else out_planes, out_planes,
                                               stride if i == 0 else 1) for i in range(count)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth, widen, classes):
        super().__init__()
        assert (depth - 4) % 6 == 0
        count = (depth - 4) // 6
        widths = [16, 16 * widen, 32 * widen, 64 * widen]
        self.conv1 = nn.Conv2d(3, widths[0], 3, stride=1, padding=1, bias=False)
        self.block1 = WideStage(count, widths[0], widths[1], 1)
        self.block2 = WideStage(count, widths[1], widths[2], 2)
        self.block3 = WideStage(count, widths[2], widths[3], 2)
        self.bn1 = nn.BatchNorm2d(widths[3])
        self.relu = nn.ReLU()
        self.fc = nn.Linear(widths[3], classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, 0, math.sqrt(2.0 / fan_out))
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, x, taps=None):
        # A pre-activation network: stage outputs are sums, not ReLU outputs.
        # RepDistiller's preact=True features are each stage's output after
        # the batch norm that opens the next stage (the last one: self.bn1),
        # i.e. just before the ReLU that follows; GIRD's `stageK.preact`.
        x = self.conv1(x)
        tap(taps, "stem", x)
        openers = [self.block2.layer[0].bn1, self.block3.layer[0].bn1, self.bn1]
        for k, (stage, opener) in enumerate(zip([self.block1, self.block2, self.block3], openers), start=1):
            x = stage(x)
            tap(taps, "stage%d" % k, x)
            if taps is not None:
                taps["stage%d.preact" % k] = opener(x)
        x = F.avg_pool2d(self.relu(self.bn1(x)), 8).flatten(1)
        tap(taps, "embedding", x)
        return self.fc(x)


# ---------------------------------------------------------------------------
# VGG with batch norm (RepDistiller models/vgg.py): vgg8/11/13/16/19
# ---------------------------------------------------------------------------

VGG_CONFIGS = {
    "vgg8": [[64], [128], [256], [512], [512]],
    "vgg11": [[64], [128], [256, 256], [512, 512], [512, 512]],
    "vgg13": [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
    "vgg16": [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
    "vgg19": [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]],
}


def vgg_block(widths, in_channels):
    """conv(bias)-BN-ReLU per width, without the last ReLU (the network applies
    it, so that the block's output is the pre-activation)."""
    layers = []
    for width in widths:
        layers += [nn.Conv2d(in_channels, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU()]
        in_channels = width
    return nn.Sequential(*layers[:-1])


class VGG(nn.Module):
    def __init__(self, config, classes):
        super().__init__()
        in_channels = 3
        for index, widths in enumerate(config):
            setattr(self, "block%d" % index, vgg_block(widths, in_channels))
            in_channels = widths[-1]
        for index in range(4):
            setattr(self, "pool%d" % index, nn.MaxPool2d(2, 2))
        self.pool4 = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Linear(512, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, 0, math.sqrt(2.0 / fan_out))
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x, taps=None):
        height = x.shape[2]
        x = F.relu(self.block0(x))
        tap(taps, "stem", x)
        for k in range(1, 5):
            # The 4th pooling only applies to 64x64 inputs, as in the original.
            if k < 4 or height == 64:
                x = getattr(self, "pool%d" % (k - 1))(x)
            preact = getattr(self, "block%d" % k)(x)
            x = F.relu(preact)
            tap(taps, "stage%d.preact" % k, preact)
            tap(taps, "stage%d" % k, x)
        x = self.pool4(x).flatten(1)
        tap(taps, "embedding", x)
        return self.classifier(x)


# ---------------------------------------------------------------------------
# MobileNetV2 (RepDistiller models/mobilenetv2.py): mobile_half, mobile_full
# ---------------------------------------------------------------------------

class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expansion):
        super().__init__()
        hidden = inp * expansion
        self.use_residual = stride == 1 and inp == oup
        # The expansion 1x1 is kept even when expansion is 1, as RepDistiller does.
        self.conv = nn.Sequential(
            nn.Conv2d(inp, hidden, 1, 1, 0, bias=False), nn.BatchNorm2d(hidden), nn.ReLU(),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden), nn.ReLU(),
            nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup))

    def forward(self, x):
        return x + self.conv(x) if self.use_residual else self.conv(x)


class MobileNetV2(nn.Module):
    # (expansion, channels, blocks, first stride); expansion None means T.
    SETTING = [(1, 16, 1, 1), (None, 24, 2, 1), (None, 32, 3, 2), (None, 64, 4, 2),
               (None, 96, 3, 1), (None, 160, 3, 2), (None, 320, 1, 1)]

    def __init__(self, expansion, width, classes):
        super().__init__()
        channels = int(32 * width)
        self.conv1 = nn.Sequential(nn.Conv2d(3, channels, 3, 2, 1, bias=False), nn.BatchNorm2d(channels), nn.ReLU())
        self.blocks = nn.ModuleList()
        for t, c, n, s in self.SETTING:
            out = int(c * width)
            layers = []
            for i in range(n):
                layers.append(InvertedResidual(channels, out, s if i == 0 else 1, expansion if t is None else t))
                channels = out
            self.blocks.append(nn.Sequential(*layers))
        last = int(1280 * width) if width > 1.0 else 1280
        self.conv2 = nn.Sequential(nn.Conv2d(channels, last, 1, 1, 0, bias=False), nn.BatchNorm2d(last), nn.ReLU())
        self.classifier = nn.Sequential(nn.Linear(last, classes))
        self.avgpool = nn.AvgPool2d(2, ceil_mode=True)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, 0, math.sqrt(2.0 / fan_out))
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x, taps=None):
        # RepDistiller's features are the outputs of block groups 1, 2, 4 and
        # 6 (16, 8, 4 and 2 pixels wide for a 32x32 input); its blocks end in
        # a linear bottleneck, so there is no preact variant.
        x = self.conv1(x)
        tap(taps, "stem", x)
        stage_ends = {1: "stage1", 2: "stage2", 4: "stage3", 6: "stage4"}
        for index, group in enumerate(self.blocks):
            x = group(x)
            if index in stage_ends:
                tap(taps, stage_ends[index], x)
        x = self.avgpool(self.conv2(x)).flatten(1)
        tap(taps, "embedding", x)
        return self.classifier(x)


# ---------------------------------------------------------------------------
# ShuffleNet v1 and v2 (RepDistiller models/ShuffleNetv1.py, ShuffleNetv2.py)
# ---------------------------------------------------------------------------

def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class ShuffleUnit(nn.Module):
    """ShuffleNet v1 unit: grouped 1x1, shuffle, depthwise 3x3, grouped 1x1;
    added to the input, or (stride 2) concatenated with its 3x3 average."""

    def __init__(self, in_planes, out_planes, stride, groups):
        super().__init__()
        self.stride = stride
        mid = out_planes // 4
        # The first unit reads the 24-channel stem, too few for groups.
        self.first_groups = 1 if in_planes == 24 else groups
        self.conv1 = nn.Conv2d(in_planes, mid, 1, groups=self.first_groups, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride=stride, padding=1, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, out_planes, 1, groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(out_planes)
        self.shortcut = nn.Sequential(nn.AvgPool2d(3, stride=2, padding=1)) if stride == 2 else nn.Sequential()

    def forward(self, x):
        out = channel_shuffle(F.relu(self.bn1(self.conv1(x))), self.first_groups)
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        shortcut = self.shortcut(x)
        preact = torch.cat([out, shortcut], 1) if self.stride == 2 else out + shortcut
        return F.relu(preact), preact


class ShuffleNetV1(nn.Module):
    def __init__(self, out_planes, counts, groups, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 24, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(24)
        in_planes = 24
        for index, (planes, count) in enumerate(zip(out_planes, counts)):
            units = []
            for i in range(count):
                # The stride-2 unit concatenates its input: it makes the rest.
                units.append(ShuffleUnit(in_planes, planes - (in_planes if i == 0 else 0), 2 if i == 0 else 1, groups))
                in_planes = planes
            setattr(self, "layer%d" % (index + 1), nn.Sequential(*units))
        self.linear = nn.Linear(in_planes, classes)

    def forward(self, x, taps=None):
        x = F.relu(self.bn1(self.conv1(x)))
        tap(taps, "stem", x)
        for k in range(1, 4):
            for unit in getattr(self, "layer%d" % k):
                x, preact = unit(x)
            tap(taps, "stage%d.preact" % k, preact)
            tap(taps, "stage%d" % k, x)
        x = F.avg_pool2d(x, 4).flatten(1)
        tap(taps, "embedding", x)
        return self.linear(x)


class SplitUnit(nn.Module):
    """ShuffleNet v2 basic unit: half the channels pass, the other half go
    through 1x1, depthwise 3x3, 1x1; concatenated, then shuffled."""

    def __init__(self, channels):
        super().__init__()
        half = channels // 2
        self.conv1 = nn.Conv2d(half, half, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(half)
        self.conv2 = nn.Conv2d(half, half, 3, stride=1, padding=1, groups=half, bias=False)
        self.bn2 = nn.BatchNorm2d(half)
        self.conv3 = nn.Conv2d(half, half, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(half)

    def forward(self, x):
        half = x.shape[1] // 2
        kept, processed = x[:, :half], x[:, half:]
        out = F.relu(self.bn1(self.conv1(processed)))
        out = self.bn2(self.conv2(out))
        branch = self.bn3(self.conv3(out))
        # RepDistiller's preact is the concatenation before the shuffle.
        preact = torch.cat([kept, branch], 1)
        return channel_shuffle(torch.cat([kept, F.relu(branch)], 1), 2), preact


class DownUnit(nn.Module):
    """ShuffleNet v2 stride-2 unit: two branches, concatenated, shuffled."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        mid = out_channels // 2
        self.conv1 = nn.Conv2d(in_channels, in_channels, 3, stride=2, padding=1, groups=in_channels, bias=False)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv2 = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(mid)
        self.conv4 = nn.Conv2d(mid, mid, 3, stride=2, padding=1, groups=mid, bias=False)
        self.bn4 = nn.BatchNorm2d(mid)
        self.conv5 = nn.Conv2d(mid, mid, 1, bias=False)
        self.bn5 = nn.BatchNorm2d(mid)

    def forward(self, x):
        left = F.relu(self.bn2(self.conv2(self.bn1(self.conv1(x)))))
        right = F.relu(self.bn3(self.conv3(x)))
        right = F.relu(self.bn5(self.conv5(self.bn4(self.conv4(right)))))
        out = channel_shuffle(torch.cat([left, right], 1), 2)
        return out, out


class ShuffleNetV2(nn.Module):
    def __init__(self, channels, counts, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 24, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(24)
        in_channels = 24
        for index, (out, count) in enumerate(zip(channels[:3], counts)):
            setattr(self, "layer%d" % (index + 1),
                    nn.Sequential(DownUnit(in_channels, out), *[SplitUnit(out) for _ in range(count)]))
            in_channels = out
        self.conv2 = nn.Conv2d(channels[2], channels[3], 1, stride=1, padding=0, bias=False)
        self.bn2 = nn.BatchNorm2d(channels[3])
        self.linear = nn.Linear(channels[3], classes)

    def forward(self, x, taps=None):
        x = F.relu(self.bn1(self.conv1(x)))
        tap(taps, "stem", x)
        for k in range(1, 4):
            for unit in getattr(self, "layer%d" % k):
                x, preact = unit(x)
            tap(taps, "stage%d.preact" % k, preact)
            tap(taps, "stage%d" % k, x)
        x = F.avg_pool2d(F.relu(self.bn2(self.conv2(x))), 4).flatten(1)
        tap(taps, "embedding", x)
        return self.linear(x)


# ---------------------------------------------------------------------------
# The zoo by RepDistiller's model_dict names
# ---------------------------------------------------------------------------

ZOO = {}
for _depth in [8, 14, 20, 32, 44, 56, 110]:
    ZOO["resnet%d" % _depth] = lambda classes, d=_depth: CifarResNet(d, [16, 16, 32, 64], classes)
ZOO["resnet8x4"] = lambda classes: CifarResNet(8, [32, 64, 128, 256], classes)
ZOO["resnet32x4"] = lambda classes: CifarResNet(32, [32, 64, 128, 256], classes)
ZOO["ResNet18"] = lambda classes: ImageNetStyleResNet(PlainBlock, [2, 2, 2, 2], classes)
ZOO["ResNet34"] = lambda classes: ImageNetStyleResNet(PlainBlock, [3, 4, 6, 3], classes)
ZOO["ResNet50"] = lambda classes: ImageNetStyleResNet(BottleneckBlock, [3, 4, 6, 3], classes)
for _depth, _widen in [(16, 1), (16, 2), (40, 1), (40, 2)]:
    ZOO["wrn_%d_%d" % (_depth, _widen)] = lambda classes, d=_depth, w=_widen: WideResNet(d, w, classes)
for _name, _config in VGG_CONFIGS.items():
    ZOO[_name] = lambda classes, c=_config: VGG(c, classes)
ZOO["mobile_half"] = lambda classes: MobileNetV2(6, 0.5, classes)
ZOO["mobile_full"] = lambda classes: MobileNetV2(6, 1.0, classes)
ZOO["MobileNetV2"] = ZOO["mobile_half"]  # GIRD's zoo also has mobile_half under this name (mdistiller's)
ZOO["ShuffleV1"] = lambda classes: ShuffleNetV1([240, 480, 960], [4, 8, 4], 3, classes)
ZOO["ShuffleV2"] = lambda classes: ShuffleNetV2([116, 232, 464, 1024], [3, 7, 3], classes)

# torchvision's ImageNet networks, as torchvision builds them (its own
# classes; scripts/torchvision_zoo.py adds the taps), on 64x64 inputs.
import torchvision_zoo  # noqa: E402  (beside this script)
ZOO.update(torchvision_zoo.ZOO)
INPUT_SHAPES = {name: torchvision_zoo.INPUT_SHAPE for name in torchvision_zoo.ZOO}


# ---------------------------------------------------------------------------
# Safetensors, by hand
# ---------------------------------------------------------------------------

DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.float16: "F16", torch.float64: "F64",
          torch.int32: "I32", torch.bfloat16: "BF16", torch.uint8: "U8"}


def write_safetensors(path, tensors, metadata=None):
    """`tensors` in the order given; stored 8-byte dtypes first so that every
    tensor starts on its own alignment (the buffer may not have holes)."""
    items = [(name, t.detach().contiguous().cpu()) for name, t in tensors.items()]
    items.sort(key=lambda item: -item[1].element_size())  # stable: keeps the given order within a size
    header, chunks, offset = {}, [], 0
    for name, t in items:
        data = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)  # the buffer starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def read_safetensors(path):
    """Name -> tensor, in the header's order; `__metadata__` is returned apart."""
    numpy_types = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64,
                   "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError("%s: too short for a safetensors file" % path)
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + length
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        if entry["dtype"] == "BF16":
            raw = np.frombuffer(blob[base + begin:base + end], dtype=np.int16).copy()
            tensor = torch.from_numpy(raw).view(torch.bfloat16).float()
        else:
            raw = np.frombuffer(blob[base + begin:base + end], dtype=numpy_types[entry["dtype"]]).copy()
            tensor = torch.from_numpy(raw)
        tensors[name] = tensor.reshape(entry["shape"])
    return tensors, metadata


def write_npy(path, tensor):
    # (np.ascontiguousarray would turn a 0-d loss into shape (1,).)
    np.save(path, tensor.detach().cpu().contiguous().numpy())


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------

CLASSES = 10
LABELS = [3, 7]
INPUT_SHAPE = (2, 3, 32, 32)

# Weights, the input batch, sample positions and projection signs all come
# from one counter-based hash that the Swift tests compute too
# (PyTorchFixtures.swift, `FixtureHash`), bit for bit: no weight file.
MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def fnv1a64(name):
    """FNV-1a, 64 bits, of the UTF-8 bytes of `name`."""
    h = 0xcbf29ce484222325
    for byte in name.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001b3) & MASK64
    return h


def hash_stream(name, count):
    """uint64[count]: splitmix64's finaliser of fnv1a64(name) + i * GOLDEN (mod 2^64)."""
    z = np.uint64(fnv1a64(name)) + np.arange(count, dtype=np.uint64) * np.uint64(GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def hash_uniform(name, count):
    """float32[count] in [0, 1): the top 24 bits over 2^24 (exact)."""
    return (hash_stream(name, count) >> np.uint64(40)).astype(np.float32) / np.float32(16777216)


def formula_tensor(key, shape, state_shapes):
    """The value of state_dict entry `key`, as float32 numpy (every step a
    correctly rounded float32 operation, so Swift gets the same bits):
    conv/linear weights v * sqrt(6 / fan_in) (He-uniform), their biases
    v / sqrt(fan_in); batch norm weight 1 + v/4, bias 0.2 v, running_mean
    0.1 v, running_var 1 + u/2; u = hash_uniform, v = 2u - 1."""
    prefix, _, leaf = key.rpartition(".")
    count = int(np.prod(shape, dtype=np.int64))
    u = hash_uniform(key, count)
    v = np.float32(2) * u - np.float32(1)
    batch_norm = (prefix + ".running_mean") in state_shapes
    if leaf == "running_mean":
        x = np.float32(0.1) * v
    elif leaf == "running_var":
        x = np.float32(1) + np.float32(0.5) * u
    elif batch_norm and leaf == "weight":
        x = np.float32(1) + np.float32(0.25) * v
    elif batch_norm and leaf == "bias":
        x = np.float32(0.2) * v
    elif leaf == "weight":
        fan_in = int(np.prod(shape[1:], dtype=np.int64))
        x = v * np.sqrt(np.float32(6) / np.float32(fan_in))
    elif leaf == "bias":
        fan_in = int(np.prod(state_shapes[prefix + ".weight"][1:], dtype=np.int64))
        x = v * (np.float32(1) / np.sqrt(np.float32(fan_in)))
    else:
        raise ValueError("no formula for state_dict key %r" % key)
    assert x.dtype == np.float32
    return x.reshape(shape)


def formula_state_dict(model):
    shapes = {k: tuple(t.shape) for k, t in model.state_dict().items()}
    result = {}
    for key, t in model.state_dict().items():
        if key.endswith("num_batches_tracked"):
            result[key] = torch.zeros_like(t)
        else:
            result[key] = torch.from_numpy(formula_tensor(key, shapes[key], shapes).copy())
    return result


def input_shape(model_name):
    """The fixture batch's shape: [2, 3, 32, 32], or the model's own (torchvision's networks: 64x64)."""
    return INPUT_SHAPES.get(model_name, INPUT_SHAPE)


def formula_input(name="input", shape=INPUT_SHAPE):
    return torch.from_numpy((np.float32(2) * hash_uniform(name, int(np.prod(shape))) - np.float32(1))
                            .reshape(shape).copy())


def build(name):
    """The fixture's network: RepDistiller's module structure, every entry of
    its state_dict from the formula (num_batches_tracked 0)."""
    model = ZOO[name](CLASSES)
    model.load_state_dict(formula_state_dict(model), strict=True)
    model.eval()
    return model


def fixed_input(model_name):
    """The batch --check-gird-weights runs when given no --input."""
    return formula_input("input", input_shape(model_name))


def run(model, x, with_training):
    """Everything the fixtures hold, computed by `model` (float32 or float64):
    eval-mode taps and logits; then one training-mode forward, the loss,
    every parameter's gradient, and the buffers after it."""
    results = {}
    model.eval()
    taps = {}
    with torch.no_grad():
        taps["logits"] = model(x, taps)
    results["eval"] = taps
    if with_training:
        model.train()
        model.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits, torch.tensor(LABELS))
        loss.backward()
        results["train"] = {"logits": logits.detach(), "loss": loss.detach()}
        results["gradients"] = {n: p.grad for n, p in model.named_parameters()}
        results["buffers"] = {n: b.clone() for n, b in model.named_buffers()}
    return results


def discrepancy(actual, reference, scale=None):
    """The tests' measure (PyTorchFixtures.swift): max |a - b| over max |b|;
    a gradient that is zero by construction (max |b| at most 1e-6 of the
    model's largest gradient, `scale`) is measured against `scale` instead."""
    magnitude = reference.abs().max().item()
    if scale is not None and magnitude <= 1e-6 * scale:
        magnitude = scale
    return (actual.double() - reference.double()).abs().max().item() / max(magnitude, 1e-7)


def float32_engines(model, x, with_training):
    """Two float32 evaluations that round differently (oneDNN's NCHW and
    channels-last kernels): stand-ins for any correct float32 engine."""
    nchw = run(copy.deepcopy(model), x, with_training)
    channels_last = run(copy.deepcopy(model).to(memory_format=torch.channels_last),
                        x.contiguous(memory_format=torch.channels_last), with_training)
    return [nchw, channels_last]


def trace_training_forward(model, x):
    """One training-mode forward of `model`, recording in order each batch
    norm's output (as (module, tensor)) and each ReLU's input (as (None,
    tensor)). Batch-norm running statistics move: pass a copy to keep them."""
    events = []
    hooks = [m.register_forward_hook(lambda m, _, out: events.append((m, out.detach())))
             for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    relu = F.relu

    def recording_relu(t, inplace=False):
        events.append((None, t.detach()))
        return relu(t)

    hardtanh = F.hardtanh

    def recording_hardtanh(t, min_val=-1.0, max_val=1.0, inplace=False):
        if min_val == 0:  # ReLU6: its kink at 0 (the one at 6 is never near)
            events.append((None, t.detach().clone()))
        return hardtanh(t, min_val, max_val)

    F.relu = recording_relu  # nn.ReLU calls F.relu too
    F.hardtanh = recording_hardtanh  # ... and nn.ReLU6 F.hardtanh
    try:
        model.train()
        with torch.no_grad():
            model(x)
    finally:
        F.relu = relu
        F.hardtanh = hardtanh
        for hook in hooks:
            hook.remove()
    return events


def clear_relu_kinks(model, x, safety=20, rounds=30):
    """Moves batch-norm shifts (beta) by a little so that in the training-mode
    forward on `x` no ReLU input lies within float32's rounding of zero.

    Such an input is passed by one float32 engine and blocked by another,
    and a batch norm downstream spreads that one element's gradient over a
    whole tensor's (up to 10% in ShuffleV1, whose float32 forward keeps only
    ~4.5 digits by its last stage and has ~100 ReLU inputs that close to zero
    on any input). For each ReLU, the margin is `safety` times float32's
    relative error there (float32 against float64, measured here) times the
    input's largest magnitude; every channel holding a value inside it gets
    the smallest shift of the batch norm feeding it (the last one before the
    ReLU: it adds to the ReLU's input directly, or through a residual sum)
    that clears the whole channel by twice the margin. Later layers move
    with it, so this repeats until nothing is left. Channels no batch norm
    feeds (ShuffleV1's concatenated average pool of a ReLU output) are
    non-negative in every engine and left alone. Exact zeros are harmless.
    Returns the number of shifts (the new betas are rounded to float32). Gives
    up, saying so, after `rounds` rounds."""
    work = copy.deepcopy(model).double()
    single = [t for m, t in trace_training_forward(copy.deepcopy(model), x) if m is None]
    double = [t for m, t in trace_training_forward(copy.deepcopy(work), x.double()) if m is None]
    margins = [max(1e-6, safety * ((a.double() - b).abs().max() / b.abs().max().clamp_min(1e-300)).item())
               for a, b in zip(single, double)]
    shifts = 0
    for _ in range(rounds):
        fixes, feeding, index = {}, None, 0
        for module, t in trace_training_forward(work, x.double()):
            if module is not None:
                feeding = (module, t.shape[1])
                continue
            margin = margins[index] * t.abs().max().item()
            index += 1
            near = (t != 0) & (t.abs() < margin)
            if not near.any() or feeding is None:
                continue
            batch_norm, fed_channels = feeding
            for c in near.any(0).flatten(1).any(1).nonzero().flatten().tolist():
                if c >= fed_channels:
                    continue
                values = t[:, c].flatten()
                values = values[values != 0]
                step = 1
                while True:  # 0.25, -0.5, 0.75, ... margins: the smallest shift that clears
                    delta = (step if step % 2 else -step) * 0.25 * margin
                    if ((values + delta).abs() >= 2 * margin).all():
                        break
                    step += 1
                fixes[(batch_norm, c)] = delta
        if not fixes:
            break
        with torch.no_grad():
            for (batch_norm, c), delta in fixes.items():
                batch_norm.bias[c] += delta
        shifts += len(fixes)
    else:
        # Deep networks (resnet110, ResNet50) converge slowly: each round's
        # shifts move later layers' inputs. What remains shows in the
        # measured float32 discrepancy, and so in the tests' bounds (1.4e-4
        # and 1.6e-4 for those two, against 4e-2 and 1e-1 with no clearing).
        print("%s ReLU kinks left after %d rounds (%d shifts made)" % (len(fixes), rounds, shifts), file=sys.stderr)
    with torch.no_grad():
        for mine, shifted in zip(model.modules(), work.modules()):
            if isinstance(mine, nn.BatchNorm2d):
                mine.bias.copy_(shifted.bias.float())
    return shifts


FULL_LIMIT = 1024   # tensors up to this many elements are stored whole
SAMPLES = 512       # otherwise: this many elements at hashed positions...
PROJECTIONS = 4     # ...and this many signed sums over every element


def sample_indices(name, count):
    return (hash_stream("sample:" + name, SAMPLES) % np.uint64(count)).astype(np.int64)


def projection_signs(name, j, count):
    """+1 or -1 per element: -1 where the hash's top bit is set."""
    return np.where(hash_stream("sign%d:%s" % (j, name), count) >> np.uint64(63), -1.0, 1.0)


def summary_of(name, tensor):
    """A large tensor's fingerprint, in float64: its PROJECTIONS signed sums
    sum_i s_i x_i, sum |x_i|, sqrt(sum x_i^2) and max |x_i|."""
    flat = tensor.detach().double().flatten().numpy()
    sums = [float(np.dot(projection_signs(name, j, flat.size), flat)) for j in range(PROJECTIONS)]
    return sums + [float(np.abs(flat).sum()), float(np.sqrt(np.dot(flat, flat))), float(np.abs(flat).max())]


def encode(name, key, reference, entries):
    """Puts the float64 `reference` of tensor `name` into `entries` under
    `key`: whole (float32) if small, else `key#samples` (float32 values at
    sample_indices), `key#sums` (summary_of as float32 (hi, lo) pairs:
    value = hi + lo to ~48 bits, as GIRD reads every float as float32) and
    `key#shape`."""
    flat = reference.detach().double().flatten()
    if flat.numel() <= FULL_LIMIT:
        entries[key] = reference.detach().float()
        return
    entries[key + "#samples"] = flat[torch.from_numpy(sample_indices(name, flat.numel()))].float()
    sums = np.array(summary_of(name, reference), dtype=np.float64)
    hi = sums.astype(np.float32)
    lo = (sums - hi.astype(np.float64)).astype(np.float32)
    entries[key + "#sums"] = torch.from_numpy(np.stack([hi, lo], axis=1).copy())
    entries[key + "#shape"] = torch.tensor(list(reference.shape), dtype=torch.int64)


def checked_discrepancy(name, actual, reference, scale=None):
    """What the tests measure for this tensor: `discrepancy` on every element
    (the tests see only the samples of a large tensor, so at most this), and
    for a large one also the projections' error over sqrt(sum x^2)."""
    elementwise = discrepancy(actual, reference, scale)
    if reference.numel() <= FULL_LIMIT:
        return elementwise
    mine, theirs = summary_of(name, actual), summary_of(name, reference)
    norm = theirs[PROJECTIONS + 1]
    if scale is not None and theirs[PROJECTIONS + 2] <= 1e-6 * scale:
        norm = scale * math.sqrt(reference.numel())
    projected = max(abs(a - b) for a, b in zip(mine[:PROJECTIONS], theirs[:PROJECTIONS])) / max(norm, 1e-7)
    return max(elementwise, projected)


def prepare_training_step(name, model, with_training, attempts=10):
    """The model's input batch, its float64 references, and how far float32
    lands from them (overall, and per gradient); moves `model`'s batch-norm
    shifts off ReLU kinks for that input (`clear_relu_kinks`).

    What is left is rounding, which the backward of a batch norm over few
    values amplifies (the last stages see 8 or 32 values per channel with 2
    images: mobile_half's gradients keep ~3.5 digits in float32). It depends
    on the input: of the first `attempts` inputs (the formula under the names
    "input", "input.1", ...) the one on which the two float32 evaluations
    stray least is taken (the first within 2.5e-5, a quarter of the tests'
    bound, ends the search)."""
    best = None
    pristine = copy.deepcopy(model)
    for attempt in range(attempts if with_training else 1):
        input_name = "input" if attempt == 0 else "input.%d" % attempt
        x = formula_input(input_name, input_shape(name))
        candidate = copy.deepcopy(pristine)
        shifts = clear_relu_kinks(candidate, x) if with_training else 0
        reference = run(copy.deepcopy(candidate).double(), x.double(), with_training)
        engines = float32_engines(candidate, x, with_training)
        noise = {"eval": max(checked_discrepancy(k, e["eval"][k], v) for e in engines for k, v in reference["eval"].items())}
        gradient_noise = {}
        if with_training:
            gradients = reference["gradients"]
            scale = max(g.abs().max().item() for g in gradients.values())
            gradient_noise = {n: max(checked_discrepancy(n, e["gradients"][n], g, scale) for e in engines)
                              for n, g in gradients.items()}
            noise["train"] = max(max(discrepancy(e["train"][k], v) for e in engines for k, v in reference["train"].items()),
                                 max(discrepancy(e["buffers"][n], b) for e in engines
                                     for n, b in reference["buffers"].items() if b.is_floating_point()))
            noise["gradients"] = max(gradient_noise.values())
        if best is None or max(noise.values()) < max(best[4].values()):
            best = (candidate, input_name, shifts, x, noise, gradient_noise, reference)
        if max(noise.values()) <= 2.5e-5:
            break
    candidate, input_name, shifts, x, noise, gradient_noise, reference = best
    model.load_state_dict(candidate.state_dict())
    return input_name, shifts, x, reference, noise, gradient_noise


def export(name, out_dir, with_training):
    """Writes the model's fixtures; returns its tap names and how far float32
    lands from the references (what no float32 engine can beat)."""
    model = build(name)
    # The references are computed in float64 from exactly the float32
    # weights and input (every float32 is a float64), then stored as float32:
    # the tests then measure GIRD's rounding alone, not PyTorch's as well.
    input_name, shifts, x, reference, noise, gradient_noise = prepare_training_step(name, model, with_training)
    directory = os.path.join(out_dir, name)
    os.makedirs(directory, exist_ok=True)
    formula = formula_state_dict(model)
    overrides = {k: t for k, t in model.state_dict().items() if not torch.equal(t, formula[k])}
    write_safetensors(os.path.join(directory, "overrides.safetensors"), overrides,
                      {"model": name, "classes": CLASSES, "input": input_name, "torch": torch.__version__,
                       "input_shape": json.dumps(list(input_shape(name))),
                       "made_by": "scripts/zoo_reference.py", "kink_shifts": shifts,
                       "what": "state_dict entries that differ from the formula (batch-norm shifts off ReLU kinks)"})
    entries = {}
    for tap_name, tensor in reference["eval"].items():
        encode(tap_name, tap_name, tensor, entries)
    write_safetensors(os.path.join(directory, "eval.safetensors"), entries,
                      {"what": "evaluation-mode logits and taps", "computed_in": "float64", "input": input_name})
    if with_training:
        entries = {"logits": reference["train"]["logits"].float(), "loss": reference["train"]["loss"].float()}
        for n, g in reference["gradients"].items():
            encode(n, "grad/" + n, g, entries)
        for n, b in reference["buffers"].items():
            entries["buffer/" + n] = b.float() if b.is_floating_point() else b
        # The tests bound each gradient by max(1e-4, 4 x this): float32's own
        # distance from the float64 result, measured in prepare_training_step.
        noise_text = json.dumps({n: float("%.2e" % v) for n, v in gradient_noise.items()}, separators=(",", ":"))
        write_safetensors(os.path.join(directory, "train.safetensors"), entries,
                          {"loss": "cross_entropy(logits, labels=%s), mean" % LABELS, "computed_in": "float64",
                           "input": input_name, "float32_discrepancy": noise_text,
                           # ... and the logits, loss and buffers by max(1e-4, 4 x this).
                           "float32_forward_discrepancy": "%.2e" % noise["train"]})
    return [k for k in reference["eval"] if k != "logits"], noise, input_name, shifts


def print_formula_samples():
    """Values the Swift tests hard-code (PyTorchFixtures' formula test), as bit patterns."""
    model = ZOO["resnet8"](CLASSES)
    shapes = {k: tuple(t.shape) for k, t in model.state_dict().items()}
    for key in ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                "layer3.0.downsample.0.weight", "fc.weight", "fc.bias"]:
        values = formula_tensor(key, shapes[key], shapes).flatten()
        picks = [0, 1, values.size - 1]
        print("(%r, [%s])," % (key, ", ".join("(%d, 0x%08x)" % (i, values[i:i + 1].view(np.uint32)[0]) for i in picks)))
    values = formula_input("input").numpy().flatten()
    print("('input', [%s])," % ", ".join("(%d, 0x%08x)" % (i, values[i:i + 1].view(np.uint32)[0]) for i in [0, 1, 6143]))
    print("sample:stage1 (count 100000): %s" % sample_indices("stage1", 100000)[:4].tolist())
    print("sign0:stage1: %s" % projection_signs("stage1", 0, 8).tolist())
    print("hash 'input' 0: 0x%016x" % hash_stream("input", 1)[0])


def check_gird_weights(path, name, expected_logits=None, input_path=None):
    tensors, metadata = read_safetensors(path)
    probe = ZOO[name](CLASSES)
    classifier = [n for n, m in probe.named_modules() if isinstance(m, nn.Linear)][-1]
    classes = tensors[classifier + ".weight"].shape[0] if classifier + ".weight" in tensors else CLASSES
    model = ZOO[name](classes)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    x = fixed_input(name) if input_path is None else torch.from_numpy(np.load(input_path)).float()
    with torch.no_grad():
        logits = model(x)
    parameters = sum(p.numel() for p in model.parameters())
    print("OK: %s loads into PyTorch's %s (%d classes) with strict=True: %d tensors, %d parameters"
          % (path, name, classes, len(tensors), parameters))
    if metadata:
        print("    metadata: %s" % json.dumps(metadata, sort_keys=True))
    print("    logits, row 0: %s" % " ".join("%.6g" % v for v in logits[0].tolist()))
    if expected_logits:
        # GIRD's logits for the same weights and input (NumPyFile.save): the
        # same relative measure as the Swift tests.
        theirs = torch.from_numpy(np.load(expected_logits)).float()
        relative = ((logits - theirs).abs().max() / theirs.abs().max().clamp_min(1e-7)).item()
        verdict = "OK" if relative <= 1e-4 else "MISMATCH"
        print("%s: PyTorch's logits vs %s: max |diff| / max |GIRD| = %.2e" % (verdict, expected_logits, relative))
        if verdict != "OK":
            sys.exit(1)


DEFAULT_MODELS = ["resnet8", "resnet8x4", "wrn_16_2", "mobile_half", "ShuffleV1", "ShuffleV2", "vgg8", "ResNet18",
                  "tv_resnet18", "tv_resnet34", "tv_resnet50", "tv_mobilenet_v2"]
DEFAULT_TRAIN = DEFAULT_MODELS


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="fixture directory to write")
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS), help="models to export (comma-separated)")
    parser.add_argument("--train", default=",".join(DEFAULT_TRAIN),
                        help="models that also get a training-mode step (comma-separated)")
    parser.add_argument("--print-formula-samples", action="store_true",
                        help="print values of the weight formula that the Swift tests hard-code")
    parser.add_argument("--check-gird-weights", nargs=2, metavar=("FILE", "MODEL"),
                        help="load a safetensors file written by GIRD into MODEL with strict=True")
    parser.add_argument("--expect-logits", metavar="NPY",
                        help="with --check-gird-weights: GIRD's logits for the input, to compare")
    parser.add_argument("--input", metavar="NPY",
                        help="with --check-gird-weights: the input batch (default: the fixtures' input)")
    parser.add_argument("--list", action="store_true", help="print the model names")
    args = parser.parse_args()
    torch.set_num_threads(1)  # results must not depend on the machine's threads

    if args.list:
        print("\n".join(ZOO))
        return
    if args.print_formula_samples:
        print_formula_samples()
        return
    if args.check_gird_weights:
        check_gird_weights(*args.check_gird_weights, expected_logits=args.expect_logits, input_path=args.input)
        return
    if not args.out:
        parser.error("nothing to do: give --out DIR, --check-gird-weights FILE MODEL or --list")
    models = [m for m in args.models.split(",") if m]
    training = set(m for m in args.train.split(",") if m)
    for name in models:
        if name not in ZOO:
            parser.error("unknown model %r" % name)
    os.makedirs(args.out, exist_ok=True)
    write_npy(os.path.join(args.out, "labels.npy"), torch.tensor(LABELS))
    for name in models:
        taps, conditioning, input_name, shifts = export(name, args.out, name in training)
        size = sum(os.path.getsize(os.path.join(root, f))
                   for root, _, files in os.walk(os.path.join(args.out, name)) for f in files)
        print("%-12s %8.1f KiB  input %s, %d batch-norm shifts off ReLU kinks\n"
              "             float32 (PyTorch) vs the float64 references: %s\n             taps: %s"
              % (name, size / 1024, input_name, shifts, ", ".join("%s %.1e" % kv for kv in conditioning.items()), ", ".join(taps)))


if __name__ == "__main__":
    main()
