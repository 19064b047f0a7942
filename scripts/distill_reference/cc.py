"""CC: RepDistiller's Correlation (distiller_zoo/CC.py) on LinearEmbed'ed
embeddings (models/util.py; train_student.py --distill correlation), written out:

    e_s = embed_s(f_s.view(B, -1)); e_t = embed_t(f_t.view(B, -1))     (nn.Linear each)
    delta = |e_s - e_t|
    loss = mean over i < B-1 of sum_j delta[i, j] * delta[i+1, j]
"""
import torch
import torch.nn as nn

from common import Case, randn, seeded


class LinearEmbed(nn.Module):
    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.linear = nn.Linear(dim_in, dim_out)

    def forward(self, x):
        return self.linear(x.reshape(x.shape[0], -1))


def correlation(e_s, e_t):
    delta = (e_s - e_t).abs()
    return (delta[:-1] * delta[1:]).sum(1).mean()


def cases():
    g = seeded(21)
    torch.manual_seed(21)
    for name, batch, s_dim, t_dim, feat in [("b6s16t24d8", 6, 16, 24, 8), ("b2s5t5d3", 2, 5, 5, 3),
                                            ("b4_maps_s2x2x2_t3x2x2_d4", 4, (2, 2, 2), (3, 2, 2), 4)]:
        case = Case("cc", name, {"feat_dim": feat})
        s_shape = (batch,) + (s_dim if isinstance(s_dim, tuple) else (s_dim,))
        t_shape = (batch,) + (t_dim if isinstance(t_dim, tuple) else (t_dim,))
        f_s = case.input("student", randn(g, *s_shape), grad=True)
        f_t = case.input("teacher", randn(g, *t_shape))
        embed_s = LinearEmbed(f_s[0].numel(), feat).double()
        embed_t = LinearEmbed(f_t[0].numel(), feat).double()
        case.module("embed_s.", embed_s)
        case.module("embed_t.", embed_t)
        e_s, e_t = embed_s(f_s), embed_t(f_t)
        # the connectors' weight gradients are checked too
        w_s = embed_s.linear.weight
        loss = correlation(e_s, e_t)
        yield case.finish(loss, grad_embed_s_weight=torch.autograd.grad(loss, w_s, retain_graph=True)[0],
                          grad_embed_t_weight=torch.autograd.grad(loss, embed_t.linear.weight, retain_graph=True)[0])
