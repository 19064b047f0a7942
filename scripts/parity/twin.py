#!/usr/bin/python3
"""The PyTorch twin of the engine's Fashion-MNIST distillation protocol.

    /usr/bin/python3 scripts/parity/twin.py --method gird --seed 0 --epochs 3 \
        --subset 5000 --out runs/parity/twin-gird-s0.jsonl [--init W.safetensors]

Methods: `ce` (the student alone), `kd` (CE + KD, T = 4) and `gird`
(CE + KD + GIRD, K = 4096, tau 0.1, gap pooling, beta 4, gamma 1: the tuned
setting of docs/results.md). Everything else is the engine's protocol, each
point read from the engine and matched here (README.md says where):

- data: the Debian IDX files, zero-padded 28x28 -> 32x32 as raw bytes, the
  stratified subset `fashion_mnist(split: "train").subset(n, seed: 0)`
  (its indices exported by the engine, see `subset_indices_from_engine`),
  normalised per batch as the engine does, in float32:
  (byte - 255 * 0.2860) / (255 * 0.3530);
- augmentation on the bytes, before normalising: a 32x32 crop of the image
  zero-padded by 4 (raw zero bytes, so the border is the normalised black,
  -0.81), then a horizontal flip with probability 0.5;
- batches of 64, the last one smaller (5000 = 78 x 64 + 8), shuffled per
  epoch; `--order engine` (default) takes the engine's very order, crops and
  flips (engine_rng.py), `--order torch` draws its own with torch's generator;
- student resnet8 (1 channel, 10 classes), its initial weights the engine's
  for this seed (`--init`, saved by engine.recipe) or PyTorch's
  (RepDistiller's init, `--init torch`);
- SGD, momentum 0.9, weight decay 5e-4 on every parameter (BN's and the
  classifier's bias included: the engine gives its SGD every parameter, as
  RepDistiller's `optim.SGD(model.parameters())`), lr 0.05 with a per-step
  cosine to 0 (rate of step t of T: 0.05 (1 + cos(pi t / T)) / 2);
- teacher resnet20 from recipes/fmnist/teacher-resnet20.safetensors, eval
  mode, no gradient;
- per epoch: the mean of the step losses, then test top-1 on the 10 000
  test images, eval mode.

GIRD follows /work/shared/specs/gird-method.md alone (see `GIRD` below).
Writes one JSON line per epoch: epoch (from 0), train_loss, test_top1
(fraction), lr (of the epoch's first step), seconds, and the loss terms.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import engine_rng  # noqa: E402
import gird_safetensors  # noqa: E402

FMNIST_ROOT = "/usr/share/datasets/fashion-mnist"
TEACHER = os.path.join(ROOT, "recipes/fmnist/teacher-resnet20.safetensors")
MEAN, STD = 0.2860, 0.3530


# ---------------------------------------------------------------- data

def read_idx(split, root=FMNIST_ROOT):
    """Images as uint8 [N, 32, 32] (28x28 zero-padded by 2 as raw bytes) and int64 labels."""
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(f"{root}/{prefix}-images-idx3-ubyte.gz") as f:
        data = f.read()
    count, rows, cols = np.frombuffer(data[4:16], dtype=">u4")
    images = np.frombuffer(data[16:], dtype=np.uint8).reshape(count, rows, cols)
    padded = np.zeros((count, rows + 4, cols + 4), dtype=np.uint8)
    padded[:, 2:2 + rows, 2:2 + cols] = images
    with gzip.open(f"{root}/{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read()[8:], dtype=np.uint8).astype(np.int64)
    return padded, labels


def normalize(pixels):
    """uint8 [B, 32, 32] -> float32 [B, 1, 32, 32], the engine's arithmetic:
    (byte - 255·mean) / (255·std), every operation in float32."""
    offset = np.float32(255) * np.float32(MEAN)
    divisor = np.float32(255) * np.float32(STD)
    x = (torch.from_numpy(np.ascontiguousarray(pixels)).float() - float(offset)) / float(divisor)
    return x.unsqueeze(1)


def subset_indices_from_engine(images_npy, labels_npy, all_images, all_labels):
    """The dataset indices of the subset the engine exported (export.recipe:
    its images as byte/255 floats, in dataset order, and its labels): each
    exported image matched to the first not-yet-used training image with the
    same bytes and label, scanning forward (the subset keeps dataset order)."""
    exported = np.rint(np.load(images_npy)[:, 0] * 255).astype(np.uint8)
    labels = np.load(labels_npy)
    by_content = {}
    for index in range(len(all_images)):
        by_content.setdefault(all_images[index].tobytes(), []).append(index)
    indices, last = [], -1
    for image, label in zip(exported, labels):
        candidates = [i for i in by_content.get(image.tobytes(), []) if i > last and all_labels[i] == label]
        if not candidates:
            raise SystemExit("an exported image is not in the training files (after the previous match)")
        last = candidates[0]
        indices.append(last)
    return np.array(indices, dtype=np.int64)


def crop_flip(pixels, tops, lefts, flips, padding=4):
    """RandomCrop(32, padding=4) then RandomHorizontalFlip on bytes: the image
    padded with raw zeros to 40x40, a 32x32 window at (top, left)."""
    n, h, w = pixels.shape
    padded = np.zeros((n, h + 2 * padding, w + 2 * padding), dtype=np.uint8)
    padded[:, padding:padding + h, padding:padding + w] = pixels
    rows = tops[:, None] + np.arange(h)[None, :]
    cols = lefts[:, None] + np.arange(w)[None, :]
    out = padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    out[flips] = out[flips][:, :, ::-1]
    return out


class Batches:
    """The batches of each epoch: positions into the training subset, in the
    engine's order (and with its crops and flips) or in torch's own."""

    def __init__(self, images, labels, batch_size, seed, order="engine", augment=True):
        self.images, self.labels = images, labels
        self.batch_size, self.seed, self.order, self.augment = batch_size, seed, order, augment
        self.generator = torch.Generator().manual_seed(seed)
        self.steps = (len(labels) + batch_size - 1) // batch_size

    def epoch(self, epoch):
        count = len(self.labels)
        if self.order == "engine":
            order = np.array(engine_rng.epoch_order(count, self.seed, epoch), dtype=np.int64)
            if self.augment:
                tops, lefts, flips = engine_rng.crop_flip_draws(self.seed, epoch, count)
        else:
            order = torch.randperm(count, generator=self.generator).numpy()
            if self.augment:
                tops = torch.randint(0, 9, (count,), generator=self.generator).numpy()
                lefts = torch.randint(0, 9, (count,), generator=self.generator).numpy()
                flips = (torch.rand(count, generator=self.generator) < 0.5).numpy()
        for step in range(self.steps):
            positions = np.arange(step * self.batch_size, min((step + 1) * self.batch_size, count))
            chosen = order[positions]
            pixels = self.images[chosen]
            if self.augment:
                pixels = crop_flip(pixels, tops[positions], lefts[positions], flips[positions])
            yield step, normalize(pixels), torch.from_numpy(self.labels[chosen]), chosen


# ---------------------------------------------------------------- models (RepDistiller's CIFAR resnet)

class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    """resnet8 / resnet20 of RepDistiller (widths 16, 16, 32, 64); forward
    returns the logits and the taps stem, stage1..3 (after their ReLU)."""

    def __init__(self, depth, classes=10, in_channels=1):
        super().__init__()
        blocks = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        in_planes = 16
        for k, planes in enumerate([16, 32, 64]):
            stage = []
            for b in range(blocks):
                stage.append(BasicBlock(in_planes, planes, 2 if k > 0 and b == 0 else 1))
                in_planes = planes
            setattr(self, f"layer{k + 1}", nn.Sequential(*stage))
        self.fc = nn.Linear(64, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        taps = [x]
        for stage in (self.layer1, self.layer2, self.layer3):
            x = stage(x)
            taps.append(x)
        x = F.avg_pool2d(x, 8).flatten(1)
        return self.fc(x), taps


def load_weights(model, path):
    tensors, _ = gird_safetensors.load(path)
    model.load_state_dict({k: v.clone() for k, v in tensors.items()}, strict=True)
    return model


class SequentialSumBatchNorm(torch.autograd.Function):
    """Training-mode batch norm whose per-channel sums are accumulated the way
    the engine's oneDNN kernel (avx2, one thread) was measured to accumulate
    them: one float32 accumulator per channel, in (n, h, w) order. Forward:
    mean = sum(x) / m, variance = sum((x - mean)^2) / m. Backward: the two
    sums sum(dy) and sum(dy (x - mean)), then
    dx = gamma / s * (dy - sum(dy) / m - (x - mean) / s^2 * sum(dy (x - mean)) / m),
    s = sqrt(variance + eps). Only for lockstep.py --emulate-engine-bn: it
    shows that the first steps' differences come from this accumulation."""

    @staticmethod
    def sums(values):  # [C, m] float32 -> [C] float32, sequential
        return torch.from_numpy(np.cumsum(values.numpy(), axis=1, dtype=np.float32)[:, -1].copy())

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        c = x.shape[1]
        flat = x.detach().transpose(0, 1).reshape(c, -1)
        m = flat.shape[1]
        mean = SequentialSumBatchNorm.sums(flat) / m
        centered = flat - mean[:, None]
        variance = SequentialSumBatchNorm.sums(centered * centered) / m
        inv = 1 / torch.sqrt(variance + eps)
        y = centered * (inv * weight.detach())[:, None] + bias.detach()[:, None]
        ctx.save_for_backward(centered, inv, weight.detach())
        ctx.shape = x.shape
        return y.reshape(c, x.shape[0], *x.shape[2:]).transpose(0, 1).contiguous(), mean, variance

    @staticmethod
    def backward(ctx, dy, _mean, _variance):
        centered, inv, weight = ctx.saved_tensors
        c = dy.shape[1]
        flat = dy.transpose(0, 1).reshape(c, -1)
        m = flat.shape[1]
        diff_beta = SequentialSumBatchNorm.sums(flat.contiguous())
        diff_gamma = SequentialSumBatchNorm.sums((flat * centered).contiguous()) * inv
        dx = (weight * inv)[:, None] * (flat - diff_beta[:, None] / m - centered * (inv * diff_gamma / m)[:, None])
        return dx.reshape(c, ctx.shape[0], *ctx.shape[2:]).transpose(0, 1).contiguous(), diff_gamma, diff_beta, None


