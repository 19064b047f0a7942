#!/usr/bin/python3
"""Runs one weights file through GIRD and through PyTorch on the same images
and prints the largest logit difference (docs/pytorch-interop.md):

    /usr/bin/python3 scripts/compare-with-pytorch.py WEIGHTS MODEL [--images N] [--both-ways]

for example, from the project's root,

    /usr/bin/python3 scripts/compare-with-pytorch.py recipes/fmnist/teacher-resnet20.safetensors resnet20

WEIGHTS is a safetensors file GIRD wrote (save_weights, or a run directory's
best.safetensors / last.safetensors) and MODEL its zoo name. The number of
classes and of input channels are read from the file (the classifier's and
the first convolution's weights).

1. GIRD (`gird-repl -e`, one thread) loads the file, takes the first N
   Fashion-MNIST test images with `d.batch(...)` (1-channel models) or N
   seeded `randn` images (3-channel models), and saves the images and its
   logits as .npy files in a temporary folder.
2. For 1-channel models, this script rebuilds the same images from Debian's
   IDX file as a PyTorch user would (zero-pad 28x28 to 32x32, divide by 255,
   then (x - 0.2860) / 0.3530) and compares them with GIRD's.
3. PyTorch loads the file into the model of scripts/zoo_reference.py
   (RepDistiller's structure and state_dict names) with
   load_state_dict(strict=True), runs the images in eval mode and compares
   the logits with GIRD's.
4. With --both-ways, the PyTorch model is then saved as RepDistiller saves a
   checkpoint ({'model': state_dict, 'epoch': ...}), converted by
   scripts/pytorch-to-safetensors.py, loaded back into GIRD, and GIRD's
   logits for the same images are compared with PyTorch's.

Exit status 0 when every difference is at most 1e-4 relative to the largest
logit (the bound of Tests/GirdNNTests/PyTorchCrossCheckTests.swift), 1 otherwise.
"""
import argparse
import gzip
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(SCRIPTS)
sys.path.insert(0, SCRIPTS)
import gird_safetensors  # noqa: E402
import zoo_reference  # noqa: E402

FASHION_MNIST_TEST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530  # Sources/GirdData/Dataset.swift
TOLERANCE = 1e-4


def gird(code, binary):
    """Runs recipe code with gird-repl from the project's root, on one thread."""
    result = subprocess.run([binary, "--threads", "1", "-e", code], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("gird-repl failed:\n" + result.stderr)
    return result.stdout


def shapes_from_file(tensors, name):
    """(classes, in_channels) of the weights, read against the zoo's module structure."""
    probe = zoo_reference.ZOO[name](10)
    modules = list(probe.named_modules())
    first_conv = next(n for n, m in modules if isinstance(m, nn.Conv2d))
    classifier = [n for n, m in modules if isinstance(m, nn.Linear)][-1]
    return tensors[classifier + ".weight"].shape[0], tensors[first_conv + ".weight"].shape[1]


def pytorch_model(name, classes, in_channels):
    """zoo_reference's network; its stem takes 3 channels, as RepDistiller's
    do, so a grey-image model gets its first convolution rebuilt with
    in_channels (the names and the other shapes stay)."""
    model = zoo_reference.ZOO[name](classes)
    if in_channels != 3:
        path, conv = next((n, m) for n, m in model.named_modules() if isinstance(m, nn.Conv2d))
        parent = model.get_submodule(path.rpartition(".")[0]) if "." in path else model
        setattr(parent, path.rpartition(".")[2], nn.Conv2d(
            in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride, padding=conv.padding,
            groups=conv.groups, bias=conv.bias is not None))
    return model


def fashion_mnist_test_images(count):
    """The first `count` test images as GIRD serves them, built from the IDX file."""
    with gzip.open(FASHION_MNIST_TEST, "rb") as f:
        data = f.read()
    assert int.from_bytes(data[0:4], "big") == 0x803, "an IDX file of unsigned-byte images"
    rows, columns = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)[:count * rows * columns]
    images = torch.from_numpy(pixels.reshape(count, 1, rows, columns).astype(np.float32))
    images = nn.functional.pad(images, (2, 2, 2, 2))            # zeros, before normalisation
    return (images / 255 - FASHION_MNIST_MEAN) / FASHION_MNIST_STD


