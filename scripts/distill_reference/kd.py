"""KD: RepDistiller's DistillKL (distiller_zoo/KD.py), written out:

    p_s = log_softmax(y_s / T); p_t = softmax(y_t / T)
    loss = kl_div(p_s, p_t, reduction='sum') * T**2 / batch
"""
import torch
import torch.nn.functional as F

from common import Case, randn, seeded


def kd(y_s, y_t, T):
    p_s = F.log_softmax(y_s / T, dim=1)
    p_t = F.softmax(y_t / T, dim=1)
    return F.kl_div(p_s, p_t, reduction="sum") * T ** 2 / y_s.shape[0]


def cases():
    g = seeded(6)
    for name, batch, classes, T in [("b8c10t4", 8, 10, 4.0), ("b3c100t1", 3, 100, 1.0), ("b1c5t2", 1, 5, 2.0)]:
        case = Case("kd", name, {"T": T})
        s = case.input("student_logits", randn(g, batch, classes, scale=3), grad=True)
        t = case.input("teacher_logits", randn(g, batch, classes, scale=3))
        yield case.finish(kd(s, t, T))
