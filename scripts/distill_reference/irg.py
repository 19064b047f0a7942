"""IRG: the PyTorch formulation of AberHu's Knowledge-Distillation-Zoo
(kd_losses/irg.py; RepDistiller has no IRG), written out:

    vertex = mse(z_s, z_t)
    E(x) = |x_i|^2 + |x_j|^2 - 2 x_i.x_j, clamped at 1e-12, diagonal set to 0, divided by its max
    edge = (mse(E(e_s), E(e_t)) + mse(E(m1_s), E(m1_t)) + mse(E(m2_s), E(m2_t))) / 3
    T(m1, m2): m1 adaptive-avg-pooled to m2's size if larger; if m1 has fewer channels
               m2 = (m2[:, 0::2] + m2[:, 1::2]) / 2; T_i = sum (m1_i - m2_i)^2 clamped at 1e-12; T /= max T
    transformation = mse(T_s, T_t)
    loss = w_vert * vertex + w_edge * edge + w_tran * transformation     (0.1, 5, 5)
"""
import torch
import torch.nn.functional as F

from common import Case, randn, seeded

EPS = 1e-12


def edges(x):
    x = x.reshape(x.shape[0], -1)
    square = x.pow(2).sum(1)
    d = (square.unsqueeze(0) + square.unsqueeze(1) - 2 * x @ x.t()).clamp(min=EPS).clone()
    d[range(len(x)), range(len(x))] = 0
    return d / d.max()


def transformation(m1, m2):
    if m1.shape[2] > m2.shape[2]:
        m1 = F.adaptive_avg_pool2d(m1, (m2.shape[2], m2.shape[3]))
    if m1.shape[1] < m2.shape[1]:
        m2 = (m2[:, 0::2] + m2[:, 1::2]) / 2.0
    d = (m1.reshape(m1.shape[0], -1) - m2.reshape(m2.shape[0], -1)).pow(2).sum(-1).clamp(min=EPS)
    return d / d.max()


def irg(s, t, w_vert, w_edge, w_tran):
    m1_s, m2_s, e_s, z_s = s
    m1_t, m2_t, e_t, z_t = t
    vertex = F.mse_loss(z_s, z_t)
    edge = (F.mse_loss(edges(e_s), edges(e_t)) + F.mse_loss(edges(m1_s), edges(m1_t))
            + F.mse_loss(edges(m2_s), edges(m2_t))) / 3.0
    tran = F.mse_loss(transformation(m1_s, m2_s), transformation(m1_t, m2_t))
    return w_vert * vertex + w_edge * edge + w_tran * tran, vertex, edge, tran


def cases():
    g = seeded(51)
    # shapes without the batch: (m1, m2, embedding) for student and teacher, classes
    for name, batch, s_shapes, t_shapes, classes, weights in [
        ("b5_resnet_like", 5, [(2, 4, 4), (4, 2, 2), (4,)], [(3, 4, 4), (6, 2, 2), (6,)], 4, (0.1, 5.0, 5.0)),
        ("b4_same_channels_same_size", 4, [(3, 2, 2), (3, 2, 2), (3,)], [(2, 3, 3), (2, 3, 3), (5,)], 3, (0.1, 5.0, 5.0)),
        ("b3_weights_1_2_3", 3, [(2, 4, 4), (4, 2, 2), (4,)], [(4, 4, 4), (4, 2, 2), (4,)], 5, (1.0, 2.0, 3.0)),
    ]:
        case = Case("irg", name, {"w_vert": weights[0], "w_edge": weights[1], "w_tran": weights[2]})
        names = ["first", "second", "embedding"]
        s = [case.input(f"student_{n}", randn(g, batch, *shape), grad=True) for n, shape in zip(names, s_shapes)]
        t = [case.input(f"teacher_{n}", randn(g, batch, *shape)) for n, shape in zip(names, t_shapes)]
        s.append(case.input("student_logits", randn(g, batch, classes, scale=2), grad=True))
        t.append(case.input("teacher_logits", randn(g, batch, classes, scale=2)))
        loss, vertex, edge, tran = irg(s, t, *weights)
        yield case.finish(loss, vertex=vertex, edge=edge, transformation=tran)
