"""CRD: Tian, Krishnan, Isola, "Contrastive Representation Distillation"
(ICLR 2020), as RepDistiller's CRDLoss (crd/criterion.py) with its
ContrastMemory (crd/memory.py), in my own words:

    v_s = l2norm(W_s f_s + b_s), v_t = l2norm(W_t f_t + b_t)     (Embed heads)
    for each image b and the K + 1 dataset indices j = idx[b] (positive first):
        out_s[b, j] = exp(<M_t[j], v_s[b]> / T) / Z_s    (teacher bank, student anchor)
        out_t[b, j] = exp(<M_s[j], v_t[b]> / T) / Z_t    (student bank, teacher anchor)
    Z = mean(exp(...)) * N, fixed on the first batch (then kept)
    NCE (ContrastLoss), Pn = 1/N, m = K:
        L(x) = -(1/B) [sum_b log(x_b0 / (x_b0 + m Pn + eps))
                       + sum_{b, k>0} log(m Pn / (x_bk + m Pn + eps))],  eps = 1e-7
    loss = L(out_s) + L(out_t)
    then M[y] <- normalise(m M[y] + (1 - m) v) for both banks (momentum m = 0.5)

The negatives are an input here (contrast_idx), so both sides use the same.
The fixtures keep the banks after the update, the Z constants and the
gradient of both Embed heads' parameters.
"""
import math

import torch
import torch.nn as nn

from common import Case, randn, seeded

EPS = 1e-7


class Embed(nn.Module):
    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.linear = nn.Linear(dim_in, dim_out)

    def forward(self, x):
        x = self.linear(x.view(x.shape[0], -1))
        return x / x.pow(2).sum(1, keepdim=True).pow(0.5)


def nce(x, n_data):
    batch, m = x.shape[0], x.shape[1] - 1
    pn = 1 / float(n_data)
    positive = x.select(1, 0)
    log_d1 = torch.log(positive / (positive + m * pn + EPS))
    negative = x.narrow(1, 1, m)
    log_d0 = torch.log(torch.full_like(negative, m * pn) / (negative + m * pn + EPS))
    return -(log_d1.sum(0) + log_d0.reshape(-1, 1).sum(0)) / batch


def cases():
    g = seeded(16)
    torch.manual_seed(16)
    specs = [("b4first", 4, 12, 20, 8, 40, 16, -1.0, -1.0, 0.07, 0.5),
             ("b3later", 3, 6, 10, 4, 25, 8, 30.0, 27.5, 0.07, 0.5),
             ("b1t05m09", 1, 5, 5, 6, 12, 5, -1.0, -1.0, 0.5, 0.9)]
    for name, batch, s_dim, t_dim, feat_dim, n_data, k, z_s, z_t, T, momentum in specs:
        case = Case("crd", name, {"feat_dim": feat_dim, "n_data": n_data, "nce_k": k, "nce_t": T,
                                  "nce_m": momentum, "z_student": z_s, "z_teacher": z_t})
        embed_s, embed_t = Embed(s_dim, feat_dim).double(), Embed(t_dim, feat_dim).double()
        case.module("embed_s.", embed_s)
        case.module("embed_t.", embed_t)
        stdv = 1. / math.sqrt(feat_dim / 3)
        bank_s = case.input("memory_student", (torch.rand(n_data, feat_dim, generator=g, dtype=torch.float64) * 2 - 1) * stdv)
        bank_t = case.input("memory_teacher", (torch.rand(n_data, feat_dim, generator=g, dtype=torch.float64) * 2 - 1) * stdv)
        f_s = case.input("student_embedding", randn(g, batch, s_dim), grad=True)
        f_t = case.input("teacher_embedding", randn(g, batch, t_dim).relu())
        y = torch.randperm(n_data, generator=g)[:batch]
        idx = torch.randint(0, n_data, (batch, k + 1), generator=g)
        idx[:, 0] = y
        y = case.input("indices", y)
        idx = case.input("contrast_indices", idx)

        v_s, v_t = embed_s(f_s), embed_t(f_t)
        # out_s: the teacher bank against the student's anchor; out_t the converse
        out_s = torch.exp(torch.bmm(bank_t[idx.view(-1)].view(batch, k + 1, feat_dim), v_s.view(batch, feat_dim, 1)) / T)
        out_t = torch.exp(torch.bmm(bank_s[idx.view(-1)].view(batch, k + 1, feat_dim), v_t.view(batch, feat_dim, 1)) / T)
        if z_s < 0:
            z_s = (out_s.mean() * n_data).item()
        if z_t < 0:
            z_t = (out_t.mean() * n_data).item()
        out_s, out_t = (out_s / z_s).squeeze(2), (out_t / z_t).squeeze(2)
        loss = (nce(out_s, n_data) + nce(out_t, n_data)).reshape(())

        with torch.no_grad():
            new_s, new_t = bank_s.detach().clone(), bank_t.detach().clone()
            for bank, v in ((new_s, v_s), (new_t, v_t)):
                rows = bank[y] * momentum + v * (1 - momentum)
                bank[y] = rows / rows.pow(2).sum(1, keepdim=True).pow(0.5)
        case.finish(loss, memory_student=new_s, memory_teacher=new_t,
                    z=torch.tensor([z_s, z_t], dtype=torch.float64))
        for prefix, module in (("embed_s.", embed_s), ("embed_t.", embed_t)):
            for key, parameter in module.named_parameters():
                case.outputs["grad." + prefix + key] = parameter.grad.detach().clone()
        yield case
