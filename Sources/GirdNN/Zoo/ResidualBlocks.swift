import GirdTensor

// The two residual blocks of He et al. (2016), shared by the CIFAR ResNets
// (RepDistiller's `resnet.py` and `resnetv2.py`) and torchvision's ImageNet
// ResNets. Their modules and `state_dict` names are the same in all three
// but for the projection shortcut's: `downsample` in `resnet.py` and
// torchvision, `shortcut` in `resnetv2.py`, so the blocks take that name.
// Convolutions have no bias and are kaiming-normal (fan_out), drawn in the
// order conv1, conv2, (conv3,) shortcut, as the zoo's seeded models always were.

/// Two 3x3 conv-BN pairs with an identity or 1x1-conv shortcut.
final class BasicBlock: Layer, PreactivatingBlock {
    let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm
    let shortcut: Sequential?

    init(_ inPlanes: Int, _ planes: Int, stride: Int, shortcutName: String = "downsample",
         generator: RandomGenerator) throws {
        conv1 = try zooConv(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, generator: generator)
        bn1 = try BatchNorm(planes)
        conv2 = try zooConv(planes, planes, kernelSize: 3, stride: 1, padding: 1, generator: generator)
        bn2 = try BatchNorm(planes)
        shortcut = try projectionShortcut(inPlanes, planes, stride: stride, generator: generator)
        super.init()
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        registerChild("conv2", conv2)
        registerChild("bn2", bn2)
        if let shortcut { registerChild(shortcutName, shortcut) }
    }

    override func forward(_ input: Tensor) throws -> Tensor { try forwardWithPreactivation(input).output }

    /// The block's output and the same before its final ReLU.
    func forwardWithPreactivation(_ x: Tensor) throws -> (output: Tensor, preact: Tensor) {
        let residual = try bn2(conv2(bn1(conv1(x)).relu()))
        let preact = try residual + (shortcut?(x) ?? x)
        return (try preact.relu(), preact)
    }
}

/// conv1x1-BN-ReLU, conv3x3 (carrying the stride, as torchvision's "v1.5"
/// and RepDistiller's)-BN-ReLU, conv1x1 to 4x the width-BN, plus the
/// shortcut, then ReLU.
final class Bottleneck: Layer, PreactivatingBlock {
    static let expansion = 4
    let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm, conv3: Conv2d, bn3: BatchNorm
    let shortcut: Sequential?

    init(_ inPlanes: Int, _ planes: Int, stride: Int, shortcutName: String = "downsample",
         generator: RandomGenerator) throws {
        let outPlanes = planes * Self.expansion
        conv1 = try zooConv(inPlanes, planes, kernelSize: 1, stride: 1, padding: 0, generator: generator)
        bn1 = try BatchNorm(planes)
        conv2 = try zooConv(planes, planes, kernelSize: 3, stride: stride, padding: 1, generator: generator)
        bn2 = try BatchNorm(planes)
        conv3 = try zooConv(planes, outPlanes, kernelSize: 1, stride: 1, padding: 0, generator: generator)
        bn3 = try BatchNorm(outPlanes)
        shortcut = try projectionShortcut(inPlanes, outPlanes, stride: stride, generator: generator)
        super.init()
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        registerChild("conv2", conv2)
        registerChild("bn2", bn2)
        registerChild("conv3", conv3)
        registerChild("bn3", bn3)
        if let shortcut { registerChild(shortcutName, shortcut) }
    }

    override func forward(_ input: Tensor) throws -> Tensor { try forwardWithPreactivation(input).output }

    func forwardWithPreactivation(_ x: Tensor) throws -> (output: Tensor, preact: Tensor) {
        let reduced = try bn1(conv1(x)).relu()
        let residual = try bn3(conv3(bn2(conv2(reduced)).relu()))
        let preact = try residual + (shortcut?(x) ?? x)
        return (try preact.relu(), preact)
    }
}

/// A strided 1x1 conv-BN when the block changes resolution or width, else
/// nil (the identity).
private func projectionShortcut(_ inPlanes: Int, _ outPlanes: Int, stride: Int,
                                generator: RandomGenerator) throws -> Sequential? {
    guard stride != 1 || inPlanes != outPlanes else { return nil }
    return Sequential([try zooConv(inPlanes, outPlanes, kernelSize: 1, stride: stride, padding: 0, generator: generator),
                       try BatchNorm(outPlanes)])
}
