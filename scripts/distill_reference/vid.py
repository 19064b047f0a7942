"""VID: RepDistiller's VIDLoss (distiller_zoo/VID.py), one module per stage
pair, summed as train_student.py does for --distill vid:

    pool the larger map to the other's (square) size: adaptive_avg_pool2d
    mu = regressor(s)             conv1x1 (no bias) - ReLU - conv1x1 - ReLU - conv1x1
    var = log(1 + exp(log_scale)) + eps, per target channel
    loss = mean(0.5 * ((mu - t)**2 / var + log(var)))
    log_scale starts at log(exp(init_pred_var - eps) - 1)
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import Case, randn, seeded


class VIDLoss(nn.Module):
    def __init__(self, c_in, c_mid, c_out, init_pred_var=5.0, eps=1e-5):
        super().__init__()
        self.regressor = nn.Sequential(
            nn.Conv2d(c_in, c_mid, 1, bias=False), nn.ReLU(),
            nn.Conv2d(c_mid, c_mid, 1, bias=False), nn.ReLU(),
            nn.Conv2d(c_mid, c_out, 1, bias=False))
        self.log_scale = nn.Parameter(np.log(np.exp(init_pred_var - eps) - 1.0) * torch.ones(c_out))
        self.eps = eps

    def forward(self, s, t):
        if s.shape[2] > t.shape[2]:
            s = F.adaptive_avg_pool2d(s, (t.shape[2], t.shape[2]))
        elif s.shape[2] < t.shape[2]:
            t = F.adaptive_avg_pool2d(t, (s.shape[2], s.shape[2]))
        mu = self.regressor(s)
        var = (torch.log(1.0 + torch.exp(self.log_scale)) + self.eps).view(1, -1, 1, 1)
        return torch.mean(0.5 * ((mu - t) ** 2 / var + torch.log(var)))


def cases():
    g = seeded(31)
    torch.manual_seed(31)
    # (student shapes, teacher shapes) per pair, without the batch
    for name, batch, pairs, init_var in [
        ("b3_two_pairs_same_size", 3, [((4, 6, 6), (6, 6, 6)), ((5, 3, 3), (3, 3, 3))], 5.0),
        ("b2_student_larger", 2, [((3, 8, 8), (4, 4, 4))], 5.0),
        ("b2_teacher_larger_var2", 2, [((4, 2, 2), (3, 6, 6))], 2.0),
    ]:
        case = Case("vid", name, {"pairs": len(pairs), "init_var": init_var})
        loss = 0
        weights = []
        for k, (s_shape, t_shape) in enumerate(pairs):
            s = case.input(f"student{k}", randn(g, batch, *s_shape), grad=True)
            t = case.input(f"teacher{k}", randn(g, batch, *t_shape))
            module = VIDLoss(s_shape[0], t_shape[0], t_shape[0], init_pred_var=init_var).double()
            with torch.no_grad():   # move log_scale off its start so the test sees its gradient's path
                module.log_scale.add_(0.3 * torch.randn(t_shape[0], generator=g, dtype=torch.float64))
            case.module(f"pair{k}.", module)
            loss = loss + module(s, t)
            weights.append(module.log_scale)
        log_scale_grad = torch.autograd.grad(loss, weights[0], retain_graph=True)[0]
        yield case.finish(loss, grad_pair0_log_scale=log_scale_grad)
