#!/usr/bin/python3
"""Checks that PyTorch accepts the weights GIRD writes. Developers run it, not CI:

    GIRD_EXPORT_DIR=/tmp/gird-export swift test --filter ModuleWeightsTests/testExportForPyTorch
    /usr/bin/python3 scripts/check-weights-in-pytorch.py /tmp/gird-export

The Swift test writes a resnet8 (10 classes, batch norm statistics moved by one
training step) as `resnet8.safetensors`, an input batch as `input.npy` and
GIRD's eval-mode logits for it as `logits.npy`. This script

1. reads the safetensors file with a reader written from the format's
   specification (Debian has no python3-safetensors) and checks its layout
   as the reference reader does (offsets tile the buffer, sizes match);
2. loads it into RepDistiller's resnet8 with `load_state_dict(strict=True)`,
   which fails on any missing, unexpected or mis-shaped key or wrong dtype;
3. runs the input through the PyTorch model in eval mode and compares the
   logits with GIRD's.

The ResNet below follows RepDistiller's models/resnet.py (the definitions GIRD's
zoo names its parameters after); once the fixtures' PyTorch model definitions
are merged, import them from there instead.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length].decode("utf-8"))
    assert data[8:9] == b"{", "the header starts with '{'"
    assert (8 + length) % 8 == 0, "the data starts 8-byte aligned"
    buffer = data[8 + length:]
    metadata = header.pop("__metadata__", {})
    tensors, end = {}, 0
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        begin, stop = info["data_offsets"]
        assert begin == end, f"{name}: data does not follow the previous tensor's"
        dtype = DTYPES[info["dtype"]]
        count = int(np.prod(info["shape"], dtype=np.int64))
        assert stop - begin == count * torch.tensor([], dtype=dtype).element_size(), f"{name}: size"
        assert begin % torch.tensor([], dtype=dtype).element_size() == 0, f"{name}: aligned"
        raw = bytearray(buffer[begin:stop])
        tensors[name] = torch.frombuffer(raw, dtype=dtype).reshape(info["shape"]) if count else torch.zeros(info["shape"], dtype=dtype)
        end = stop
    assert end == len(buffer), "the tensors cover the buffer"
    return tensors, metadata


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


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp/gird-export"
    tensors, metadata = load_safetensors(os.path.join(directory, "resnet8.safetensors"))
    print(f"read {len(tensors)} tensors, metadata {metadata}")
    assert metadata.get("format") == "pt", "Hugging Face loaders expect format=pt"

    model = ResNet(8, [16, 16, 32, 64], num_classes=int(metadata.get("classes", 10)))
    expected = model.state_dict()
    for name, tensor in tensors.items():
        if name in expected and expected[name].dtype != tensor.dtype:
            sys.exit(f"{name}: {tensor.dtype} in the file, {expected[name].dtype} in PyTorch")
    model.load_state_dict(tensors, strict=True)
    print("load_state_dict(strict=True): every name, shape and dtype matches")

    logits_path = os.path.join(directory, "logits.npy")
    if os.path.exists(logits_path):
        model.eval()
        with torch.no_grad():
            ours = model(torch.from_numpy(np.load(os.path.join(directory, "input.npy"))))
        theirs = torch.from_numpy(np.load(logits_path))
        difference = (ours - theirs).abs().max().item()
        print(f"largest logit difference, PyTorch vs GIRD: {difference:.3g}")
        assert difference < 1e-4, "the logits differ"
    print("OK")


if __name__ == "__main__":
    main()