def emulate_engine_batch_norm(model):
    """Replaces the training-mode forward of every BatchNorm2d of `model` by
    SequentialSumBatchNorm (running statistics updated as PyTorch does)."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            def forward(x, module=module):
                if not module.training:
                    return F.batch_norm(x, module.running_mean, module.running_var, module.weight, module.bias,
                                        False, 0.0, module.eps)
                y, mean, variance = SequentialSumBatchNorm.apply(x, module.weight, module.bias, module.eps)
                m = x.numel() // x.shape[1]
                with torch.no_grad():
                    module.running_mean.mul_(1 - module.momentum).add_(mean * module.momentum)
                    module.running_var.mul_(1 - module.momentum).add_(variance * (m / (m - 1)) * module.momentum)
                    module.num_batches_tracked += 1
                return y
            module.forward = forward
    return model


# ---------------------------------------------------------------- GIRD (from gird-method.md only)

class GIRD:
    """Global Instance Relation Distillation as specified in
    /work/shared/specs/gird-method.md, written without reading the engine's.

    Per tapped layer l: e = z / max(||z||, 1e-12), z the global average pool.
    A memory bank of K rows per layer and network, one ring position and one
    fill count n for all of them, written after the optimizer step with the
    step's detached embeddings. R = e · [e; Q[0:n)]^T, B x (B + n); the
    diagonal R[i][i] (i < B) left out of every loss.
    L_sim[l] = (1/B) sum_i KL(p_T_i || p_S_i), p = softmax over j != i of R / tau.
    L_evo[l, l+1] = mean over (i, j != i) of (D_S - D_T)^2, D = R[l+1] - R[l].
    Returns beta * sum L_sim and gamma * sum L_evo.
    """

    def __init__(self, bank=4096, tau=0.1, beta=4.0, gamma=1.0):
        self.capacity, self.tau, self.beta, self.gamma = bank, tau, beta, gamma
        self.position, self.filled = 0, 0
        self.student_bank, self.teacher_bank = None, None
        self.pending = None

    @staticmethod
    def embed(feature):
        z = feature.mean(dim=(2, 3))
        return z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)

    def relation(self, e, bank):
        columns = e if self.filled == 0 else torch.cat([e, bank[:self.filled]], dim=0)
        return e @ columns.t()

    @staticmethod
    def off_diagonal(r):
        b, c = r.shape
        keep = torch.ones(b, c, dtype=torch.bool)
        keep[torch.arange(b), torch.arange(b)] = False
        return r[keep].view(b, c - 1)

    def loss(self, student_taps, teacher_taps):
        e_s = [self.embed(f) for f in student_taps]
        with torch.no_grad():
            e_t = [self.embed(f) for f in teacher_taps]
        if self.student_bank is None:
            self.student_bank = [torch.zeros(self.capacity, e.shape[1]) for e in e_s]
            self.teacher_bank = [torch.zeros(self.capacity, e.shape[1]) for e in e_t]
        self.pending = ([e.detach().clone() for e in e_s], [e.clone() for e in e_t])
        b = e_s[0].shape[0]
        if b + self.filled - 1 <= 0:  # no j != i: every relation loss is 0
            zero = e_s[0].sum() * 0
            return zero, zero, [zero] * len(e_s), [zero] * (len(e_s) - 1)
        r_s = [self.off_diagonal(self.relation(e, q)) for e, q in zip(e_s, self.student_bank)]
        with torch.no_grad():
            r_t = [self.off_diagonal(self.relation(e, q)) for e, q in zip(e_t, self.teacher_bank)]
        sims = []
        for rs, rt in zip(r_s, r_t):
            log_p_s = F.log_softmax(rs / self.tau, dim=1)
            log_p_t = F.log_softmax(rt / self.tau, dim=1)
            sims.append((log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1).mean())
        evos = []
        for l in range(len(r_s) - 1):
            d_s = r_s[l + 1] - r_s[l]
            d_t = r_t[l + 1] - r_t[l]
            evos.append(((d_s - d_t) ** 2).mean())
        return self.beta * sum(sims), self.gamma * sum(evos), sims, evos

    def after_step(self):
        """Writes the last step's embeddings at the ring position (a batch
        larger than K keeps its last K rows) and advances it by B."""
        e_s, e_t = self.pending
        b = e_s[0].shape[0]
        rows = range(max(0, b - self.capacity), b)
        slots = torch.tensor([(self.position + r) % self.capacity for r in rows], dtype=torch.long)
        for bank, e in zip(self.student_bank + self.teacher_bank, e_s + e_t):
            bank[slots] = e[list(rows)]
        self.position = (self.position + b) % self.capacity
        self.filled = min(self.filled + b, self.capacity)
        self.pending = None


# ---------------------------------------------------------------- the objective

class Objective:
    """CE (+ KD T=4 (+ GIRD)); `terms` holds the last step's weighted values."""

    def __init__(self, method, teacher, temperature=4.0, kd_weight=1.0, bank=4096, beta=4.0, gamma=1.0, tau=0.1):
        self.method, self.teacher, self.temperature, self.kd_weight = method, teacher, temperature, kd_weight
        self.gird = GIRD(bank=bank, tau=tau, beta=beta, gamma=gamma) if method == "gird" else None
        self.terms = {}

    def loss(self, student, images, labels):
        logits, taps = student(images)
        ce = F.cross_entropy(logits, labels)
        total, terms = ce, {"ce": ce.item()}
        if self.method in ("kd", "gird"):
            with torch.no_grad():
                self.teacher.eval()
                teacher_logits, teacher_taps = self.teacher(images)
            t = self.temperature
            kd = F.kl_div(F.log_softmax(logits / t, dim=1), F.softmax(teacher_logits / t, dim=1),
                          reduction="batchmean") * (t * t)
            total = total + self.kd_weight * kd
            terms["kd"] = self.kd_weight * kd.item()
        if self.gird is not None:
            sim, evo, _, _ = self.gird.loss(taps, teacher_taps)
            total = total + sim + evo
            terms["gird_sim"], terms["gird_evo"] = sim.item(), evo.item()
        self.terms = terms
        return total, logits

    def after_step(self):
        if self.gird is not None:
            self.gird.after_step()


