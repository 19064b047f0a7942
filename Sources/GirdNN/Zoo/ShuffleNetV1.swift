import GirdTensor

// ShuffleNet (Zhang et al., 2018) as RepDistiller's `models/ShuffleNetv1.py`
// builds `ShuffleV1` for 32x32 images: a 1x1 stem to 24 channels (no
// stride, no pooling), three stages of 4, 8 and 4 bottlenecks reaching 240,
// 480 and 960 channels with 3 groups, 4x4 average pooling and one linear
// layer. A bottleneck is a grouped 1x1 conv to a quarter of its width, a
// channel shuffle, a 3x3 depthwise conv and a grouped 1x1 conv; a stage's
// first block halves the resolution and concatenates a 3x3 stride-2
// average pooling of its input instead of adding the input.
//
// Every layer keeps PyTorch's default initialisation (that file has no
// `_initialize_weights`): GIRD's `Conv2d`/`Linear` defaults are the same
// formulas. Convolutions have no bias.
//
// Taps, against `forward(is_feat=True, preact=...)`'s list:
//   stem            f0      conv1-bn1-ReLU, 24 channels, 32x32
//   stageK.preact   fK_pre  the stage's last block before its final ReLU
//   stageK          fK      layerK's output (K = 1, 2, 3: 16x16, 8x8, 4x4)
//   embedding       f4      4x4-average-pooled, flattened (960)

final class ShuffleNetV1Bottleneck: Layer, PreactivatingBlock {
    let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm, conv3: Conv2d, bn3: BatchNorm
    let stride: Int
    /// Groups of the first 1x1 conv and of the shuffle after it.
    let firstGroups: Int

    init(_ inPlanes: Int, _ outPlanes: Int, stride: Int, groups: Int, generator: RandomGenerator) throws {
        let middle = outPlanes / 4
        // As RepDistiller: the block fed by the 24-channel stem does not
        // group its first conv (24 input channels are too few to split).
        firstGroups = inPlanes == 24 ? 1 : groups
        self.stride = stride
        conv1 = try Conv2d(inPlanes, middle, kernelSize: 1, groups: firstGroups, bias: false, generator: generator)
        bn1 = try BatchNorm(middle)
        conv2 = try Conv2d(middle, middle, kernelSize: 3, stride: stride, padding: 1, groups: middle, bias: false, generator: generator)
        bn2 = try BatchNorm(middle)
        conv3 = try Conv2d(middle, outPlanes, kernelSize: 1, groups: groups, bias: false, generator: generator)
        bn3 = try BatchNorm(outPlanes)
        super.init()
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        registerChild("conv2", conv2)
        registerChild("bn2", bn2)
        registerChild("conv3", conv3)
        registerChild("bn3", bn3)
    }

    override func forward(_ input: Tensor) throws -> Tensor { try forwardWithPreactivation(input).output }

    /// The block's output and the same before its final ReLU.
    func forwardWithPreactivation(_ x: Tensor) throws -> (output: Tensor, preact: Tensor) {
        var out = try bn1(conv1(x)).relu()
        if firstGroups > 1 { out = try out.channelShuffled(groups: firstGroups) }
        out = try bn3(conv3(bn2(conv2(out)).relu()))
        let preact = stride == 2
            ? try Tensor.concatenatedChannels([out, x.avgPool2d(kernel: 3, stride: 2, padding: 1)])
            : try out + x
        return (try preact.relu(), preact)
    }
}

public final class ShuffleNetV1: Network {
    let conv1: Conv2d, bn1: BatchNorm
    let stages: [[ShuffleNetV1Bottleneck]]
    let linear: Linear

    /// - Parameters:
    ///   - stageWidths: each stage's output channels.
    ///   - stageBlocks: bottlenecks per stage.
    ///   - groups: groups of the 1x1 convolutions and of the shuffles.
    public init(name: String, stageWidths: [Int] = [240, 480, 960], stageBlocks: [Int] = [4, 8, 4], groups: Int = 3,
                classes: Int, inChannels: Int, generator: RandomGenerator) throws {
        guard stageWidths.count == stageBlocks.count, !stageWidths.isEmpty, stageBlocks.allSatisfy({ $0 > 0 }), groups > 0 else {
            throw TensorError.invalidArgument(op: "ShuffleNetV1", message: "needs one width and a positive block count per stage, got \(stageWidths), \(stageBlocks)")
        }
        let stemWidth = 24
        conv1 = try Conv2d(inChannels, stemWidth, kernelSize: 1, bias: false, generator: generator)
        bn1 = try BatchNorm(stemWidth)
        var inPlanes = stemWidth
        var stages: [[ShuffleNetV1Bottleneck]] = []
        for (width, count) in zip(stageWidths, stageBlocks) {
            var blocks: [ShuffleNetV1Bottleneck] = []
            for index in 0..<count {
                // The first block concatenates its pooled input, so it makes
                // only the channels that are missing.
                let made = index == 0 ? width - inPlanes : width
                blocks.append(try ShuffleNetV1Bottleneck(inPlanes, made, stride: index == 0 ? 2 : 1, groups: groups, generator: generator))
                inPlanes = width
            }
            stages.append(blocks)
        }
        self.stages = stages
        linear = try Linear(inPlanes, classes, generator: generator)
        super.init(name: name, classes: classes)
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        for (index, blocks) in stages.enumerated() {
            registerChild("layer\(index + 1)", Sequential(blocks))
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
        let embedding = try x.avgPool2d(kernel: 4).flattened()
        taps.offer("embedding", embedding)
        return try linear(embedding)
    }

    static let entries: [String: ZooBuilder] = [
        "ShuffleV1": { try ShuffleNetV1(name: "ShuffleV1", classes: $0.classes, inChannels: $0.inChannels, generator: $0.generator) },
    ]
}
