import GirdTensor

/// `nn.BatchNorm2d` (and `nn.BatchNorm1d` on [N, C] inputs): `weight` (γ, ones)
/// and `bias` (β, zeros) trained; `running_mean`, `running_var` and
/// `num_batches_tracked` saved as buffers, updated in training mode.
///
/// With `synchronization` set to a group of several ranks, training-mode
/// statistics are those of the global batch (`nn.SyncBatchNorm`): each rank
/// sums its part and the sums travel on the tape (`summedAcrossRanks`), so
/// the backward pass sums the statistics' gradients over the ranks too.
public final class BatchNorm: Layer {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public let batchesTracked: Tensor
    public let momentum: Float
    public let epsilon: Float
    /// The ranks whose batches share statistics in training; nil: this rank's own.
    public var synchronization: ProcessGroup?

    /// `learnsBias` false keeps β at 0, as a buffer (the re-ID "BNNeck" of
    /// Luo et al. 2019, whose `bias.requires_grad_(False)` leaves it at 0):
    /// saved as `bias` like PyTorch's, never trained.
    public init(_ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, learnsBias: Bool = true) throws {
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
        if learnsBias { registerParameter("bias", bias) } else { registerBuffer("bias", bias) }
        registerBuffer("running_mean", runningMean)
        registerBuffer("running_var", runningVariance)
        registerBuffer("num_batches_tracked", batchesTracked)
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        if isTraining {
            let tracked = batchesTracked.toIndices()[0]
            try batchesTracked.copyValues(from: Tensor(shape: [], indices: [tracked + 1]))
        }
        if isTraining, let group = synchronization {
            return try synchronizedForward(input, group: group)
        }
        let output = try Tensor.batchNorm(input, weight: weight, bias: bias, runningMean: runningMean,
                                          runningVariance: runningVariance, training: isTraining, momentum: momentum, epsilon: epsilon)
        ForwardObserver.current?(self, input, output)
        return output
    }

    /// Training-mode batch norm over the global batch: the same formula as
    /// `Tensor.batchNorm` (biased variance to normalise, unbiased in the
    /// running estimate), from composed ops whose gradients autograd knows.
    private func synchronizedForward(_ input: Tensor, group: ProcessGroup) throws -> Tensor {
        guard input.rank == 2 || input.rank == 4, input.shape[1] == weight.count else {
            throw TensorError.invalidArgument(
                op: "batchNorm", message: "expected [N, \(weight.count)] or [N, \(weight.count), H, W], got \(formatShape(input.shape))")
        }
        let channels = weight.count
        let statisticShape = input.rank == 4 ? [1, channels, 1, 1] : [1, channels]
        let count = try group.allReduceSum([Int64(input.count / channels)])[0]
        guard count > 1 else {
            throw TensorError.invalidArgument(
                op: "batchNorm", message: "expected more than 1 value per channel when training, got \(count) over all ranks")
        }
        let mean = try (input.channelSums().summedAcrossRanks(in: group) / Float(count))
        let centered = try input - mean.reshaped(statisticShape)
        let variance = try ((centered * centered).channelSums().summedAcrossRanks(in: group) / Float(count))
        let normalized = try centered / (variance + epsilon).sqrt().reshaped(statisticShape)
        let output = try normalized * weight.reshaped(statisticShape) + bias.reshaped(statisticShape)
        try GradMode.withoutGradient {
            let unbiased = try variance.detach() * Float(Double(count) / Double(count - 1))
            try runningMean.copyValues(from: runningMean * (1 - momentum) + mean.detach() * momentum)
            try runningVariance.copyValues(from: runningVariance * (1 - momentum) + unbiased * momentum)
        }
        return output
    }
}
