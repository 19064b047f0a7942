"""torchvision's ImageNet networks for the zoo's cross-check fixtures
(imported by scripts/zoo_reference.py): `tv_resnet18`, `tv_resnet34`,
`tv_resnet50` and `tv_mobilenet_v2` are torchvision's own classes
(`torchvision.models.ResNet`, `MobileNetV2`), so the modules, `state_dict`
keys, shapes and order are torchvision's. Only `forward` is written here, to
hand out GIRD's taps (see Sources/GirdNN/Zoo/TorchvisionResNet.swift and
TorchvisionMobileNetV2.swift); `checked_forward` asserts that its logits are
torchvision's own forward's, bit for bit, on every model it builds.

Taps:
    ResNets      stem (after the max pooling), stageK (layerK), stageK.preact
                 (layerK's last block before its final ReLU), embedding
    MobileNetV2  stem (features.0), stage1..4 (after features.3, 6, 13, 18),
                 embedding
"""
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck

# The fixtures' images: large enough that the last stage is 2x2 (a batch norm
# over 8 values per channel in training mode, as mobile_half's), small enough
# for float64 references in seconds.
INPUT_SHAPE = (2, 3, 64, 64)


def _tap(taps, name, tensor):
    if taps is not None:
        taps[name] = tensor


def _block(block, x):
    """A torchvision residual block's output and its sum before the final ReLU."""
    if isinstance(block, Bottleneck):
        out = F.relu(block.bn1(block.conv1(x)))
        out = F.relu(block.bn2(block.conv2(out)))
        out = block.bn3(block.conv3(out))
    else:
        assert isinstance(block, BasicBlock)
        out = F.relu(block.bn1(block.conv1(x)))
        out = block.bn2(block.conv2(out))
    shortcut = x if block.downsample is None else block.downsample(x)
    preact = out + shortcut
    return F.relu(preact), preact


class TapResNet(torchvision.models.ResNet):
    def forward(self, x, taps=None):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        _tap(taps, "stem", x)
        for k in range(1, 5):
            preact = None
            for block in getattr(self, "layer%d" % k):
                x, preact = _block(block, x)
            _tap(taps, "stage%d.preact" % k, preact)
            _tap(taps, "stage%d" % k, x)
        x = torch.flatten(self.avgpool(x), 1)
        _tap(taps, "embedding", x)
        return self.fc(x)


class TapMobileNetV2(torchvision.models.MobileNetV2):
    TAPPED = {0: "stem", 3: "stage1", 6: "stage2", 13: "stage3", 18: "stage4"}

    def forward(self, x, taps=None):
        for index, layer in enumerate(self.features):
            x = layer(x)
            if index in self.TAPPED:
                _tap(taps, self.TAPPED[index], x)
        x = torch.flatten(F.adaptive_avg_pool2d(x, (1, 1)), 1)
        _tap(taps, "embedding", x)
        return self.classifier(x)


def checked_forward(model, reference_forward):
    """Asserts that `model`'s forward (ours, with taps) gives exactly the
    logits of torchvision's own `reference_forward` on a random batch."""
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    model.eval()
    with torch.no_grad():
        ours, theirs = model(x), reference_forward(model, x)
    assert torch.equal(ours, theirs), "our forward differs from torchvision's"
    return model


def resnet(block, layers):
    def make(classes):
        return checked_forward(TapResNet(block, layers, num_classes=classes), torchvision.models.ResNet.forward)
    return make


def mobilenet_v2(classes):
    model = checked_forward(TapMobileNetV2(num_classes=classes), torchvision.models.MobileNetV2.forward)
    # Dropout (p = 0.2) draws from PyTorch's generator in training mode, which
    # no other engine shares: the fixtures' training step runs without it
    # (the Swift test sets the same).
    model.classifier[0].p = 0.0
    return model


ZOO = {
    "tv_resnet18": resnet(BasicBlock, [2, 2, 2, 2]),
    "tv_resnet34": resnet(BasicBlock, [3, 4, 6, 3]),
    "tv_resnet50": resnet(Bottleneck, [3, 4, 6, 3]),
    "tv_mobilenet_v2": mobilenet_v2,
}

# What torchvision's constructors give with 1000 classes (the published
# counts: 11,689,512, 21,797,672, 25,557,032 and 3,504,872).
PARAMETERS_1000 = {"tv_resnet18": 11689512, "tv_resnet34": 21797672, "tv_resnet50": 25557032, "tv_mobilenet_v2": 3504872}