def relative(a, b):
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-7)).item()


def report(what, ours, theirs):
    absolute, rel = (ours - theirs).abs().max().item(), relative(ours, theirs)
    print("%-48s max |diff| %.3g (%.3g of the largest value)" % (what, absolute, rel))
    return rel <= TOLERANCE


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", help="a safetensors file GIRD wrote")
    parser.add_argument("model", help="its zoo name: resnet8, resnet20, wrn_16_2, ...")
    parser.add_argument("--images", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--both-ways", action="store_true",
                        help="also save the PyTorch model as a .pth, convert it and load it back into GIRD")
    parser.add_argument("--gird-repl", default=os.path.join(ROOT, ".build", "release", "gird-repl"),
                        help="the gird-repl binary (default: .build/release/gird-repl)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.model not in zoo_reference.ZOO:
        parser.error("unknown model %r; known: %s" % (args.model, ", ".join(zoo_reference.ZOO)))

    weights = os.path.abspath(args.weights)
    tensors, _ = gird_safetensors.load(weights)
    classes, in_channels = shapes_from_file(tensors, args.model)
    print("%s: %s, %d classes, %d input channel(s), %d tensors"
          % (args.weights, args.model, classes, in_channels, len(tensors)))

    ok = True
    with tempfile.TemporaryDirectory() as folder:
        images_path, logits_path = os.path.join(folder, "images.npy"), os.path.join(folder, "logits.npy")
        if in_channels == 1:
            images_code = 'fashion_mnist(split: "test").batch(range(%d)).images' % args.images
        else:
            images_code = "randn([%d, %d, 32, 32])" % (args.images, in_channels)
        gird('''seed(0)
let m = model("%s", classes: %d, in_channels: %d)
load_weights(m, "%s")
let x = %s
save_npy(x, "%s")
save_npy(m(x), "%s")''' % (args.model, classes, in_channels, weights, images_code, images_path, logits_path),
             args.gird_repl)
        images = torch.from_numpy(np.load(images_path))
        gird_logits = torch.from_numpy(np.load(logits_path))

        if in_channels == 1:
            ok &= report("images: GIRD's batch vs padded + normalised IDX", fashion_mnist_test_images(args.images), images)

        model = pytorch_model(args.model, classes, in_channels)
        model.load_state_dict(tensors, strict=True)
        model.eval()
        with torch.no_grad():
            torch_logits = model(images)
        ok &= report("logits: PyTorch vs GIRD (GIRD's weights)", torch_logits, gird_logits)
        print("predictions agree on %d of %d images"
              % ((torch_logits.argmax(1) == gird_logits.argmax(1)).sum().item(), args.images))

        if args.both_ways:
            checkpoint = os.path.join(folder, "from-pytorch.pth")
            converted = os.path.join(folder, "from-pytorch.safetensors")
            torch.save({"model": model.state_dict(), "epoch": 0}, checkpoint)
            subprocess.run([sys.executable, os.path.join(SCRIPTS, "pytorch-to-safetensors.py"), checkpoint, converted],
                           check=True, stdout=subprocess.DEVNULL)
            back_path = os.path.join(folder, "back.npy")
            gird('''let m = model("%s", classes: %d, in_channels: %d)
load_weights(m, "%s")
save_npy(m(load_npy("%s")), "%s")''' % (args.model, classes, in_channels, converted, images_path, back_path),
                 args.gird_repl)
            ok &= report("logits: GIRD (converted .pth) vs PyTorch", torch.from_numpy(np.load(back_path)), torch_logits)

    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
