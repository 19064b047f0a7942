"""PyTorch's side of scripts/bench-vs-pytorch: the cases of gird-bench, by the
same names and sizes, timed the same way (best of N calls after a warm-up).

Prints tab-separated rows: name, milliseconds, GFLOP/s (or '-'), layout.
Each convolution and batch-norm case is timed in NCHW and in channels-last
memory format, and the faster is reported, as the engine notes do.
"""
import argparse
import resource
import time

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def best_ms(fn, repetitions):
    fn()
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - start) * 1e3)
    return best


def formats():
    return [(torch.contiguous_format, "NCHW"), (torch.channels_last, "channels-last")]


def conv_cases(batch):
    n, c, hw = batch, 64, 32
    flops = 2.0 * n * c * hw * hw * c * 9
    cases = []

    def forward(fmt):
        x = torch.randn(n, c, hw, hw).to(memory_format=fmt)
        w = torch.randn(c, c, 3, 3).to(memory_format=fmt)
        def run():
            with torch.no_grad():
                F.conv2d(x, w, padding=1)
        return run

    def backward(fmt, mask):
        x = torch.randn(n, c, hw, hw).to(memory_format=fmt)
        w = torch.randn(c, c, 3, 3).to(memory_format=fmt)
        g = torch.randn(n, c, hw, hw).to(memory_format=fmt)
        def run():
            torch.ops.aten.convolution_backward(
                g, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, mask)
        return run

    cases.append(("conv3x3 64->64 fwd", flops, forward))
    cases.append(("conv3x3 64->64 bwd-data", flops, lambda fmt: backward(fmt, [True, False, False])))
    cases.append(("conv3x3 64->64 bwd-weights", flops, lambda fmt: backward(fmt, [False, True, False])))
    return cases


def depthwise_case(batch):
    n, c, hw = batch, 128, 32

    def make(fmt):
        x = torch.randn(n, c, hw, hw).to(memory_format=fmt).requires_grad_()
        w = torch.randn(c, 1, 3, 3).requires_grad_()
        def run():
            y = F.conv2d(x, w, padding=1, groups=c)
            y.backward(torch.ones_like(y))
        return run
    # Forward, backward-data and backward-weights, as gird-bench counts them.
    return ("depthwise3x3 fwd+bwd", 3 * 2.0 * n * c * hw * hw * 9, make)


def batchnorm_case(batch):
    n, c, hw = batch, 64, 32

    def make(fmt):
        x = torch.randn(n, c, hw, hw).to(memory_format=fmt).requires_grad_()
        weight = torch.ones(c, requires_grad=True)
        bias = torch.zeros(c, requires_grad=True)
        running_mean, running_var = torch.zeros(c), torch.ones(c)
        g = torch.randn(n, c, hw, hw).to(memory_format=fmt)
        def run():
            y = F.batch_norm(x, running_mean, running_var, weight, bias, training=True)
            y.backward(g)
        return run
    return ("batchnorm fwd+bwd", 0.0, make)


TRAINED_MODELS = ["resnet8x4", "resnet20", "wrn_16_2", "vgg8", "mobile_half", "ShuffleV1"]


def training_step_case(name, batch):
    """One step as gird-bench's: forward in training mode, cross-entropy,
    backward, SGD (momentum 0.9, weight decay 5e-4), gradients cleared; the
    same architecture (scripts/zoo_reference.py), 100 classes."""
    import zoo_reference

    def make(fmt):
        torch.manual_seed(1)
        model = zoo_reference.ZOO[name](100).to(memory_format=fmt)
        model.train()
        images = torch.randn(batch, 3, 32, 32).to(memory_format=fmt)
        labels = torch.arange(batch) % 100
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
        def run():
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        return run
    return ("train " + name, make)


