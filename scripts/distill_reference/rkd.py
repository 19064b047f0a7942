"""RKD: Park et al., "Relational Knowledge Distillation" (CVPR 2019), as
RepDistiller's RKDLoss (distiller_zoo/RKD.py) computes it, in my own words:

    pdist(e)[i][j] = sqrt(max(|e_i|^2 + |e_j|^2 - 2 e_i.e_j, 1e-12)), diagonal 0
    d = pdist / mean(pdist[pdist > 0])              (teacher side without grad)
    angle[i][j][k] = <n(e_j - e_i), n(e_k - e_i)>, n = F.normalize (eps 1e-12)
    loss = w_d * smooth_l1(d_s, d_t) + w_a * smooth_l1(angle_s, angle_t)

on the flattened embeddings (train_student: feat[-1]).
"""
import torch
import torch.nn.functional as F

from common import Case, randn, seeded


def pdist(e, eps=1e-12):
    square = e.pow(2).sum(dim=1)
    result = (square.unsqueeze(1) + square.unsqueeze(0) - 2 * (e @ e.t())).clamp(min=eps).sqrt().clone()
    result[range(len(e)), range(len(e))] = 0
    return result


def angles(e):
    differences = F.normalize(e.unsqueeze(0) - e.unsqueeze(1), p=2, dim=2)
    return torch.bmm(differences, differences.transpose(1, 2)).view(-1)


def rkd(f_s, f_t, w_d, w_a):
    s, t = f_s.view(f_s.shape[0], -1), f_t.view(f_t.shape[0], -1)
    with torch.no_grad():
        t_d = pdist(t)
        t_d = t_d / t_d[t_d > 0].mean()
        t_angle = angles(t)
    d = pdist(s)
    d = d / d[d > 0].mean()
    return w_d * F.smooth_l1_loss(d, t_d) + w_a * F.smooth_l1_loss(angles(s), t_angle)


def cases():
    g = seeded(11)
    specs = [("b8s16t24", 8, 16, 24, 25.0, 50.0, None),
             ("b5s6t6dup", 5, 6, 6, 25.0, 50.0, "duplicate"),
             ("b3s3t5", 3, 3, 5, 25.0, 50.0, None),
             ("b6s4t4wd1wa2", 6, 4, 4, 1.0, 2.0, None)]
    for name, batch, ds, dt, w_d, w_a, edge in specs:
        case = Case("rkd", name, {"w_d": w_d, "w_a": w_a})
        s = randn(g, batch, ds, scale=2)
        t = randn(g, batch, dt, scale=2)
        if edge == "duplicate":
            # a repeated image: a zero distance on both sides, off the diagonal
            s[3] = s[1]
            t[3] = t[1]
        s = case.input("student_embedding", s, grad=True)
        t = case.input("teacher_embedding", t)
        yield case.finish(rkd(s, t, w_d, w_a))
