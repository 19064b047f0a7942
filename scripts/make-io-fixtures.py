#!/usr/bin/python3
"""Writes the reference weight files GIRD's reader tests assert against.

Run by developers, not CI, with Debian's NumPy and PyTorch:

    /usr/bin/python3 scripts/make-io-fixtures.py

It rewrites Tests/GirdTensorTests/Fixtures/*.npy and *.safetensors (a few KB
in all; commit them). The .npy files come from numpy.save itself. Debian has
no python3-safetensors, so the .safetensors files come from
scripts/gird_safetensors.py, written from the format's specification
(huggingface/safetensors README): the values are PyTorch tensors' own bytes,
and the layout is the reference writer's (data sorted by alignment then name,
header padded with spaces to 8 bytes, `__metadata__` first).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gird_safetensors import save as save_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "GirdTensorTests", "Fixtures")


def npy(name, array, version=None):
    path = os.path.join(FIXTURES, name)
    if version is None:
        np.save(path, array)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, array, version=version)


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    f32 = np.array([[-1.5, 0.0, 0.25], [3.0, 2.0 ** -10, -7.125]], dtype=np.float32)
    npy("float32_2x3.npy", f32)
    npy("float64_4.npy", np.array([0.1, -2.5, 1e300, 1.0 / 3.0], dtype=np.float64))
    npy("int64_2x2.npy", np.array([[-3, 0], [7, 2 ** 40]], dtype=np.int64))
    npy("float32_scalar.npy", np.array(3.25, dtype=np.float32))
    npy("float32_0x3.npy", np.zeros((0, 3), dtype=np.float32))
    npy("int32_3.npy", np.array([-2 ** 31, 0, 2 ** 31 - 1], dtype=np.int32))
    npy("uint8_4.npy", np.array([0, 1, 128, 255], dtype=np.uint8))
    npy("bool_3.npy", np.array([True, False, True]))
    npy("float16_3.npy", np.array([0.5, -2.0, 65504.0], dtype=np.float16))
    npy("float32_v2.npy", f32, version=(2, 0))
    npy("float32_v3.npy", f32, version=(3, 0))
    npy("fortran_2x3.npy", np.asfortranarray(f32))
    npy("bigendian_float32_2.npy", np.array([1.0, 2.0], dtype=">f4"))

    # A small PyTorch network's state_dict with values a test can predict:
    # each float tensor holds arange(numel) * 0.25 - 1 in its shape.
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, bias=False), torch.nn.BatchNorm2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(2, 3))
    state = model.state_dict()
    with torch.no_grad():
        for name, tensor in state.items():
            if tensor.dtype == torch.float32:
                tensor.copy_(torch.arange(tensor.numel(), dtype=torch.float32).reshape(tensor.shape) * 0.25 - 1)
        state["1.num_batches_tracked"].fill_(7)
    save_safetensors(state, os.path.join(FIXTURES, "torch_sequential.safetensors"),
                     metadata={"format": "pt", "made_by": "scripts/make-io-fixtures.py"})

    save_safetensors({
        "f64": torch.tensor([0.1, -2.5], dtype=torch.float64),
        "f16": torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -0.15625, 2.0 ** 100], dtype=torch.bfloat16),
        "i32": torch.tensor([[-7], [2 ** 31 - 1]], dtype=torch.int32),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False]),
        "i64": torch.tensor([-(2 ** 62), 5], dtype=torch.int64),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
    }, os.path.join(FIXTURES, "dtypes.safetensors"))


if __name__ == "__main__":
    main()
