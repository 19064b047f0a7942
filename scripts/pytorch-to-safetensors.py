#!/usr/bin/python3
"""Converts a PyTorch checkpoint (what torch.save wrote, .pt/.pth) into a
safetensors file that GIRD's `Module.loadWeights(contentsOf:)` reads:

    /usr/bin/python3 scripts/pytorch-to-safetensors.py teacher.pth teacher.safetensors [--key model] [--trust]

The state_dict is found in the usual places: the checkpoint itself, a pickled
nn.Module, or the entry under --key or one of state_dict, model,
model_state_dict, net, network, module (RepDistiller saves
{'model': state_dict, 'epoch': ...}). nn.DataParallel's 'module.' prefix is
removed. Tensors keep their dtype (GIRD reads F32/F64/F16/BF16 as float32 and
integer types as int64).

torch.load runs arbitrary code from a pickle, so the checkpoint is first read
with weights_only=True (tensors, dicts, numbers only); a checkpoint holding a
whole pickled model needs --trust, only for files you made yourself.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gird_safetensors  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("output")
    parser.add_argument("--key", help="the checkpoint entry that holds the state_dict")
    parser.add_argument("--trust", action="store_true", help="unpickle arbitrary objects (runs the file's code)")
    args = parser.parse_args()

    try:
        checkpoint = torch.load(args.checkpoint, map_location="cpu", weights_only=not args.trust)
    except Exception as error:  # weights_only refuses pickled classes with an UnpicklingError
        sys.exit(f"{args.checkpoint}: cannot read it with weights_only=True ({error}); "
                 "if you made this file yourself, add --trust")
    try:
        state = gird_safetensors.state_dict_from_checkpoint(checkpoint, args.key)
    except ValueError as error:
        sys.exit(f"{args.checkpoint}: {error}")
    gird_safetensors.save(state, args.output,
                          metadata={"format": "pt", "converted_from": os.path.basename(args.checkpoint)})
    values = sum(t.numel() for t in state.values())
    print(f"{args.output}: {len(state)} tensors, {values} values")


if __name__ == "__main__":
    main()
