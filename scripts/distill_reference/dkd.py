"""DKD: mdistiller's dkd_loss (mdistiller/distillers/DKD.py), written out.

    gt = one-hot(target); other = 1 - gt
    p_s = softmax(z_s / T); p_t = softmax(z_t / T)
    b_s = [sum(p_s * gt), sum(p_s * other)]   (and b_t alike)
    tckd = kl_div(log b_s, b_t, sum) * T**2 / batch
    nckd = kl_div(log_softmax(z_s / T - 1000 gt), softmax(z_t / T - 1000 gt), sum) * T**2 / batch
    loss = warmup * (alpha * tckd + beta * nckd),  warmup = min(epoch / warmup_epochs, 1)
"""
import torch
import torch.nn.functional as F

from common import Case, randn, seeded


def dkd(z_s, z_t, target, alpha, beta, T):
    gt = torch.zeros_like(z_s).scatter_(1, target.unsqueeze(1), 1.0)
    other = 1.0 - gt
    p_s, p_t = F.softmax(z_s / T, dim=1), F.softmax(z_t / T, dim=1)
    b_s = torch.cat([(p_s * gt).sum(1, keepdim=True), (p_s * other).sum(1, keepdim=True)], dim=1)
    b_t = torch.cat([(p_t * gt).sum(1, keepdim=True), (p_t * other).sum(1, keepdim=True)], dim=1)
    batch = target.shape[0]
    tckd = F.kl_div(torch.log(b_s), b_t, reduction="sum") * T ** 2 / batch
    nckd = F.kl_div(F.log_softmax(z_s / T - 1000.0 * gt, dim=1), F.softmax(z_t / T - 1000.0 * gt, dim=1),
                    reduction="sum") * T ** 2 / batch
    return alpha * tckd + beta * nckd, tckd, nckd


def cases():
    g = seeded(11)
    for name, batch, classes, alpha, beta, T, warmup, epoch in [
        ("b8c10_defaults", 8, 10, 1.0, 8.0, 4.0, 20, None),
        ("b4c100_beta2_epoch5", 4, 100, 1.0, 2.0, 4.0, 20, 5),
        ("b3c2_t1_two_classes", 3, 2, 0.5, 3.0, 1.0, 0, 7),
        ("b1c5_epoch40", 1, 5, 1.0, 8.0, 2.0, 20, 40),
    ]:
        case = Case("dkd", name, {"alpha": alpha, "beta": beta, "T": T, "warmup": warmup,
                                  "epoch": -1 if epoch is None else epoch})
        s = case.input("student_logits", randn(g, batch, classes, scale=3), grad=True)
        t = case.input("teacher_logits", randn(g, batch, classes, scale=3))
        y = case.input("labels", torch.randint(0, classes, (batch,), generator=g))
        loss, tckd, nckd = dkd(s, t, y, alpha, beta, T)
        factor = 1.0 if epoch is None or warmup == 0 else min(epoch / warmup, 1.0)
        yield case.finish(factor * loss, tckd=tckd, nckd=nckd)