def distillation_step_case(batch):
    """gird-bench's `distill kd resnet32x4>resnet8x4`: the teacher's forward
    in eval mode under no_grad, the student's in training mode, CE + KD
    (RepDistiller's DistillKL, T = 4), backward, SGD, gradients cleared."""
    import zoo_reference

    def make(fmt):
        torch.manual_seed(1)
        teacher = zoo_reference.ZOO["resnet32x4"](100).to(memory_format=fmt).eval()
        student = zoo_reference.ZOO["resnet8x4"](100).to(memory_format=fmt).train()
        images = torch.randn(batch, 3, 32, 32).to(memory_format=fmt)
        labels = torch.arange(batch) % 100
        optimizer = torch.optim.SGD(student.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
        T = 4.0
        def run():
            with torch.no_grad():
                teacher_logits = teacher(images)
            logits = student(images)
            kd = F.kl_div(F.log_softmax(logits / T, dim=1), F.softmax(teacher_logits / T, dim=1),
                          reduction="sum") * T * T / batch
            loss = F.cross_entropy(logits, labels) + kd
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        return run
    return ("distill kd resnet32x4>resnet8x4", make)


def reid_step_case(quick):
    """gird-bench's `reid tv_resnet18 ce+triplet`: torchvision's ResNet-18
    with the last stride 1 and the BNNeck head (BatchNorm1d with a frozen
    zero bias, a bias-free classifier), 8 identities x 4 images, CE with
    label smoothing 0.1 plus torchreid's batch-hard triplet loss (margin
    0.3) on the pooled features, Adam (3.5e-4, weight decay 5e-4)."""
    import torchvision
    batch, side = (8, 64) if quick else (32, 128)

    def make(fmt):
        torch.manual_seed(1)
        backbone = torchvision.models.resnet18()
        backbone.layer4[0].conv1.stride = (1, 1)
        backbone.layer4[0].downsample[0].stride = (1, 1)
        backbone.fc = torch.nn.Identity()
        neck = torch.nn.BatchNorm1d(512)
        neck.bias.requires_grad_(False)
        classifier = torch.nn.Linear(512, 16, bias=False)
        model = torch.nn.ModuleDict({"backbone": backbone, "neck": neck, "classifier": classifier}).to(memory_format=fmt)
        model.train()
        images = torch.randn(batch, 3, side, side).to(memory_format=fmt)
        labels = torch.arange(batch) // 4
        optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3.5e-4, weight_decay=5e-4)
        same = labels[:, None] == labels[None, :]

        def run():
            features = backbone(images)
            logits = classifier(neck(features))
            distances = torch.cdist(features, features).clamp(min=1e-12)
            hardest_positive = (distances * same).max(dim=1).values
            hardest_negative = (distances + same * 1e9).min(dim=1).values
            triplet = F.relu(hardest_positive - hardest_negative + 0.3).mean()
            loss = F.cross_entropy(logits, labels, label_smoothing=0.1) + triplet
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        return run
    return ("reid tv_resnet18 ce+triplet", make, batch)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--filter", default="", help="only the cases whose name contains this text")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    repetitions = 3 if args.quick else 10
    batch = 8 if args.quick else 64
    size = 256 if args.quick else 1024

    name = f"sgemm {size}^3"
    if args.filter in name:
        a, b = torch.randn(size, size), torch.randn(size, size)
        ms = best_ms(lambda: torch.mm(a, b), repetitions)
        print(f"{name}\t{ms:.4f}\t{2.0 * size ** 3 / ms / 1e6:.1f} GFLOP/s\t-", flush=True)

    for name, flops, make in conv_cases(batch) + [depthwise_case(batch), batchnorm_case(batch)]:
        if args.filter not in name:
            continue
        ms, layout = min((best_ms(make(fmt), repetitions), label) for fmt, label in formats())
        rate = f"{flops / ms / 1e6:.1f} GFLOP/s" if flops else "-"
        print(f"{name}\t{ms:.4f}\t{rate}\t{layout}", flush=True)

    for name, make in [training_step_case(model, batch) for model in TRAINED_MODELS] + [distillation_step_case(batch)]:
        if args.filter not in name:
            continue
        ms, layout = min((best_ms(make(fmt), repetitions), label) for fmt, label in formats())
        print(f"{name}\t{ms:.4f}\t{batch / ms * 1e3:.1f} img/s\t{layout}", flush=True)

    name, make, images = reid_step_case(args.quick)
    if args.filter in name:
        ms, layout = min((best_ms(make(fmt), repetitions), label) for fmt, label in formats())
        print(f"{name}\t{ms:.4f}\t{images / ms * 1e3:.1f} img/s\t{layout}", flush=True)

    # ru_maxrss is in KiB on Linux.
    print(f"# peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB", flush=True)


if __name__ == "__main__":
    main()
