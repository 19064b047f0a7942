"""The safetensors format in a few lines of Python, for GIRD's developer scripts.

Debian has no python3-safetensors, so `save` and `load` are written from the
format's specification (huggingface/safetensors README) and follow the
reference writer's layout: `__metadata__` first, data sorted by alignment then
name (every tensor aligned to its element size), header padded with spaces so
the data starts 8-byte aligned. `load` checks what the reference reader checks.
"""
import json
import struct

import numpy as np
import torch

DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}
NAMES = {name: dtype for dtype, name in DTYPES.items()}


def tensor_bytes(tensor):
    tensor = tensor.detach().contiguous().cpu()
    if tensor.dtype == torch.bfloat16:  # NumPy has no bfloat16: take the raw 16-bit words
        tensor = tensor.view(torch.int16)
    array = tensor.numpy()
    return array.astype(array.dtype.newbyteorder("<")).tobytes()


def save(tensors, path, metadata=None):
    """Writes {name: tensor} with optional {str: str} metadata."""
    for name, tensor in tensors.items():
        if tensor.dtype not in DTYPES:
            raise ValueError(f"{name}: safetensors has no dtype for {tensor.dtype}")
    order = sorted(tensors, key=lambda name: (-tensors[name].element_size(), name))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in order:
        blob = tensor_bytes(tensors[name])
        header[name] = {"dtype": DTYPES[tensors[name].dtype], "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load(path):
    """Returns ({name: tensor}, metadata), checking the layout as the reference reader does."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    assert 8 + length <= len(data), "the header fits in the file"
    assert data[8:9] == b"{", "the header starts with '{'"
    header = json.loads(data[8:8 + length].decode("utf-8"))
    buffer = data[8 + length:]
    metadata = header.pop("__metadata__", {})
    tensors, end = {}, 0
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        begin, stop = info["data_offsets"]
        assert begin == end, f"{name}: its data does not start where the previous tensor's ends"
        dtype = NAMES[info["dtype"]]
        size = torch.tensor([], dtype=dtype).element_size()
        count = int(np.prod(info["shape"], dtype=np.int64))
        assert stop - begin == count * size, f"{name}: data_offsets disagree with dtype and shape"
        tensors[name] = (torch.frombuffer(bytearray(buffer[begin:stop]), dtype=dtype).reshape(info["shape"])
                         if count else torch.zeros(info["shape"], dtype=dtype))
        end = stop
    assert end == len(buffer), "the tensors cover the data buffer exactly"
    return tensors, metadata


STATE_DICT_KEYS = ("state_dict", "model", "model_state_dict", "net", "network", "module")


def is_state_dict(value):
    return isinstance(value, dict) and value and all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in value.items())


def state_dict_from_checkpoint(checkpoint, key=None):
    """The {name: tensor} inside what torch.load returned: the object itself,
    a module's state_dict(), or the entry under `key` (or a usual key:
    RepDistiller saves {'model': state_dict, 'epoch': ...}); without the
    'module.' prefix nn.DataParallel adds."""
    if isinstance(checkpoint, torch.nn.Module):
        checkpoint = checkpoint.state_dict()
    if not is_state_dict(checkpoint):
        keys = [key] if key else [k for k in STATE_DICT_KEYS if isinstance(checkpoint, dict) and k in checkpoint]
        found = None
        for candidate in keys:
            value = checkpoint[candidate]
            if isinstance(value, torch.nn.Module):
                value = value.state_dict()
            if is_state_dict(value):
                found = value
                break
        if found is None:
            what = sorted(checkpoint) if isinstance(checkpoint, dict) else type(checkpoint).__name__
            raise ValueError(f"no state_dict found in the checkpoint (it holds {what}); name its key with --key")
        checkpoint = found
    if all(name.startswith("module.") for name in checkpoint):
        checkpoint = {name[len("module."):]: tensor for name, tensor in checkpoint.items()}
    return dict(checkpoint)
