"""FitNet: Romero et al., "FitNets: Hints for Thin Deep Nets" (ICLR 2015),
as RepDistiller trains it: the student's hint layer (feat[2]) goes through
a ConvReg connector (models/util.py) and is compared to the teacher's with
HintLoss (distiller_zoo/FitNet.py), an MSE. The connector, in my own words:

    s_H == 2 t_H:  Conv2d(s_C, t_C, 3, stride 2, padding 1)
    2 s_H == t_H:  ConvTranspose2d(s_C, t_C, 4, stride 2, padding 1)
    s_H >= t_H:    Conv2d(s_C, t_C, (1 + s_H - t_H, 1 + s_W - t_W))
    then BatchNorm2d(t_C) (training mode, batch statistics) and ReLU
    loss = mean((relu(bn(conv(F_s))) - F_t)^2)

The fixtures also keep the gradient of every connector parameter.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import Case, randn, seeded


class ConvRegressor(nn.Module):
    def __init__(self, s_shape, t_shape):
        super().__init__()
        _, s_c, s_h, s_w = s_shape
        _, t_c, t_h, t_w = t_shape
        if s_h == 2 * t_h:
            self.conv = nn.Conv2d(s_c, t_c, kernel_size=3, stride=2, padding=1)
        elif s_h * 2 == t_h:
            self.conv = nn.ConvTranspose2d(s_c, t_c, kernel_size=4, stride=2, padding=1)
        elif s_h >= t_h:
            self.conv = nn.Conv2d(s_c, t_c, kernel_size=(1 + s_h - t_h, 1 + s_w - t_w))
        else:
            raise ValueError("unsupported sizes")
        self.bn = nn.BatchNorm2d(t_c)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


def cases():
    g = seeded(15)
    torch.manual_seed(15)
    specs = [("b4down", 4, (3, 8, 8), (5, 4, 4)), ("b3up", 3, (4, 2, 2), (3, 4, 4)),
             ("b3kernel3", 3, (2, 6, 6), (4, 4, 4)), ("b2same", 2, (3, 4, 4), (6, 4, 4)),
             ("b2rect", 2, (2, 5, 6), (3, 3, 3))]
    for name, batch, s_shape, t_shape in specs:
        case = Case("fitnet", name)
        regressor = ConvRegressor((batch,) + s_shape, (batch,) + t_shape).double()
        with torch.no_grad():
            # non-trivial batch-norm affine parameters, so that they are checked
            regressor.bn.weight.copy_(torch.rand(t_shape[0], generator=g, dtype=torch.float64) + 0.5)
            regressor.bn.bias.copy_(torch.randn(t_shape[0], generator=g, dtype=torch.float64) * 0.1)
        case.module("", regressor)
        s = case.input("student_feature", randn(g, batch, *s_shape), grad=True)
        t = case.input("teacher_feature", randn(g, batch, *t_shape).relu())
        case.finish(F.mse_loss(regressor(s), t))
        for key, parameter in regressor.named_parameters():
            case.outputs["grad." + key] = parameter.grad.detach().clone()
        yield case
