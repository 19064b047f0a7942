#!/usr/bin/env python3
"""Checks an ONNX file the engine exported with ONNX's own tools, and runs
it: onnx.checker (full check, with shape inference), then onnxruntime on
an input .npy, writing the output .npy. The tests compare that output with
the engine's; a user can run it on any exported model.

    python3 scripts/onnx-check.py MODEL.onnx INPUT.npy OUTPUT.npy
Prints the opset, the input and output names and shapes as JSON."""
import json
import sys

import numpy
import onnx
import onnxruntime


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: onnx-check.py MODEL.onnx INPUT.npy OUTPUT.npy")
    model_path, input_path, output_path = sys.argv[1:]
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    (inputs,), (outputs,) = session.get_inputs(), session.get_outputs()
    result = session.run([outputs.name], {inputs.name: numpy.load(input_path)})[0]
    numpy.save(output_path, result)
    json.dump({"opset": model.opset_import[0].version, "input": [inputs.name, inputs.shape],
               "output": [outputs.name, outputs.shape], "nodes": sorted({n.op_type for n in model.graph.node})}, sys.stdout)


if __name__ == "__main__":
    main()
