import GirdTensor

// torchvision's MobileNetV2 (`torchvision.models.mobilenet_v2`, Sandler et
// al. 2018, Table 2; width 1.0) under timm's prefix for torchvision's
// weights: `features` (a stride-2 3x3 conv-BN-ReLU6 stem, 17 inverted
// residual blocks, a 1x1 conv-BN-ReLU6 to 1280 channels), global average
// pooling and `classifier` (dropout 0.2, then a linear layer). Activations
// are ReLU6, as there (the CIFAR zoo's mobile_half uses ReLU, as
// RepDistiller's). Parameter names, shapes and order are torchvision's
// `state_dict()`; initialisation is torchvision's: convolutions
// kaiming-normal (fan_out), batch norms (1, 0), the linear layer N(0, 0.01)
// with a zero bias.
//
// Taps, at the resolution changes (torchvision's `features` indices):
//   stem       features.0, the stem (stride 2, 32 channels)
//   stage1     after features.3 (stride 4, 24 channels)
//   stage2     after features.6 (stride 8, 32 channels)
//   stage3     after features.13 (stride 16, 96 channels)
//   stage4     after features.18, the last 1x1 conv (stride 32, 1280 channels)
//   embedding  the pooled stage4, what the classifier reads
// No `stageK.preact`: blocks end in a linear projection (no activation).

/// torchvision's `InvertedResidual`: `conv` holds [1x1 conv-BN-ReLU6 when
/// t > 1], the 3x3 depthwise conv-BN-ReLU6 (carrying the stride), the 1x1
/// projection and its batch norm; the input is added when the shapes allow.
final class TorchvisionInvertedResidual: Layer {
    let conv: Sequential
    let addsInput: Bool

    init(_ inChannels: Int, _ outChannels: Int, stride: Int, expansion: Int, generator: RandomGenerator) throws {
        let hidden = inChannels * expansion
        var layers: [Layer] = []
        if expansion != 1 {
            layers.append(try convBNReLU6(inChannels, hidden, kernelSize: 1, stride: 1, generator: generator))
        }
        layers.append(try convBNReLU6(hidden, hidden, kernelSize: 3, stride: stride, groups: hidden, generator: generator))
        layers.append(try zooConv(hidden, outChannels, kernelSize: 1, stride: 1, padding: 0, generator: generator))
        layers.append(try BatchNorm(outChannels))
        conv = Sequential(layers)
        addsInput = stride == 1 && inChannels == outChannels
        super.init()
        registerChild("conv", conv)
    }

    override func forward(_ input: Tensor) throws -> Tensor {
        addsInput ? try input + conv(input) : try conv(input)
    }
}

/// torchvision's `Conv2dNormActivation` with ReLU6: [conv, BN, ReLU6], named 0, 1 (2 has no weights).
private func convBNReLU6(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int, groups: Int = 1,
                         generator: RandomGenerator) throws -> Sequential {
    Sequential([
        try zooConv(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: (kernelSize - 1) / 2,
                    groups: groups, generator: generator),
        try BatchNorm(outChannels),
        Function.relu6,
    ])
}

public final class TorchvisionMobileNetV2: Network {
    /// (expansion t, channels c, blocks n, first stride s) per group: the paper's Table 2.
    static let blockGroups: [(expansion: Int, channels: Int, blocks: Int, stride: Int)] = [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ]
    /// The `features` indices whose outputs are stem, stage1 ... stage4.
    static let tappedFeatures = [0, 3, 6, 13, 18]

    let features: [Layer]
    let dropout: Dropout
    let linear: Linear

    public init(name: String, classes: Int, inChannels: Int, generator: RandomGenerator) throws {
        var features: [Layer] = [try convBNReLU6(inChannels, 32, kernelSize: 3, stride: 2, generator: generator)]
        var channels = 32
        for group in Self.blockGroups {
            for index in 0..<group.blocks {
                features.append(try TorchvisionInvertedResidual(channels, group.channels, stride: index == 0 ? group.stride : 1,
                                                                expansion: group.expansion, generator: generator))
                channels = group.channels
            }
        }
        features.append(try convBNReLU6(channels, 1280, kernelSize: 1, stride: 1, generator: generator))
        self.features = features
        dropout = try Dropout(probability: 0.2, generator: generator)
        linear = try Linear(1280, classes, generator: generator)
        try linear.weight.copyValues(from: Initialization.normal(linear.weight.shape, std: 0.01, generator: generator))
        try linear.bias?.copyValues(from: Tensor.zeros([classes]))
        super.init(name: name, classes: classes)
        registerChild("features", Sequential(features))
        registerChild("classifier", Sequential([dropout, linear]))
    }

    public override var imageSize: Int { 224 }

    public override var tapNames: [String] {
        ["stem"] + (1..<Self.tappedFeatures.count).map { "stage\($0)" } + ["embedding", "logits"]
    }

    public override func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        var x = input
        for (index, layer) in features.enumerated() {
            x = try layer(x)
            if let tap = Self.tappedFeatures.firstIndex(of: index) { taps.offer(tap == 0 ? "stem" : "stage\(tap)", x) }
        }
        let embedding = try x.globalAvgPool()
        taps.offer("embedding", embedding)
        return try linear(dropout(embedding))
    }

    static let entries: [String: ZooBuilder] = [
        "tv_mobilenet_v2": { try TorchvisionMobileNetV2(name: "tv_mobilenet_v2", classes: $0.classes, inChannels: $0.inChannels,
                                                        generator: $0.generator) },
    ]
}
