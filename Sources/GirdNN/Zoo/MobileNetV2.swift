import GirdTensor

// MobileNetV2 (Sandler et al., 2018) as RepDistiller's `models/mobilenetv2.py`
// builds it for 32x32 images: a stride-2 3x3 stem, seven groups of inverted
// residual blocks (1x1 expansion by t = 6, 3x3 depthwise, linear 1x1
// projection), a 1x1 conv to 1280 channels, average pooling over the final
// 2x2 map and one linear layer. Activations are ReLU, not ReLU6, as there.
//
// Widths are int(c · width) with Python's truncation; the last conv keeps
// 1280 channels unless the width exceeds 1. Convolutions have no bias and
// are N(0, 2/(k²·out)), batch norms (1, 0), the classifier N(0, 0.01) with
// a zero bias: that file's `_initialize_weights`.
//
// Names. RepDistiller's `model_dict` maps `MobileNetV2` to `mobile_half`
// (width 0.5); the papers' "MobileNetV2" student (CRD, its successors) is
// that network, so both names build it. The width-1 network is
// `mobile_full`, the name RepDistiller's factory had for it before it was
// dropped from `model_dict`.
//
// Taps, against `forward(is_feat=True)`'s list [f0, ..., f5]:
//   stem      f0  conv1: 3x3 stride-2 conv-BN-ReLU, 16x16
//   stage1    f1  after blocks[1], 16x16
//   stage2    f2  after blocks[2], 8x8
//   stage3    f3  after blocks[4], 4x4
//   stage4    f4  after blocks[6], 2x2
//   embedding f5  conv2 (1x1 conv-BN-ReLU to 1280), pooled and flattened
// No `stageK.preact`: blocks end in a linear projection (no ReLU), so the
// stage outputs are already what `preact=True` would ask for, and
// RepDistiller's `forward` ignores that flag here (`get_bn_before_relu`
// names exactly the batch norms that produce stage1...stage4).

/// Expand (1x1), filter (3x3 depthwise, carrying the stride), project (1x1,
/// no ReLU); the input is added back when the shapes allow.
final class InvertedResidual: Layer {
    let conv: Sequential
    let addsInput: Bool

    init(_ inChannels: Int, _ outChannels: Int, stride: Int, expansion: Int, generator: RandomGenerator) throws {
        let hidden = inChannels * expansion
        conv = Sequential([
            try zooConv(inChannels, hidden, kernelSize: 1, stride: 1, padding: 0, generator: generator),
            try BatchNorm(hidden),
            Function.relu,
            try zooConv(hidden, hidden, kernelSize: 3, stride: stride, padding: 1, groups: hidden, generator: generator),
            try BatchNorm(hidden),
            Function.relu,
            try zooConv(hidden, outChannels, kernelSize: 1, stride: 1, padding: 0, generator: generator),
            try BatchNorm(outChannels),
        ])
        addsInput = stride == 1 && inChannels == outChannels
        super.init()
        registerChild("conv", conv)
    }

    override func forward(_ input: Tensor) throws -> Tensor {
        addsInput ? try input + conv(input) : try conv(input)
    }
}

public final class MobileNetV2: Network {
    /// (expansion t, channels c, blocks n, first stride s) per group, the
    /// paper's Table 2 with the strides of RepDistiller's CIFAR version.
    static let blockGroups: [(expansion: Int?, channels: Int, blocks: Int, stride: Int)] = [
        (1, 16, 1, 1), (nil, 24, 2, 1), (nil, 32, 3, 2), (nil, 64, 4, 2), (nil, 96, 3, 1), (nil, 160, 3, 2), (nil, 320, 1, 1),
    ]
    /// The groups after which RepDistiller takes f1...f4.
    static let tappedGroups = [1, 2, 4, 6]

    let conv1: Sequential
    let blocks: [Sequential]
    let conv2: Sequential
    let classifier: Sequential

    /// - Parameters:
    ///   - expansion: t of every group but the first (which always uses 1).
    ///   - width: the channel multiplier (0.5 for `mobile_half`).
    public init(name: String, expansion: Int = 6, width: Double, classes: Int, inChannels: Int,
                generator: RandomGenerator) throws {
        guard expansion > 0, width > 0 else {
            throw TensorError.invalidArgument(op: "MobileNetV2", message: "expansion and width must be positive, got \(expansion), \(width)")
        }
        // Python's int(): truncation toward zero of the same double product.
        func scaled(_ channels: Int) -> Int { Int(Double(channels) * width) }
        var channels = scaled(32)
        conv1 = Sequential([
            try zooConv(inChannels, channels, kernelSize: 3, stride: 2, padding: 1, generator: generator),
            try BatchNorm(channels),
            Function.relu,
        ])
        var blocks: [Sequential] = []
        for group in Self.blockGroups {
            let outChannels = scaled(group.channels)
            var layers: [Layer] = []
            for index in 0..<group.blocks {
                layers.append(try InvertedResidual(channels, outChannels, stride: index == 0 ? group.stride : 1,
                                                   expansion: group.expansion ?? expansion, generator: generator))
                channels = outChannels
            }
            blocks.append(Sequential(layers))
        }
        self.blocks = blocks
        let lastChannels = width > 1 ? scaled(1280) : 1280
        conv2 = Sequential([
            try zooConv(channels, lastChannels, kernelSize: 1, stride: 1, padding: 0, generator: generator),
            try BatchNorm(lastChannels),
            Function.relu,
        ])
        let linear = try Linear(lastChannels, classes, generator: generator)
        try linear.weight.copyValues(from: Initialization.normal(linear.weight.shape, std: 0.01, generator: generator))
        try linear.bias?.copyValues(from: Tensor.zeros([classes]))
        classifier = Sequential([linear])
        super.init(name: name, classes: classes)
        registerChild("conv1", conv1)
        registerChild("blocks", Sequential(blocks))
        registerChild("conv2", conv2)
        registerChild("classifier", classifier)
    }

    public override var tapNames: [String] {
        ["stem"] + (1...Self.tappedGroups.count).map { "stage\($0)" } + ["embedding", "logits"]
    }

    public override func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        var x = try conv1(input)
        taps.offer("stem", x)
        for (index, group) in blocks.enumerated() {
            x = try group(x)
            if let stage = Self.tappedGroups.firstIndex(of: index) { taps.offer("stage\(stage + 1)", x) }
        }
        // RepDistiller pools with AvgPool2d(2, ceil_mode=True): on the 2x2 map
        // a 32x32 input leaves, that is the plain 2x2 average.
        let embedding = try conv2(x).avgPool2d(kernel: 2).flattened()
        taps.offer("embedding", embedding)
        return try classifier(embedding)
    }

    static let entries: [String: ZooBuilder] = {
        func builder(_ name: String, width: Double) -> ZooBuilder {
            { try MobileNetV2(name: name, width: width, classes: $0.classes, inChannels: $0.inChannels, generator: $0.generator) }
        }
        return ["MobileNetV2": builder("MobileNetV2", width: 0.5),
                "mobile_half": builder("mobile_half", width: 0.5),
                "mobile_full": builder("mobile_full", width: 1)]
    }()
}
