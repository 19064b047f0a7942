import GirdTensor

// ShuffleNet V2 (Ma et al., 2018) as RepDistiller's `models/ShuffleNetv2.py`
// builds `ShuffleV2` (net size 1) for 32x32 images: a 1x1 stem to 24
// channels (no stride, no pooling), three stages reaching 116, 232 and 464
// channels, each a down-sampling block then 3, 7 and 3 basic blocks, a 1x1
// conv-BN-ReLU to 1024 channels, 4x4 average pooling and one linear layer.
//
// A basic block splits its channels in halves, leaves the first half as it
// is and runs the second through 1x1 conv, 3x3 depthwise conv and 1x1 conv;
// the halves are concatenated and shuffled in two groups. A down-sampling
// block runs two stride-2 branches on the whole input and does the same.
//
// Every layer keeps PyTorch's default initialisation (that file has no
// `_initialize_weights`): GIRD's `Conv2d`/`Linear` defaults are the same
// formulas. Convolutions have no bias.
//
// Taps, against `forward(is_feat=True, preact=...)`'s list:
//   stem            f0      conv1-bn1-ReLU, 24 channels, 32x32
//   stageK.preact   fK_pre  the stage's last basic block before its final
//                           ReLU: [untouched half, bn3 output] concatenated
//                           and NOT shuffled, so its channels are in another
//                           order than stageK's (as in RepDistiller)
//   stageK          fK      layerK's output (K = 1, 2, 3: 16x16, 8x8, 4x4)
//   embedding       f4      conv2-bn2-ReLU, 4x4-average-pooled, flattened (1024)

final class ShuffleNetV2BasicBlock: Layer {
    let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm, conv3: Conv2d, bn3: BatchNorm

    init(_ channels: Int, generator: RandomGenerator) throws {
        let half = channels / 2
        conv1 = try Conv2d(half, half, kernelSize: 1, bias: false, generator: generator)
        bn1 = try BatchNorm(half)
        conv2 = try Conv2d(half, half, kernelSize: 3, padding: 1, groups: half, bias: false, generator: generator)
        bn2 = try BatchNorm(half)
        conv3 = try Conv2d(half, half, kernelSize: 1, bias: false, generator: generator)
        bn3 = try BatchNorm(half)
        super.init()
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        registerChild("conv2", conv2)
        registerChild("bn2", bn2)
        registerChild("conv3", conv3)
        registerChild("bn3", bn3)
    }

    override func forward(_ input: Tensor) throws -> Tensor { try forwardWithPreactivation(input, wantsPreactivation: false).output }

    /// The block's output and, if asked, its pre-activation (see the taps
    /// above); the pre-activation costs a concatenation, so only the
    /// stage's last block is asked, and only when that tap is wanted.
    func forwardWithPreactivation(_ x: Tensor, wantsPreactivation: Bool) throws -> (output: Tensor, preact: Tensor?) {
        let halves = try x.splitChannels([x.shape[1] / 2, x.shape[1] - x.shape[1] / 2])
        let (kept, branch) = (halves[0], halves[1])
        let preact = try bn3(conv3(bn2(conv2(bn1(conv1(branch)).relu()))))
        let output = try Tensor.concatenatedChannels([kept, preact.relu()], shuffleGroups: 2)
        return (output, wantsPreactivation ? try Tensor.concatenatedChannels([kept, preact]) : nil)
    }
}

final class ShuffleNetV2DownBlock: Layer {
    let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm
    let conv3: Conv2d, bn3: BatchNorm, conv4: Conv2d, bn4: BatchNorm, conv5: Conv2d, bn5: BatchNorm

