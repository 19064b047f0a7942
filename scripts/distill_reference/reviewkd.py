"""ReviewKD: mdistiller's ReviewKD (mdistiller/distillers/ReviewKD.py), written out.

Student features shallow to deep (stages, then the pooled embedding as a 1x1
map) go through ABF modules deepest first:

    ABF(x, y):  x = BN(conv1x1(x))
                if fuse: y = interpolate(y, size of x, nearest); z = sigmoid(conv1x1(cat[x, y]))
                         x = x * z[:, 0] + y * z[:, 1]
                if size(x) != out_shape: x = interpolate(x, out_shape, nearest)
                return BN(conv3x3(x)), x

Each level's output is matched to the teacher's feature by hcl_loss:
    mse(fs, ft) + sum over l in (4, 2, 1), l < h of 2^-k mse(pool_l fs, pool_l ft), divided by the weights' sum.
The loss is sum of the levels, times min(epoch / warmup, 1) (the Swift test
checks the warm-up separately). Batch norms in training mode (batch statistics).
mid channels = min(max_mid, channels of the deepest student feature).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import Case, randn, seeded


class ABF(nn.Module):
    def __init__(self, c_in, c_mid, c_out, fuse):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(c_in, c_mid, 1, bias=False), nn.BatchNorm2d(c_mid))
        self.conv2 = nn.Sequential(nn.Conv2d(c_mid, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out))
        self.att_conv = nn.Sequential(nn.Conv2d(c_mid * 2, 2, 1), nn.Sigmoid()) if fuse else None

    def forward(self, x, y, out_hw):
        n, _, h, w = x.shape
        x = self.conv1(x)
        if self.att_conv is not None:
            y = F.interpolate(y, (h, w), mode="nearest")
            z = self.att_conv(torch.cat([x, y], dim=1))
            x = x * z[:, 0].view(n, 1, h, w) + y * z[:, 1].view(n, 1, h, w)
        if tuple(x.shape[-2:]) != out_hw:
            x = F.interpolate(x, out_hw, mode="nearest")
        return self.conv2(x), x


def hcl(fs_list, ft_list):
    total = 0.0
    for fs, ft in zip(fs_list, ft_list):
        h = fs.shape[2]
        loss = F.mse_loss(fs, ft)
        cnt, tot = 1.0, 1.0
        for l in [4, 2, 1]:
            if l >= h:
                continue
            cnt /= 2.0
            loss = loss + F.mse_loss(F.adaptive_avg_pool2d(fs, (l, l)), F.adaptive_avg_pool2d(ft, (l, l))) * cnt
            tot += cnt
        total = total + loss / tot
    return total


def randomize(module, g):
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + 0.3 * torch.randn(m.weight.shape, generator=g, dtype=torch.float64))
                m.bias.copy_(0.3 * torch.randn(m.bias.shape, generator=g, dtype=torch.float64))
            if isinstance(m, nn.Conv2d):
                bound = math.sqrt(3.0 / m.weight[0].numel())
                m.weight.uniform_(-bound, bound)


def cases():
    g = seeded(41)
    torch.manual_seed(41)
    # student and teacher shapes without the batch, shallow to deep; vectors are embeddings
    for name, batch, s_shapes, t_shapes, max_mid in [
        ("b3_same_sizes", 3, [(2, 8, 8), (4, 4, 4), (4,)], [(3, 8, 8), (5, 4, 4), (5,)], 512),
        ("b4_student_half_size", 4, [(2, 4, 4), (3, 2, 2), (3,)], [(2, 8, 8), (4, 4, 4), (4,)], 512),
        ("b4_mid_capped_one_level", 4, [(3, 2, 2), (6,)], [(2, 2, 2), (3,)], 2),
    ]:
        case = Case("reviewkd", name, {"levels": len(s_shapes), "max_mid": max_mid})
        xs, ts = [], []
        for k, (s, t) in enumerate(zip(s_shapes, t_shapes)):
            xs.append(case.input(f"student{k}", randn(g, batch, *s), grad=True))
            ts.append(case.input(f"teacher{k}", randn(g, batch, *t)))
        maps_s = [x if x.dim() == 4 else x.reshape(*x.shape, 1, 1) for x in xs]
        maps_t = [t if t.dim() == 4 else t.reshape(*t.shape, 1, 1) for t in ts]
        mid = min(max_mid, maps_s[-1].shape[1])
        levels = len(maps_s)
        abfs = nn.ModuleList([ABF(maps_s[i].shape[1], mid, maps_t[i].shape[1], i < levels - 1) for i in range(levels)])
        abfs = nn.ModuleList(list(abfs)[::-1]).double()
        randomize(abfs, g)
        case.module("abfs.", abfs)
        x = maps_s[::-1]
        out_hw = [tuple(t.shape[-2:]) for t in maps_t[::-1]]
        out, res = abfs[0](x[0], None, out_hw[0])
        results = [out]
        for feature, abf, hw in zip(x[1:], abfs[1:], out_hw[1:]):
            out, res = abf(feature, res, hw)
            results.insert(0, out)
        loss = hcl(results, maps_t)
        att = abfs[1].att_conv[0].weight if levels > 1 else abfs[0].conv1[0].weight
        yield case.finish(loss, grad_abfs_1_att_weight=torch.autograd.grad(loss, att, retain_graph=True)[0])
