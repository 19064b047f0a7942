import GirdTensor

// VGG with batch norm (Simonyan & Zisserman, 2015) as RepDistiller's
// `models/vgg.py` builds it for CIFAR: five blocks of 3x3 conv-BN-ReLU,
// 2x2 max pooling between the first four, global average pooling and one
// linear layer (the three fully connected layers of the original are gone,
// but the names still count them: vgg8 has 5 convolutions). The zoo's
// `vggN` are that file's `vggN_bn`, which RepDistiller registers as `vggN`.
// Parameter names match its `state_dict()`: each block is a Sequential
// whose last ReLU is dropped, so the ReLUs take indices (`block0.0` conv,
// `block0.1` BN, `block0.3` the next conv). Convolutions keep their bias,
// zeroed, with kaiming-normal (fan_out) weights; batch norms (1, 0); the
// classifier N(0, 0.01) with a zero bias, as there.
//
// | tap             | RepDistiller `forward(is_feat=True)`                  |
// |-----------------|-------------------------------------------------------|
// | `stem`          | f0, block0 after its ReLU (with or without `preact`)  |
// | `stageK`        | fK, block K (1...4) after its ReLU, before pooling    |
// | `stageK.preact` | fK_pre, the same before that ReLU (`preact=True`)     |
// | `embedding`     | f5, the globally pooled features                      |

public final class VGG: Network {
    /// Channel widths of each block's convolutions, by model name's number
    /// (configurations S, A, B, D and E of vgg.py).
    static let configurations: [Int: [[Int]]] = [
        8: [[64], [128], [256], [512], [512]],
        11: [[64], [128], [256, 256], [512, 512], [512, 512]],
        13: [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
        16: [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
        19: [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]],
    ]

    let blocks: [Sequential]
    let classifier: Linear

    /// - Parameter configuration: the output widths of each block's
    ///   convolutions, five blocks; the last block must end at 512 channels,
    ///   the classifier's fixed input in vgg.py.
    public init(name: String, configuration: [[Int]], classes: Int, inChannels: Int,
                generator: RandomGenerator) throws {
        guard configuration.count == 5, configuration.allSatisfy({ !$0.isEmpty }), configuration[4].last == 512 else {
            throw TensorError.invalidArgument(
                op: "vgg", message: "expected 5 non-empty blocks ending at 512 channels, got \(configuration)")
        }
        var inPlanes = inChannels
        var blocks: [Sequential] = []
        for widths in configuration {
            var layers: [Layer] = []
            for width in widths {
                layers += [try vggConv(inPlanes, width, generator: generator), try BatchNorm(width), Function.relu]
                inPlanes = width
            }
            // The block ends at its last BN: the caller applies the ReLU, so
            // that the pre-activation is there to tap.
            blocks.append(Sequential(Array(layers.dropLast())))
        }
        self.blocks = blocks
        classifier = try Linear(512, classes, generator: generator)
        try classifier.weight.copyValues(from: Initialization.normal(classifier.weight.shape, std: 0.01, generator: generator))
        if let bias = classifier.bias { try bias.copyValues(from: Tensor.zeros([classes])) }
        super.init(name: name, classes: classes)
        for (index, block) in blocks.enumerated() { registerChild("block\(index)", block) }
        registerChild("classifier", classifier)
    }

    public override var tapNames: [String] {
        ["stem"] + (1..<blocks.count).flatMap { ["stage\($0).preact", "stage\($0)"] } + ["embedding", "logits"]
    }

    public override func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        var x = try blocks[0](input).relu()
        taps.offer("stem", x)
        for index in 1..<blocks.count {
            // vgg.py pools before the last block only for 64x64 inputs
            // (Tiny-ImageNet); at 32x32 the last two blocks both see 4x4.
            if index < blocks.count - 1 || input.shape[2] == 64 { x = try x.maxPool2d(kernel: 2) }
            let preact = try blocks[index](x)
            x = try preact.relu()
            taps.offer("stage\(index).preact", preact)
            taps.offer("stage\(index)", x)
        }
        let embedding = try x.globalAvgPool()
        taps.offer("embedding", embedding)
        return try classifier(embedding)
    }

    static let entries: [String: ZooBuilder] = {
        var entries: [String: ZooBuilder] = [:]
        for (depth, configuration) in configurations {
            entries["vgg\(depth)"] = { try VGG(name: "vgg\(depth)", configuration: configuration, classes: $0.classes,
                                               inChannels: $0.inChannels, generator: $0.generator) }
        }
        return entries
    }()
}

/// vgg.py's convolution: 3x3, padding 1, with a bias (zeroed) although a BN
/// follows; kaiming-normal (fan_out) weights.
private func vggConv(_ inChannels: Int, _ outChannels: Int, generator: RandomGenerator) throws -> Conv2d {
    let conv = try Conv2d(inChannels, outChannels, kernelSize: 3, padding: 1, bias: true, generator: generator)
    try conv.weight.copyValues(from: Initialization.kaimingNormalFanOut(conv.weight.shape, generator: generator))
    if let bias = conv.bias { try bias.copyValues(from: Tensor.zeros([outChannels])) }
    return conv
}
