#!/usr/bin/python3
"""Checks that weights cross between GIRD and PyTorch both ways. Developers
run it, not CI:

    GIRD_EXPORT_DIR=/tmp/gird-export swift test --filter ModuleWeightsTests/testExportForPyTorch
    /usr/bin/python3 scripts/check-weights-in-pytorch.py /tmp/gird-export

GIRD to PyTorch: the first Swift test writes a resnet8 (10 classes, its batch
norm statistics moved by one training-mode forward pass) as
`resnet8.safetensors`, an input batch as `input.npy` and GIRD's eval-mode
logits for it as `logits.npy`. This script

1. reads the safetensors file with a reader written from the format's
   specification (Debian has no python3-safetensors) and checks its layout
   as the reference reader does (offsets tile the buffer, sizes match);
2. loads it into RepDistiller's resnet8 with `load_state_dict(strict=True)`,
   which fails on any missing, unexpected or mis-shaped key or wrong dtype;
3. runs the input through the PyTorch model in eval mode and compares the
   logits with GIRD's.

PyTorch to GIRD: the script then saves a PyTorch resnet8 (seed 0, one
training-mode forward pass for its batch norm statistics) as RepDistiller saves a teacher,
`torch.save({'model': DataParallel(model).state_dict(), 'epoch': 240}, ...)`,
converts it with scripts/pytorch-to-safetensors.py's code into
`from-pytorch/resnet8.safetensors`, and writes an input and PyTorch's logits
next to it. `ModuleWeightsTests.testImportFromPyTorch` runs the same check in
every test run on a committed PyTorch export (Tests/GirdNNTests/PyTorchExport).

The ResNet below follows RepDistiller's models/resnet.py (the definitions GIRD's
zoo names its parameters after); once the fixtures' PyTorch model definitions
are merged, import them from there instead.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gird_safetensors  # noqa: E402


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (self.downsample(x) if self.downsample is not None else x))


class ResNet(nn.Module):
    def __init__(self, depth, num_filters, num_classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.inplanes = num_filters[0]
        self.conv1 = nn.Conv2d(3, num_filters[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(num_filters[0])
        self.layer1 = self._make_layer(num_filters[1], n)
        self.layer2 = self._make_layer(num_filters[2], n, stride=2)
        self.layer3 = self._make_layer(num_filters[3], n, stride=2)
        self.fc = nn.Linear(num_filters[3], num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(F.avg_pool2d(x, 8).flatten(1))


def check_gird_to_pytorch(directory):
    tensors, metadata = gird_safetensors.load(os.path.join(directory, "resnet8.safetensors"))
    print(f"read {len(tensors)} tensors, metadata {metadata}")
    assert metadata.get("format") == "pt", "Hugging Face loaders expect format=pt"

    model = ResNet(8, [16, 16, 32, 64], num_classes=int(metadata.get("classes", 10)))
    expected = model.state_dict()
    # load_state_dict converts dtypes silently: check them first.
    for name, tensor in tensors.items():
        if name in expected and expected[name].dtype != tensor.dtype:
            sys.exit(f"{name}: {tensor.dtype} in the file, {expected[name].dtype} in PyTorch")
    model.load_state_dict(tensors, strict=True)
    print("load_state_dict(strict=True): every name, shape and dtype matches")

    model.eval()
    with torch.no_grad():
        ours = model(torch.from_numpy(np.load(os.path.join(directory, "input.npy"))))
    theirs = torch.from_numpy(np.load(os.path.join(directory, "logits.npy")))
    difference = (ours - theirs).abs().max().item()
    print(f"largest logit difference, PyTorch vs GIRD: {difference:.3g}")
    assert difference < 1e-4, "the logits differ"


def write_pytorch_to_gird(directory):
    folder = os.path.join(directory, "from-pytorch")
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    model = ResNet(8, [16, 16, 32, 64], num_classes=10)
    model(torch.rand(4, 3, 32, 32))  # training mode: moves the running statistics
    checkpoint = os.path.join(folder, "resnet8.pth")
    torch.save({"model": nn.DataParallel(model).state_dict(), "epoch": 240}, checkpoint)

    loaded = torch.load(checkpoint, map_location="cpu", weights_only=True)
    state = gird_safetensors.state_dict_from_checkpoint(loaded)
    gird_safetensors.save(state, os.path.join(folder, "resnet8.safetensors"),
                          metadata={"format": "pt", "converted_from": "resnet8.pth"})
    model.eval()
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        logits = model(x)
    np.save(os.path.join(folder, "input.npy"), x.numpy())
    np.save(os.path.join(folder, "logits.npy"), logits.numpy())
    print(f"wrote {folder}/resnet8.safetensors ({len(state)} tensors), input.npy, logits.npy")


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp/gird-export"
    check_gird_to_pytorch(directory)
    write_pytorch_to_gird(directory)
    print("OK")


if __name__ == "__main__":
    main()
