"""PKT: Passalis and Tefas, "Learning Deep Representations with
Probabilistic Knowledge Transfer" (ECCV 2018), as RepDistiller's PKT
(distiller_zoo/PKT.py), in my own words, with eps = 1e-7:

    x_i <- x_i / (|x_i| + eps)                  (both sides)
    K_ij = (x_i . x_j + 1) / 2,  P_ij = K_ij / sum_j K_ij
    loss = mean_ij P^t_ij log((P^t_ij + eps) / (P^s_ij + eps))

on the embeddings (train_student: feat[-1]).
"""
import torch

from common import Case, randn, seeded

EPS = 1e-7


def probabilities(x):
    x = x / (torch.sqrt((x ** 2).sum(dim=1, keepdim=True)) + EPS)
    similarity = (x @ x.t() + 1.0) / 2.0
    return similarity / similarity.sum(dim=1, keepdim=True)


def pkt(f_s, f_t):
    p_s, p_t = probabilities(f_s), probabilities(f_t)
    return torch.mean(p_t * torch.log((p_t + EPS) / (p_s + EPS)))


def cases():
    g = seeded(13)
    specs = [("b8s10t16", 8, 10, 16, None), ("b1", 1, 4, 6, None), ("b5zeroteacher", 5, 6, 6, "zero"),
             ("b3s2t2", 3, 2, 2, None)]
    for name, batch, ds, dt, edge in specs:
        case = Case("pkt", name)
        s = randn(g, batch, ds, scale=2)
        t = randn(g, batch, dt, scale=2)
        if edge == "zero":
            t[1] = 0  # a dead teacher embedding: similarity 1/2 with everything
        s = case.input("student_embedding", s, grad=True)
        t = case.input("teacher_embedding", t)
        yield case.finish(pkt(s, t))
