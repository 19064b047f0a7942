import GirdTensor

// The ImageNet ResNets (He et al., 2016, §3-4.1: widths 64-512, BasicBlocks
// or 4x Bottlenecks) fitted to CIFAR, as RepDistiller's `models/resnetv2.py`
// builds them: a 3x3 stride-1 stem without max pooling, four stages (the
// last three halving the resolution), global average pooling and a linear
// classifier named `linear`. "v2" is that file's name, not the
// pre-activation ResNet v2. Parameter names match its `state_dict()`
// (`layer2.0.shortcut.0.weight`; an identity shortcut is an empty
// Sequential there, so it has no entries); convolutions have no bias and
// are kaiming-normal (fan_out), batch norms (1, 0), the classifier PyTorch's
// default, as there (`zero_init_residual` is off in the factories).
//
// | tap             | RepDistiller `forward(is_feat=True)`                  |
// |-----------------|-------------------------------------------------------|
// | `stem`          | f0, after conv1-bn1-ReLU                              |
// | `stageK`        | fK, stage K's (`layerK`'s) output                     |
// | `stageK.preact` | fK_pre, its last block's sum before the ReLU          |
// | `embedding`     | f5, the globally pooled features                      |

public final class ResNetV2: Network {
    public enum BlockKind: Sendable {
        /// Two 3x3 convolutions; a stage's output has its width.
        case basic
        /// 1x1 reduce, 3x3, 1x1 expand; a stage's output is 4x its width.
        case bottleneck

        var expansion: Int { self == .basic ? 1 : 4 }
    }

    let conv1: Conv2d, bn1: BatchNorm
    private let stages: [[any PreactivatingBlock]]
    let linear: Linear

    /// - Parameter blocksPerStage: the number of blocks in each of the four
    ///   stages (ResNet18: [2, 2, 2, 2]; ResNet34 and 50: [3, 4, 6, 3]).
    public init(name: String, block: BlockKind, blocksPerStage: [Int], classes: Int, inChannels: Int,
                generator: RandomGenerator) throws {
        guard blocksPerStage.count == 4, blocksPerStage.allSatisfy({ $0 > 0 }) else {
            throw TensorError.invalidArgument(op: "resnet", message: "expected 4 positive block counts, got \(blocksPerStage)")
        }
        conv1 = try zooConv(inChannels, 64, kernelSize: 3, stride: 1, padding: 1, generator: generator)
        bn1 = try BatchNorm(64)
        var inPlanes = 64
        var stages: [[any PreactivatingBlock]] = []
        for (index, (planes, count)) in zip([64, 128, 256, 512], blocksPerStage).enumerated() {
            var blocks: [any PreactivatingBlock] = []
            for position in 0..<count {
                let stride = position == 0 && index > 0 ? 2 : 1
                switch block {
                case .basic: blocks.append(try BasicBlock(inPlanes, planes, stride: stride, generator: generator))
                case .bottleneck: blocks.append(try Bottleneck(inPlanes, planes, stride: stride, generator: generator))
                }
                inPlanes = planes * block.expansion
            }
            stages.append(blocks)
        }
        self.stages = stages
        linear = try Linear(inPlanes, classes, generator: generator)
        super.init(name: name, classes: classes)
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        for (index, blocks) in stages.enumerated() {
            registerChild("layer\(index + 1)", Sequential(blocks.map { $0 as Layer }))
        }
        registerChild("linear", linear)
    }

    public override var tapNames: [String] {
        StagedNetwork.tapNames(stageCount: stages.count)
    }

    public override func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        let stem = try bn1(conv1(input)).relu()
        taps.offer("stem", stem)
        let x = try StagedNetwork.forward(stem, stages: stages, taps: &taps)
        let embedding = try x.globalAvgPool()
        taps.offer("embedding", embedding)
        return try linear(embedding)
    }

    static let entries: [String: ZooBuilder] = {
        let models: [(name: String, block: BlockKind, blocksPerStage: [Int])] = [
            ("ResNet18", .basic, [2, 2, 2, 2]),
            ("ResNet34", .basic, [3, 4, 6, 3]),
            ("ResNet50", .bottleneck, [3, 4, 6, 3]),
        ]
        var entries: [String: ZooBuilder] = [:]
        for model in models {
            entries[model.name] = { try ResNetV2(name: model.name, block: model.block, blocksPerStage: model.blocksPerStage,
                                                 classes: $0.classes, inChannels: $0.inChannels, generator: $0.generator) }
        }
        return entries
    }()

    /// conv3x3-BN-ReLU, conv3x3-BN, plus the shortcut, then ReLU.
    fileprivate final class BasicBlock: Layer, PreactivatingBlock {
        let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm
        let shortcut: Sequential?

        init(_ inPlanes: Int, _ planes: Int, stride: Int, generator: RandomGenerator) throws {
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
            if let shortcut { registerChild("shortcut", shortcut) }
        }

        override func forward(_ input: Tensor) throws -> Tensor { try forwardWithPreactivation(input).output }

        func forwardWithPreactivation(_ x: Tensor) throws -> (output: Tensor, preact: Tensor) {
            let residual = try bn2(conv2(bn1(conv1(x)).relu()))
            let preact = try residual + (shortcut?(x) ?? x)
            return (try preact.relu(), preact)
        }
    }

    /// conv1x1-BN-ReLU, conv3x3 (strided)-BN-ReLU, conv1x1 to 4x the width-BN,
    /// plus the shortcut, then ReLU.
    fileprivate final class Bottleneck: Layer, PreactivatingBlock {
        let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm, conv3: Conv2d, bn3: BatchNorm
        let shortcut: Sequential?

        init(_ inPlanes: Int, _ planes: Int, stride: Int, generator: RandomGenerator) throws {
            let outPlanes = planes * BlockKind.bottleneck.expansion
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
            if let shortcut { registerChild("shortcut", shortcut) }
        }

        override func forward(_ input: Tensor) throws -> Tensor { try forwardWithPreactivation(input).output }

        func forwardWithPreactivation(_ x: Tensor) throws -> (output: Tensor, preact: Tensor) {
            let reduced = try bn1(conv1(x)).relu()
            let residual = try bn3(conv3(bn2(conv2(reduced)).relu()))
            let preact = try residual + (shortcut?(x) ?? x)
            return (try preact.relu(), preact)
        }
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
