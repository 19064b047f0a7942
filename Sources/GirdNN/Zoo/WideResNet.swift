import GirdTensor

// Wide residual networks (Zagoruyko & Komodakis, 2016) as RepDistiller's
// `models/wrn.py` builds them: WRN-d-k has a 3x3 stem conv to 16 channels,
// three stages of n = (d - 4) / 6 pre-activation blocks of widths 16k, 32k,
// 64k (the 2nd and 3rd halving the resolution), a final BN-ReLU, 8x8 average
// pooling and a linear classifier. Parameter names match that file's
// `state_dict()` (`block1.layer.0.bn1.weight`, `block2.layer.0.convShortcut.weight`);
// convolutions have no bias and are kaiming-normal (fan_out), batch norms
// (1, 0), the classifier PyTorch's default weight with a zero bias, as there.
//
// The blocks are pre-activation (BN-ReLU-conv), so nothing is ReLU'd at a
// stage boundary and the taps differ from the post-activation families:
//
// | tap             | RepDistiller `forward(is_feat=True)`            |
// |-----------------|-------------------------------------------------|
// | `stem`          | f0, the stem conv's output (no BN, no ReLU)      |
// | `stageK`        | fK, stage K's output: a residual sum, not ReLU'd |
// | `stageK.preact` | fK with `preact=True`: stage K's output through  |
// |                 | the BN that follows it (`block{K+1}.layer.0.bn1`,|
// |                 | or the final `bn1` for the last stage)           |
// | `embedding`     | f4, pooled after the final BN-ReLU               |
//
// So `stageK.preact` here is deeper than `stageK`, and its ReLU is the input
// of the next stage's first convolution, not `stageK`. The pass computes
// that BN once, where the next block needs it; RepDistiller applies it a
// second time after the pass, which in training mode gives the same values
// but moves the running statistics twice.
//
// Dropout is left out: RepDistiller's `wrn_*` factories never set `dropRate`
// (its default is 0), and `F.dropout` has no `state_dict` entries.

public final class WideResNet: Network {
    let conv1: Conv2d
    let stages: [[Block]]
    let bn1: BatchNorm
    let fc: Linear

    /// - Parameters:
    ///   - depth: 6n + 4 (16, 22, 28, 40).
    ///   - widenFactor: k, the multiplier of the stage widths 16, 32, 64.
    public init(name: String, depth: Int, widenFactor: Int, classes: Int, inChannels: Int,
                generator: RandomGenerator) throws {
        guard depth >= 10, (depth - 4) % 6 == 0, widenFactor > 0 else {
            throw TensorError.invalidArgument(
                op: "wrn", message: "depth must be 6n + 4 and the widen factor positive, got \(depth), \(widenFactor)")
        }
        let blocksPerStage = (depth - 4) / 6
        conv1 = try zooConv(inChannels, 16, kernelSize: 3, stride: 1, padding: 1, generator: generator)
        var inPlanes = 16
        var stages: [[Block]] = []
        for (index, width) in [16, 32, 64].enumerated() {
            let planes = width * widenFactor
            var blocks: [Block] = []
            for position in 0..<blocksPerStage {
                blocks.append(try Block(inPlanes, planes, stride: position == 0 && index > 0 ? 2 : 1, generator: generator))
                inPlanes = planes
            }
            stages.append(blocks)
        }
        self.stages = stages
        bn1 = try BatchNorm(inPlanes)
        fc = try Linear(inPlanes, classes, generator: generator)
        if let bias = fc.bias { try bias.copyValues(from: Tensor.zeros([classes])) }
        super.init(name: name, classes: classes)
        registerChild("conv1", conv1)
        for (index, blocks) in stages.enumerated() {
            // RepDistiller wraps each stage's Sequential in a `NetworkBlock`
            // whose only child is `layer`: hence `block1.layer.0...`.
            let networkBlock = Module()
            networkBlock.registerChild("layer", Sequential(blocks))
            registerChild("block\(index + 1)", networkBlock)
        }
        registerChild("bn1", bn1)
        registerChild("fc", fc)
    }

    /// Shallow to deep: `stageK.preact` follows `stageK` (see the table above).
    public override var tapNames: [String] {
        ["stem"] + (1...stages.count).flatMap { ["stage\($0)", "stage\($0).preact"] } + ["embedding", "logits"]
    }

    public override func forward(_ input: Tensor, taps: inout TapRecorder) throws -> Tensor {
        var x = try conv1(input)
        taps.offer("stem", x)
        for (index, blocks) in stages.enumerated() {
            for (position, block) in blocks.enumerated() {
                let (output, normalizedInput) = try block.forwardExposingNormalizedInput(x)
                if position == 0 && index > 0 { taps.offer("stage\(index).preact", normalizedInput) }
                x = output
            }
            taps.offer("stage\(index + 1)", x)
        }
        let normalized = try bn1(x)
        taps.offer("stage\(stages.count).preact", normalized)
        let embedding = try normalized.relu().avgPool2d(kernel: 8).flattened()
        taps.offer("embedding", embedding)
        return try fc(embedding)
    }

    static let entries: [String: ZooBuilder] = {
        var entries: [String: ZooBuilder] = [:]
        for (depth, widenFactor) in [(16, 1), (16, 2), (40, 1), (40, 2)] {
            let name = "wrn_\(depth)_\(widenFactor)"
            entries[name] = { try WideResNet(name: name, depth: depth, widenFactor: widenFactor, classes: $0.classes,
                                             inChannels: $0.inChannels, generator: $0.generator) }
        }
        return entries
    }()

    /// BN-ReLU-conv3x3, BN-ReLU-conv3x3, plus the input (same width) or a
    /// 1x1 projection of the activated input (new width).
    final class Block: Layer {
        let bn1: BatchNorm, conv1: Conv2d, bn2: BatchNorm, conv2: Conv2d
        let convShortcut: Conv2d?

        init(_ inPlanes: Int, _ outPlanes: Int, stride: Int, generator: RandomGenerator) throws {
            bn1 = try BatchNorm(inPlanes)
            conv1 = try zooConv(inPlanes, outPlanes, kernelSize: 3, stride: stride, padding: 1, generator: generator)
            bn2 = try BatchNorm(outPlanes)
            conv2 = try zooConv(outPlanes, outPlanes, kernelSize: 3, stride: 1, padding: 1, generator: generator)
            // The width alone decides, as in wrn.py: every stride-2 block of
            // the zoo also widens, so an identity never meets a stride.
            convShortcut = inPlanes == outPlanes
                ? nil
                : try zooConv(inPlanes, outPlanes, kernelSize: 1, stride: stride, padding: 0, generator: generator)
            super.init()
            registerChild("bn1", bn1)
            registerChild("conv1", conv1)
            registerChild("bn2", bn2)
            registerChild("conv2", conv2)
            if let convShortcut { registerChild("convShortcut", convShortcut) }
        }

        override func forward(_ input: Tensor) throws -> Tensor { try forwardExposingNormalizedInput(input).output }

        /// The block's output and its input after `bn1` (before the ReLU):
        /// the previous stage's `preact` feature when this block opens a stage.
        func forwardExposingNormalizedInput(_ x: Tensor) throws -> (output: Tensor, normalizedInput: Tensor) {
            let normalized = try bn1(x)
            let activated = try normalized.relu()
            let residual = try conv2(bn2(conv1(activated)).relu())
            // The identity carries the raw input; a projection reads the
            // activated one (wrn.py rebinds x to it before the shortcut).
            let shortcut = try convShortcut.map { try $0(activated) } ?? x
            return (try shortcut + residual, normalized)
        }
    }
}
