"""SP: Tung and Mori, "Similarity-Preserving Knowledge Distillation" (ICCV
2019), as RepDistiller's Similarity (distiller_zoo/SP.py), in my own words:

    G = normalize_rows(F F^T), F the [B, -1] flattened feature map
    loss = sum over pairs of layers of |G_t - G_s|_F^2 / B^2

train_student reads one pair, feat[-2] (the last stage's output).
"""
import torch
import torch.nn.functional as F

from common import Case, randn, seeded


def sp_pair(f_s, f_t):
    batch = f_s.shape[0]
    g_s = F.normalize(f_s.reshape(batch, -1) @ f_s.reshape(batch, -1).t())
    g_t = F.normalize(f_t.reshape(batch, -1) @ f_t.reshape(batch, -1).t())
    return ((g_t - g_s) ** 2).view(-1, 1).sum(0) / (batch * batch)


def cases():
    g = seeded(12)
    specs = [("b6one", 6, [((4, 4, 4), (8, 2, 2))], None),
             ("b4two", 4, [((3, 4, 4), (5, 4, 4)), ((6, 2, 2), (7, 2, 2))], None),
             ("b1", 1, [((3, 2, 2), (4, 2, 2))], None),
             ("b5zeroteacher", 5, [((4, 3, 3), (4, 3, 3))], "zero")]
    for name, batch, shapes, edge in specs:
        case = Case("sp", name, {"pairs": len(shapes)})
        loss = 0
        for k, (s_shape, t_shape) in enumerate(shapes):
            s = randn(g, batch, *s_shape).relu()
            t = randn(g, batch, *t_shape).relu()
            if edge == "zero":
                t[2] = 0  # a dead teacher map: its Gram row normalises to zero
            s = case.input(f"student_{k}", s, grad=True)
            t = case.input(f"teacher_{k}", t)
            loss = loss + sp_pair(s, t)
        yield case.finish(loss.reshape(()))
