"""Shared helpers of the distillation reference scripts.

Each method's module (kd.py, gird.py, ...) defines `cases()`, yielding
`Case` objects: named inputs (the student's tensors record gradients), the
method's own module weights under their PyTorch names, the loss computed by
the method's published PyTorch formulation, and extra outputs. `write` saves
every case as .npy files under Tests/GirdDistillTests/Fixtures/<method>/<case>/:

    input.<name>.npy        every input (student_*, teacher_*, labels, ...)
    weight.<name>.npy       a module parameter or buffer, PyTorch state_dict name
    loss.npy                the scalar loss
    grad.<name>.npy         d loss / d input, for every input that requires grad
    output.<name>.npy       anything else the Swift test checks
    config.json             the method's hyper-parameters for this case
"""
import json
import os
import shutil

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "Tests", "GirdDistillTests", "Fixtures")


def seeded(seed):
    """A generator for reproducible inputs (values only; Swift reads them from the files)."""
    return torch.Generator().manual_seed(seed)


def randn(generator, *shape, scale=1.0):
    return (torch.randn(*shape, generator=generator, dtype=torch.float64) * scale).float()


class Case:
    def __init__(self, method, name, config=None):
        self.method, self.name = method, name
        self.config = config or {}
        self.inputs, self.weights, self.outputs = {}, {}, {}

    def input(self, name, tensor, grad=False):
        """Registers an input; returns the tensor to compute with (a leaf with
        grad if asked). Values are rounded to float32, which Swift reads, and
        the reference computes in float64 so that it is the exact answer for
        those values."""
        leaf = tensor.detach().float().double().requires_grad_(grad) if tensor.is_floating_point() \
            else tensor.detach().clone()
        self.inputs[name] = leaf
        return leaf

    def weight(self, name, tensor):
        self.weights[name] = tensor.detach().clone()

    def module(self, prefix, module):
        """Rounds `module`'s parameters to float32 values (kept in float64 for
        the computation) and records them under `prefix` + state_dict name."""
        with torch.no_grad():
            for value in module.state_dict().values():
                if value.is_floating_point():
                    value.copy_(value.float().double())
        for key, value in module.state_dict().items():
            self.weight(prefix + key, value)

    def finish(self, loss, **outputs):
        """Runs backward from `loss` and keeps the outputs."""
        self.loss = loss.detach()
        if any(t.requires_grad for t in self.inputs.values()):
            loss.backward()
        for key, value in outputs.items():
            self.outputs[key] = value.detach() if torch.is_tensor(value) else torch.tensor(value)
        return self


def _save(path, tensor):
    array = tensor.detach().cpu().numpy()
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    np.save(path, array)


def write(cases):
    for case in cases:
        directory = os.path.join(FIXTURES, case.method, case.name)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for name, tensor in case.inputs.items():
            _save(os.path.join(directory, f"input.{name}.npy"), tensor)
            if tensor.grad is not None:
                _save(os.path.join(directory, f"grad.{name}.npy"), tensor.grad)
        for name, tensor in case.weights.items():
            _save(os.path.join(directory, f"weight.{name}.npy"), tensor)
        for name, tensor in case.outputs.items():
            _save(os.path.join(directory, f"output.{name}.npy"), tensor)
        _save(os.path.join(directory, "loss.npy"), case.loss)
        with open(os.path.join(directory, "config.json"), "w") as f:
            json.dump(case.config, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"{case.method}/{case.name}: loss {case.loss.item():.6g}")
