import GirdNN
import GirdTensor

/// ReviewKD's attention based fusion (`ABF` in mdistiller's
/// `distillers/ReviewKD.py`): one level of the review path.
///
///     x' = BN(conv1x1(x))                                  to `mid` channels
///     if fusing: y' = nearest(y, size of x');  (a, b) = sigmoid(conv1x1([x', y']))
///                x' = a * x' + b * y'                      per-pixel attention weights
///     x' = nearest(x', outSize) if the sizes differ        to the teacher's size
///     output = BN(conv3x3(x')), and x' is the residual handed to the next (shallower) level
///
/// State-dict names are the reference's: `conv1.0.weight`, `conv1.1.*` (BN),
/// `conv2.0.weight`, `conv2.1.*`, `att_conv.0.weight`, `att_conv.0.bias`.
/// `nearest` is `F.interpolate(mode="nearest")` (`Tensor.upsampledNearest`).
/// conv1 and conv2 start as mdistiller's `kaiming_uniform_(a=1)`:
/// U(-sqrt(3 / fan_in), sqrt(3 / fan_in)); att_conv keeps PyTorch's default.
public final class AttentionBasedFusion: Module {
    public let conv1: Sequential
    public let conv2: Sequential
    public let attentionConv: Sequential?

    public init(inChannels: Int, midChannels: Int, outChannels: Int, fuse: Bool, generator: RandomGenerator) throws {
        let reduce = try Conv2d(inChannels, midChannels, kernelSize: 1, bias: false, generator: generator)
        let expand = try Conv2d(midChannels, outChannels, kernelSize: 3, padding: 1, bias: false, generator: generator)
        for conv in [reduce, expand] {
            let fanIn = conv.weight.shape.dropFirst().reduce(1, *)
            let bound = (3 / Float(fanIn)).squareRoot()
            try conv.weight.copyValues(from: try Tensor.rand(conv.weight.shape, generator: generator) * (2 * bound) - bound)
        }
        conv1 = Sequential([reduce, try BatchNorm(midChannels)])
        conv2 = Sequential([expand, try BatchNorm(outChannels)])
        attentionConv = fuse
            ? Sequential([try Conv2d(midChannels * 2, 2, kernelSize: 1, generator: generator), Function { try $0.sigmoid() }])
            : nil
        super.init()
        registerChild("conv1", conv1)
        registerChild("conv2", conv2)
        if let attentionConv { registerChild("att_conv", attentionConv) }
    }

    /// `(output, residual)`; `residual` is the previous (deeper) level's,
    /// required exactly when this level fuses.
    public func callAsFunction(_ input: Tensor, residual: Tensor?, outSize: (Int, Int)) throws -> (output: Tensor, residual: Tensor) {
        var x = try conv1(input)
        if let attentionConv {
            guard let residual else {
                throw DistillationError.invalidConfiguration("reviewkd: a fusing level needs the deeper level's residual")
            }
            let y = try residual.upsampledNearest(height: x.shape[2], width: x.shape[3])
            let weights = try attentionConv(try Tensor.concatenated([x, y], axis: 1))
            x = try x * weights.narrowed(axis: 1, start: 0, length: 1) + y * weights.narrowed(axis: 1, start: 1, length: 1)
        }
        if x.shape[2] != outSize.0 || x.shape[3] != outSize.1 {
            x = try x.upsampledNearest(height: outSize.0, width: outSize.1)
        }
        return (try conv2(x), x)
    }
}

/// mdistiller's `abfs` module list, deepest level first, children named
/// "0", "1", ... as `nn.ModuleList` names them.
public final class ReviewKDFusions: Module {
    public let levels: [AttentionBasedFusion]

    public init(_ levels: [AttentionBasedFusion]) {
        self.levels = levels
        super.init()
        for (index, level) in levels.enumerated() { registerChild(String(index), level) }
    }
}
