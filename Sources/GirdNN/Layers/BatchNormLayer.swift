import GirdTensor

/// `nn.BatchNorm2d` (and `nn.BatchNorm1d` on [N, C] inputs): `weight` (γ, ones)
/// and `bias` (β, zeros) trained; `running_mean`, `running_var` and
/// `num_batches_tracked` saved as buffers, updated in training mode.
public final class BatchNorm: Layer {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public let batchesTracked: Tensor
    public let momentum: Float
    public let epsilon: Float

    public init(_ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) throws {
        guard channels > 0 else {
            throw TensorError.invalidArgument(op: "BatchNorm", message: "channel count must be positive, got \(channels)")
        }
        self.momentum = momentum
        self.epsilon = epsilon
        weight = Tensor.ones([channels])
        bias = Tensor.zeros([channels])
        runningMean = Tensor.zeros([channels])
        runningVariance = Tensor.ones([channels])
        batchesTracked = Tensor.zeros([], dtype: .int64)
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
        registerBuffer("running_mean", runningMean)
        registerBuffer("running_var", runningVariance)
        registerBuffer("num_batches_tracked", batchesTracked)
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        if isTraining {
            let tracked = batchesTracked.toIndices()[0]
            try batchesTracked.copyValues(from: Tensor(shape: [], indices: [tracked + 1]))
        }
        return try Tensor.batchNorm(input, weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                                   training: isTraining, momentum: momentum, epsilon: epsilon)
    }
}
