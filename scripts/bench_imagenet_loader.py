#!/usr/bin/python3
"""torchvision's side of scripts/bench-imagenet-loader.

    bench_imagenet_loader.py --make DIR [--images N]   writes DIR/train/<class>/*.JPEG
    bench_imagenet_loader.py DIR [--workers W]         times torchvision's DataLoader on them

The images are photo-like (a smooth random field plus grain, JPEG quality
90) at ImageNet's typical sizes (sides 300-500, mean about 400 x 350, about
100 KB each, as ILSVRC-2012's training photos), in 4 classes. The loader is
the standard ImageNet training pipeline of torchvision's reference scripts:
ImageFolder (PIL) + RandomResizedCrop(224) + RandomHorizontalFlip +
ToTensor + Normalize, batch 64, one process (num_workers=0) and one torch
thread, so that the figure is per thread; the median of 3 epochs after a
warm-up one.
"""
import argparse
import os
import statistics
import time

import numpy as np


def make(folder, count):
    from PIL import Image
    rng = np.random.default_rng(0)
    for k in range(count):
        width, height = int(rng.integers(300, 501)), int(rng.integers(250, 451))
        coarse = rng.normal(128, 50, size=(height // 16 + 2, width // 16 + 2, 3))
        field = np.asarray(Image.fromarray(np.clip(coarse, 0, 255).astype(np.uint8)).resize((width, height), Image.BICUBIC),
                           dtype=np.float64)
        pixels = np.clip(field + rng.normal(0, 10, size=field.shape), 0, 255).astype(np.uint8)
        path = os.path.join(folder, "train", "n%08d" % (k % 4), "img_%05d.JPEG" % k)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Image.fromarray(pixels).save(path, quality=90)


def bench(folder, workers):
    import torch
    import torchvision.datasets as datasets
    import torchvision.transforms as T
    torch.set_num_threads(1)
    transform = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor(),
                           T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    data = datasets.ImageFolder(os.path.join(folder, "train"), transform=transform)
    loader = torch.utils.data.DataLoader(data, batch_size=64, shuffle=True, num_workers=workers)
    seconds = []
    for epoch in range(4):
        start = time.perf_counter()
        for _ in loader:
            pass
        if epoch > 0:
            seconds.append(time.perf_counter() - start)
    rate = len(data) / statistics.median(seconds)
    print("torchvision\tworkers %d\t%.1f images/s\t(%.1f per process; %d images, median of 3 epochs)"
          % (workers, rate, rate / max(workers, 1), len(data)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--make", action="store_true")
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    if args.make:
        make(args.folder, args.images)
    else:
        bench(args.folder, args.workers)


if __name__ == "__main__":
    main()
