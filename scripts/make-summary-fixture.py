"""Writes Tests/GirdNNTests/Fixtures/summary.json: for every network of
scripts/zoo_reference.py (RepDistiller's CIFAR models, 100 classes, one
3x32x32 image), PyTorch's parameter count (`sum(p.numel())`, torchinfo's
"Total params") and multiply-accumulates counted as ptflops counts them for
convolutions and linear layers: output elements x input channels per group
x kernel area, and inputs x outputs. `ModelSummaryTests` checks GIRD's
`ModelSummary` against it.

    /usr/bin/python3 scripts/make-summary-fixture.py   (Debian's python3-torch)
"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo_reference  # noqa: E402


def count(model):
    macs = []

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            kernel = module.weight.shape  # [out, in / groups, kH, kW]
            macs.append(output.numel() * kernel[1] * kernel[2] * kernel[3])
        elif isinstance(module, nn.Linear):
            macs.append(output.numel() * module.in_features)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, 32, 32))
    for handle in handles:
        handle.remove()
    return {"params": sum(p.numel() for p in model.parameters()), "macs": sum(macs), "counted_layers": len(macs)}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "GirdNNTests", "Fixtures", "summary.json")
    table = {name: count(make(100)) for name, make in sorted(zoo_reference.ZOO.items())}
    with open(out, "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote %d models to %s" % (len(table), os.path.normpath(out)))


if __name__ == "__main__":
    main()
