#!/usr/bin/python3
"""The fixtures of GIRD's ImageNet transforms against torchvision's
(Tests/GirdDataTests/Fixtures/torchvision-transforms; read by
ImageNetTransformTests). A developer tool, never part of set-up or CI: it
needs Debian's python3-torchvision and python3-pil.

    /usr/bin/python3 scripts/make-transform-fixtures.py

Writes small images whose pixels come from a fixed formula (gradients,
stripes and a seeded noise, so that JPEG's rounding and the resize's
filter both matter): an RGB JPEG, an RGB PNG, a CMYK JPEG (as Photoshop
writes them: Adobe marker, inverted ink) and a grey JPEG. For each, what
PIL and torchvision make of it, as uint8 .npy:

    <name>.decoded.npy     PIL's decode, convert("RGB"): [H, W, 3]
    <name>.eval.npy        Resize(36) + CenterCrop(32): [3, 32, 32]
    <name>.stretch.npy     Resize((32, 32)), the re-ID pipelines' squeeze: [3, 32, 32]
    <name>.crop<k>.npy     F.resized_crop(img, top, left, h, w, [24, 24]) for
                           boxes.json's k-th box of the image: [3, 24, 24]

A rerun gives the same files (the formula is seeded; PIL's encoder is
deterministic).
"""
import json
import os

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "GirdDataTests", "Fixtures",
                   "torchvision-transforms")


def picture(width, height, seed):
    """uint8 [H, W, 3]: smooth gradients, diagonal stripes and seeded noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 255 * x / max(width - 1, 1)
    g = 255 * y / max(height - 1, 1)
    b = 127.5 + 100 * np.sin((x + 2 * y) / 3.0)
    rgb = np.stack([r, g, b], axis=-1) + rng.normal(0, 12, size=(height, width, 3))
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def main():
    os.makedirs(OUT, exist_ok=True)
    images = {
        "rgb.jpg": Image.fromarray(picture(97, 61, 1)),
        "rgb.png": Image.fromarray(picture(64, 80, 2)),
        "cmyk.jpg": Image.fromarray(picture(50, 70, 3)).convert("CMYK"),
        "grey.jpg": Image.fromarray(picture(45, 45, 4)).convert("L"),
    }
    boxes = {}
    for name, image in images.items():
        path = os.path.join(OUT, name)
        if name.endswith(".jpg"):
            image.save(path, quality=90)
        else:
            image.save(path)
        loaded = Image.open(path).convert("RGB")  # as torchvision's default_loader reads a file
        stem = name.replace(".", "-")
        np.save(os.path.join(OUT, stem + ".decoded.npy"), np.asarray(loaded))
        eval_transform = T.Compose([T.Resize(36), T.CenterCrop(32), T.PILToTensor()])
        np.save(os.path.join(OUT, stem + ".eval.npy"), eval_transform(loaded).numpy())
        stretch_transform = T.Compose([T.Resize((32, 32)), T.PILToTensor()])
        np.save(os.path.join(OUT, stem + ".stretch.npy"), stretch_transform(loaded).numpy())
        w, h = loaded.size
        # A box that shrinks, one that enlarges (a small box to 24x24) and a
        # thin one: the resize's filter in both directions.
        chosen = [(3, 5, h - 9, w - 11), (h // 3, w // 4, 10, 13), (0, 2, h, max(w // 3, 1))]
        boxes[stem] = [list(b) for b in chosen]
        for k, (top, left, bh, bw) in enumerate(chosen):
            crop = F.pil_to_tensor(F.resized_crop(loaded, top, left, bh, bw, [24, 24],
                                                  interpolation=T.InterpolationMode.BILINEAR))
            np.save(os.path.join(OUT, "%s.crop%d.npy" % (stem, k)), crop.numpy())
    with open(os.path.join(OUT, "boxes.json"), "w") as f:
        json.dump({"boxes": boxes, "torchvision": torchvision.__version__, "torch": torch.__version__,
                   "pil": Image.__version__}, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
