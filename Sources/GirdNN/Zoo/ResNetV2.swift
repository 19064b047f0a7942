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
//
// torchvision's own ResNets (`tv_resnet18/34/50`) are the same network in
// another `Style` (TorchvisionResNet.swift says how they differ).

public final class ResNetV2: Network {
    /// Whose ResNet: the stem, the classifier's and the shortcuts' names.
    public enum Style: Sendable {
        /// RepDistiller's CIFAR fit: 3x3 stride-1 stem, no max pooling,
        /// classifier `linear`, shortcuts `shortcut`.
        case cifar
        /// torchvision's: 7x7 stride-2 stem and 3x3 stride-2 max pooling,
        /// classifier `fc`, shortcuts `downsample`.
        case torchvision
    }

    public enum BlockKind: Sendable {
        /// Two 3x3 convolutions; a stage's output has its width.
        case basic
        /// 1x1 reduce, 3x3, 1x1 expand; a stage's output is 4x its width.
        case bottleneck

        var expansion: Int { self == .basic ? 1 : 4 }
    }

    let style: Style
    let conv1: Conv2d, bn1: BatchNorm
    private let stages: [[any PreactivatingBlock]]
    let classifier: ClassifierHead

    /// - Parameters:
    ///   - blocksPerStage: the number of blocks in each of the four stages
    ///     (ResNet18: [2, 2, 2, 2]; ResNet34 and 50: [3, 4, 6, 3]).
    ///   - lastStride: the fourth stage's stride (2; 1 for re-ID).
    public init(name: String, block: BlockKind, blocksPerStage: [Int], classes: Int, inChannels: Int,
                style: Style = .cifar, head: HeadKind = .classifier, lastStride: Int = 2, generator: RandomGenerator) throws {
        guard blocksPerStage.count == 4, blocksPerStage.allSatisfy({ $0 > 0 }) else {
            throw TensorError.invalidArgument(op: "resnet", message: "expected 4 positive block counts, got \(blocksPerStage)")
        }
        self.style = style
        let shortcutName = style == .cifar ? "shortcut" : "downsample"
        conv1 = style == .cifar
            ? try zooConv(inChannels, 64, kernelSize: 3, stride: 1, padding: 1, generator: generator)
            : try zooConv(inChannels, 64, kernelSize: 7, stride: 2, padding: 3, generator: generator)
        bn1 = try BatchNorm(64)
        var inPlanes = 64
        var stages: [[any PreactivatingBlock]] = []
        for (index, (planes, count)) in zip([64, 128, 256, 512], blocksPerStage).enumerated() {
            var blocks: [any PreactivatingBlock] = []
            for position in 0..<count {
                let stride = position == 0 && index > 0 ? (index == 3 ? lastStride : 2) : 1
                switch block {
                case .basic: blocks.append(try BasicBlock(inPlanes, planes, stride: stride, shortcutName: shortcutName, generator: generator))
                case .bottleneck: blocks.append(try Bottleneck(inPlanes, planes, stride: stride, shortcutName: shortcutName, generator: generator))
                }
                inPlanes = planes * block.expansion
            }
            stages.append(blocks)
        }
        self.stages = stages
        classifier = try ClassifierHead(head, features: inPlanes, classes: classes, generator: generator)
        super.init(name: name, classes: classes)
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        for (index, blocks) in stages.enumerated() {
            registerChild("layer\(index + 1)", Sequential(blocks.map { $0 as Layer }))
        }
        classifier.register(in: self, classifierName: style == .cifar ? "linear" : "fc")
    }

    public override var imageSize: Int { style == .cifar ? 32 : 224 }

    public override var tapNames: [String] {
        StagedNetwork.tapNames(stageCount: stages.count, head: classifier)
    }

    public override func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        var stem = try bn1(conv1(input)).relu()
        if style == .torchvision { stem = try stem.maxPool2d(kernel: 3, stride: 2, padding: 1) }
        taps.offer("stem", stem)
        let x = try StagedNetwork.forward(stem, stages: stages, taps: &taps)
        let embedding = try x.globalAvgPool()
        taps.offer("embedding", embedding)
        return try classifier.forward(embedding, taps: &taps)
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
                                                 classes: $0.classes, inChannels: $0.inChannels, head: $0.head,
                                                 lastStride: $0.lastStride, generator: $0.generator) }
        }
        return entries
    }()
}
