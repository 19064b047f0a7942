"""AT: Zagoruyko and Komodakis, "Paying More Attention to Attention" (ICLR
2017), as RepDistiller's Attention (distiller_zoo/AT.py), in my own words:

    a(F) = normalize(mean_c F^p, flattened per image)      (p = 2)
    the larger map is first adaptive-average-pooled to the smaller side (square)
    loss = sum over pairs of mean((a(F_s) - a(F_t))^2)

train_student reads feat[1:-1], the stage outputs.
"""
import torch.nn.functional as F

from common import Case, randn, seeded


def attention(f, p):
    return F.normalize(f.pow(p).mean(1).view(f.size(0), -1))


def at_pair(f_s, f_t, p):
    s_h, t_h = f_s.shape[2], f_t.shape[2]
    if s_h > t_h:
        f_s = F.adaptive_avg_pool2d(f_s, (t_h, t_h))
    elif s_h < t_h:
        f_t = F.adaptive_avg_pool2d(f_t, (s_h, s_h))
    return (attention(f_s, p) - attention(f_t, p)).pow(2).mean()


def cases():
    g = seeded(14)
    specs = [("b4three", 4, 2.0, [((3, 8, 8), (5, 4, 4)), ((4, 4, 4), (6, 8, 8)), ((2, 4, 4), (3, 4, 4))], None),
             ("b1", 1, 2.0, [((3, 4, 4), (2, 4, 4))], None),
             ("b3p4", 3, 4.0, [((2, 6, 6), (3, 3, 3))], None),
             ("b3zero", 3, 2.0, [((3, 4, 4), (3, 4, 4))], "zero")]
    for name, batch, p, shapes, edge in specs:
        case = Case("at", name, {"p": p, "pairs": len(shapes)})
        loss = 0
        for k, (s_shape, t_shape) in enumerate(shapes):
            s = randn(g, batch, *s_shape)
            t = randn(g, batch, *t_shape)
            if edge == "zero":
                s[1] = 0  # a dead student map: attention 0, gradient 0
                t[2] = 0
            s = case.input(f"student_{k}", s, grad=True)
            t = case.input(f"teacher_{k}", t)
            loss = loss + at_pair(s, t, p)
        yield case.finish(loss)