def cosine_rate(base, t, total):
    return base * (1 + math.cos(math.pi * t / total)) / 2


@torch.no_grad()
def evaluate(model, images, labels, batch_size=256):
    was_training = model.training
    model.eval()
    correct, loss = 0, 0.0
    for start in range(0, len(labels), batch_size):
        x = normalize(images[start:start + batch_size])
        y = torch.from_numpy(labels[start:start + batch_size])
        logits, _ = model(x)
        correct += (logits.argmax(1) == y).sum().item()
        loss += F.cross_entropy(logits, y, reduction="sum").item()
    model.train(was_training)
    return correct / len(labels), loss / len(labels)


def make_student(init, seed):
    torch.manual_seed(seed)
    student = ResNet(8, classes=10, in_channels=1)
    if init and init != "torch":
        load_weights(student, init)
    return student


def make_teacher(path=TEACHER):
    teacher = load_weights(ResNet(20, classes=10, in_channels=1), path)
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher


def train(student, objective, batches, epochs, lr=0.05, momentum=0.9, weight_decay=5e-4, test=None,
          on_step=None, on_epoch=None, max_steps=None):
    """The engine's loop: per step the cosine rate, the loss in training
    mode, backward, SGD's step, then the objective's after-step (the bank)."""
    optimizer = torch.optim.SGD(student.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    total_steps = epochs * batches.steps
    done = 0
    for epoch in range(epochs):
        start = time.time()
        student.train()
        losses, term_sums, first_rate = [], {}, None
        for step, images, labels, chosen in batches.epoch(epoch):
            rate = cosine_rate(lr, epoch * batches.steps + step, total_steps)
            rate = float(np.float32(rate))  # the engine rounds the Double rate to its Float optimizer once
            first_rate = first_rate if first_rate is not None else rate
            for group in optimizer.param_groups:
                group["lr"] = rate
            loss, logits = objective.loss(student, images, labels)
            if not torch.isfinite(loss):
                raise SystemExit(f"the loss is not finite at epoch {epoch}, batch {step}")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            objective.after_step()
            losses.append(loss.item())
            for name, value in objective.terms.items():
                term_sums[name] = term_sums.get(name, 0.0) + value
            if on_step is not None:
                on_step(epoch=epoch, step=step, loss=loss.item(), terms=dict(objective.terms), rate=rate,
                        logits=logits.detach(), labels=labels, chosen=chosen)
            done += 1
            if max_steps is not None and done >= max_steps:
                return
        record = {"epoch": epoch, "train_loss": sum(losses) / len(losses), "lr": first_rate}
        record.update({f"loss_{k}": v / len(losses) for k, v in term_sums.items()})
        if test is not None:
            record["test_top1"], record["test_loss"] = evaluate(student, *test)
        record["seconds"] = time.time() - start
        if on_epoch is not None:
            on_epoch(record)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", choices=["ce", "kd", "gird"], required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--subset", type=int, default=5000)
    parser.add_argument("--out", required=True, help="per-epoch metrics, JSON lines")
    parser.add_argument("--init", default=None,
                        help="the student's initial weights (safetensors; engine.recipe writes the engine's), or 'torch'")
    parser.add_argument("--subset-indices", default=None,
                        help=".npy of the subset's dataset indices (compare writes them from the engine's export); "
                             "default: engine_rng's stratified subset, which the export is checked against")
    parser.add_argument("--order", choices=["engine", "torch"], default="engine",
                        help="batch order, crops and flips: the engine's streams, or torch's own generator")
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--bank", type=int, default=4096)
    parser.add_argument("--beta", type=float, default=4.0)
    parser.add_argument("--gamma", type=float, default=1.0)
    parser.add_argument("--kd-weight", type=float, default=1.0)
    parser.add_argument("--test-size", type=int, default=None, help="first N test images only (development)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    images, labels = read_idx("train")
    if args.subset_indices:
        indices = np.load(args.subset_indices).astype(np.int64)
    else:
        indices = np.array(engine_rng.subset_indices(labels, args.subset, 0), dtype=np.int64)
    assert len(indices) == args.subset, f"{len(indices)} subset indices for a subset of {args.subset}"
    test_images, test_labels = read_idx("test")
    if args.test_size:
        test_images, test_labels = test_images[:args.test_size], test_labels[:args.test_size]

    student = make_student(args.init, args.seed)
    teacher = make_teacher()
    objective = Objective(args.method, teacher, kd_weight=args.kd_weight, bank=args.bank, beta=args.beta,
                          gamma=args.gamma)
    batches = Batches(images[indices], labels[indices], 64, args.seed, order=args.order, augment=not args.no_augment)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as out:
        def on_epoch(record):
            out.write(json.dumps(record) + "\n")
            out.flush()
            print(f"twin {args.method} seed {args.seed}: epoch {record['epoch'] + 1}/{args.epochs} "
                  f"train loss {record['train_loss']:.4f} test top-1 {100 * record['test_top1']:.2f}% "
                  f"({record['seconds']:.0f} s)", file=sys.stderr)
        train(student, objective, batches, args.epochs, test=(test_images, test_labels), on_epoch=on_epoch)


if __name__ == "__main__":
    main()