    init(_ inChannels: Int, _ outChannels: Int, generator: RandomGenerator) throws {
        let middle = outChannels / 2
        // Left branch: depthwise stride-2, then 1x1.
        conv1 = try Conv2d(inChannels, inChannels, kernelSize: 3, stride: 2, padding: 1, groups: inChannels, bias: false, generator: generator)
        bn1 = try BatchNorm(inChannels)
        conv2 = try Conv2d(inChannels, middle, kernelSize: 1, bias: false, generator: generator)
        bn2 = try BatchNorm(middle)
        // Right branch: 1x1, depthwise stride-2, 1x1.
        conv3 = try Conv2d(inChannels, middle, kernelSize: 1, bias: false, generator: generator)
        bn3 = try BatchNorm(middle)
        conv4 = try Conv2d(middle, middle, kernelSize: 3, stride: 2, padding: 1, groups: middle, bias: false, generator: generator)
        bn4 = try BatchNorm(middle)
        conv5 = try Conv2d(middle, middle, kernelSize: 1, bias: false, generator: generator)
        bn5 = try BatchNorm(middle)
        super.init()
        for (name, layer) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3),
                              ("bn3", bn3), ("conv4", conv4), ("bn4", bn4), ("conv5", conv5), ("bn5", bn5)] as [(String, Layer)] {
            registerChild(name, layer)
        }
    }

    override func forward(_ x: Tensor) throws -> Tensor {
        let left = try bn2(conv2(bn1(conv1(x)))).relu()
        let right = try bn5(conv5(bn4(conv4(bn3(conv3(x)).relu())))).relu()
        return try Tensor.concatenatedChannels([left, right], shuffleGroups: 2)
    }
}

public final class ShuffleNetV2: Network {
    let conv1: Conv2d, bn1: BatchNorm
    let stages: [(down: ShuffleNetV2DownBlock, blocks: [ShuffleNetV2BasicBlock])]
    let conv2: Conv2d, bn2: BatchNorm
    let linear: Linear

    /// - Parameters:
    ///   - stageWidths: each stage's output channels (even), then the last conv's.
    ///   - stageBlocks: basic blocks per stage, after its down-sampling block.
    public init(name: String, stageWidths: [Int] = [116, 232, 464, 1024], stageBlocks: [Int] = [3, 7, 3],
                classes: Int, inChannels: Int, generator: RandomGenerator) throws {
        guard stageWidths.count == stageBlocks.count + 1, !stageBlocks.isEmpty, stageBlocks.allSatisfy({ $0 > 0 }),
              stageWidths.dropLast().allSatisfy({ $0 > 0 && $0 % 2 == 0 }) else {
            throw TensorError.invalidArgument(op: "ShuffleNetV2", message: "needs an even width and a positive block count per stage, and the last conv's width, got \(stageWidths), \(stageBlocks)")
        }
        let stemWidth = 24
        conv1 = try Conv2d(inChannels, stemWidth, kernelSize: 1, bias: false, generator: generator)
        bn1 = try BatchNorm(stemWidth)
        var channels = stemWidth
        var stages: [(down: ShuffleNetV2DownBlock, blocks: [ShuffleNetV2BasicBlock])] = []
        for (width, count) in zip(stageWidths, stageBlocks) {
            let down = try ShuffleNetV2DownBlock(channels, width, generator: generator)
            stages.append((down, try (0..<count).map { _ in try ShuffleNetV2BasicBlock(width, generator: generator) }))
            channels = width
        }
        self.stages = stages
        let lastWidth = stageWidths[stageWidths.count - 1]
        conv2 = try Conv2d(channels, lastWidth, kernelSize: 1, bias: false, generator: generator)
        bn2 = try BatchNorm(lastWidth)
        linear = try Linear(lastWidth, classes, generator: generator)
        super.init(name: name, classes: classes)
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        for (index, stage) in stages.enumerated() {
            registerChild("layer\(index + 1)", Sequential([stage.down] + stage.blocks))
        }
        registerChild("conv2", conv2)
        registerChild("bn2", bn2)
        registerChild("linear", linear)
    }

    public override var tapNames: [String] {
        ["stem"] + (1...stages.count).flatMap { ["stage\($0).preact", "stage\($0)"] } + ["embedding", "logits"]
    }

    public override func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        var x = try bn1(conv1(input)).relu()
        taps.offer("stem", x)
        for (index, stage) in stages.enumerated() {
            let name = "stage\(index + 1)"
            x = try stage.down(x)
            for (position, block) in stage.blocks.enumerated() {
                let isLast = position == stage.blocks.count - 1
                let (output, preact) = try block.forwardWithPreactivation(x, wantsPreactivation: isLast && taps.wanted.contains(name + ".preact"))
                x = output
                if let preact { taps.offer(name + ".preact", preact) }
            }
            taps.offer(name, x)
        }
        let embedding = try bn2(conv2(x)).relu().avgPool2d(kernel: 4).flattened()
        taps.offer("embedding", embedding)
        return try linear(embedding)
    }

    static let entries: [String: ZooBuilder] = [
        "ShuffleV2": { try ShuffleNetV2(name: "ShuffleV2", classes: $0.classes, inChannels: $0.inChannels, generator: $0.generator) },
    ]
}
