import GirdTensor

// The CIFAR ResNets of He et al. (2016, §4.2) as RepDistiller's
// `models/resnet.py` builds them: a 3x3 stem, three stages of BasicBlocks
// (n = (depth - 2) / 6 each, the 2nd and 3rd stages halving the resolution),
// 8x8 average pooling and a linear classifier. `resnet8x4`/`resnet32x4` are
// the 4x-wide variants of the distillation literature. Parameter names match
// that file's `state_dict()`; convolutions have no bias and are initialised
// kaiming-normal (fan_out), batch norms to (1, 0), as there.

public final class ResNetCIFAR: Network {
    let conv1: Conv2d, bn1: BatchNorm
    let stages: [[BasicBlock]]
    let fc: ClassifierHead

    /// - Parameters:
    ///   - depth: 6n + 2 (8, 14, 20, 32, 44, 56, 110).
    ///   - filters: the stem's width, then each stage's.
    public init(name: String, depth: Int, filters: [Int], classes: Int, inChannels: Int,
                head: HeadKind = .classifier, generator: RandomGenerator) throws {
        guard (depth - 2) % 6 == 0, depth >= 8, filters.count == 4 else {
            throw TensorError.invalidArgument(op: "resnet", message: "depth must be 6n + 2 with 4 widths, got \(depth), \(filters)")
        }
        let blocksPerStage = (depth - 2) / 6
        conv1 = try zooConv(inChannels, filters[0], kernelSize: 3, stride: 1, padding: 1, generator: generator)
        bn1 = try BatchNorm(filters[0])
        var inPlanes = filters[0]
        var stages: [[BasicBlock]] = []
        for (index, planes) in filters.dropFirst().enumerated() {
            var blocks: [BasicBlock] = []
            for block in 0..<blocksPerStage {
                blocks.append(try BasicBlock(inPlanes, planes, stride: block == 0 && index > 0 ? 2 : 1, generator: generator))
                inPlanes = planes
            }
            stages.append(blocks)
        }
        self.stages = stages
        fc = try ClassifierHead(head, features: inPlanes, classes: classes, generator: generator)
        super.init(name: name, classes: classes)
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        for (index, blocks) in stages.enumerated() {
            registerChild("layer\(index + 1)", Sequential(blocks))
        }
        fc.register(in: self, classifierName: "fc")
    }

    public override var tapNames: [String] {
        StagedNetwork.tapNames(stageCount: stages.count, head: fc)
    }

    public override func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        let stem = try bn1(conv1(input)).relu()
        taps.offer("stem", stem)
        let x = try StagedNetwork.forward(stem, stages: stages, taps: &taps)
        let embedding = try x.avgPool2d(kernel: 8).flattened()
        taps.offer("embedding", embedding)
        return try fc.forward(embedding, taps: &taps)
    }

    static let entries: [String: ZooBuilder] = {
        var entries: [String: ZooBuilder] = [:]
        for depth in [8, 14, 20, 32, 44, 56, 110] {
            entries["resnet\(depth)"] = { try ResNetCIFAR(name: "resnet\(depth)", depth: depth, filters: [16, 16, 32, 64],
                                                           classes: $0.classes, inChannels: $0.inChannels, head: $0.head,
                                                           generator: $0.generator) }
        }
        for depth in [8, 32] {
            entries["resnet\(depth)x4"] = { try ResNetCIFAR(name: "resnet\(depth)x4", depth: depth, filters: [32, 64, 128, 256],
                                                             classes: $0.classes, inChannels: $0.inChannels, head: $0.head,
                                                           generator: $0.generator) }
        }
        return entries
    }()
}

/// The zoo's convolution: no bias, kaiming-normal (fan_out) weights.
func zooConv(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int, padding: Int,
             groups: Int = 1, generator: RandomGenerator) throws -> Conv2d {
    let conv = try Conv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                          groups: groups, bias: false, generator: generator)
    try conv.weight.copyValues(from: Initialization.kaimingNormalFanOut(conv.weight.shape, generator: generator))
    return conv
}
