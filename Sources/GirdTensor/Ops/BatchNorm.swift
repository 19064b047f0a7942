import CDNNL

/// Batch normalisation, as PyTorch's `F.batch_norm` (BatchNorm1d on [N, C],
/// BatchNorm2d on [N, C, H, W]).
///
/// Forward and backward are oneDNN's, in the input's own blocked layout (a
/// plain 4-D input is moved to nChw16c first; see `DNNLBatchNorm.layout`),
/// and a 4-D result comes back in that blocked layout.
extension Tensor {
    /// Normalises each channel (axis 1) to zero mean and unit variance, then
    /// scales by `weight` (γ) and shifts by `bias` (β):
    /// `y = (x - mean) / sqrt(variance + epsilon) · γ + β`.
    ///
    /// - `training: true` uses the batch's mean and biased variance, and
    ///   updates the running statistics in place, as PyTorch does:
    ///   `running = (1 - momentum)·running + momentum·batchStatistic`, with
    ///   the unbiased variance (·n/(n-1), n = N·H·W) for `runningVariance`.
    ///   The update happens with or without gradient recording.
    /// - `training: false` normalises with the running statistics and leaves
    ///   them alone; gradients then treat them as constants.
    ///
    /// Gradients flow to the input, `weight` and `bias`, never to the
    /// running statistics. `weight` and `bias` may be nil (no affine step).
    ///
    /// - Parameters:
    ///   - weight, bias: [C] or nil.
    ///   - runningMean, runningVariance: plain [C] tensors, owned by the
    ///     layer and written in training mode.
    ///
    /// Static, as every op whose inputs play distinct roles (`docs/engine.md`).
    public static func batchNorm(_ input: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor,
                                 runningVariance: Tensor, training: Bool, momentum: Float = 0.1,
                                 epsilon: Float = 1e-5) throws -> Tensor {
        try OpTrace.traced(.batchNorm(epsilon: epsilon, training: training), [input, weight, bias, runningMean, runningVariance]) {
            try input.batchNormalized(weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                                      training: training, momentum: momentum, epsilon: epsilon)
        }
    }

    private func batchNormalized(weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVariance: Tensor,
                                 training: Bool, momentum: Float, epsilon: Float) throws -> Tensor {
        let op = "batchNorm"
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: dtype) }
        guard rank == 2 || rank == 4 else {
            throw TensorError.invalidArgument(
                op: op, message: "expected a 2-D [N, C] or 4-D [N, C, H, W] input, got \(formatShape(shape))")
        }
        let channels = shape[1]
        let parameters = [("weight", weight), ("bias", bias),
                          ("runningMean", Optional(runningMean)), ("runningVariance", Optional(runningVariance))]
        for case let (name, parameter?) in parameters {
            guard parameter.dtype == .float32 else {
                throw TensorError.dtypeMismatch(op: op, expected: .float32, got: parameter.dtype)
            }
            guard parameter.shape == [channels] else {
                throw TensorError.invalidArgument(
                    op: op, message: "\(name) has shape \(formatShape(parameter.shape)) but the input "
                        + "\(formatShape(shape)) has \(channels) channels")
            }
        }
        // The statistics are updated through their own storage: a blocked
        // copy would swallow the update.
        guard !runningMean.isBlocked, !runningVariance.isBlocked else {
            throw TensorError.invalidArgument(op: op, message: "running statistics must be plain tensors")
        }
        let valuesPerChannel = channels == 0 ? 0 : count / channels
        if training && valuesPerChannel <= 1 {
            // One value per channel has no variance: PyTorch refuses too.
            throw TensorError.invalidArgument(
                op: op, message: "expected more than 1 value per channel when training, got input of shape \(formatShape(shape))")
        }
        if count == 0 { return Tensor.zeros(shape) }

        let willRecord = GradMode.isRecording
            && (requiresGrad || weight?.requiresGrad == true || bias?.requiresGrad == true)
        let (source, format) = DNNLBatchNorm.layout(for: self)
        // Training: the batch's statistics are computed here in Double
        // (`BatchNormKernels` says why) and given to oneDNN, which then only
        // normalises; its backward is not used in training either.
        let configuration = DNNLBatchNorm.Configuration(
            format: format, epsilon: epsilon, statistics: .given, differentiable: willRecord && !training)
        let geometry = BatchNormKernels.Geometry(
            batch: shape[0], channels: channels, plane: rank == 4 ? shape[2] * shape[3] : 1,
            blocked: rank == 4 && format == .tagged(shape, dnnl_nChw16c))
        let scale = weight?.plain().storage ?? DNNLBatchNorm.filled(channels, 1)
        let shift = bias?.plain().storage ?? DNNLBatchNorm.filled(channels, 0)
        // In evaluation the backward must see the statistics the forward
        // used, even if a later training step updates the running ones.
        let mean = training ? TensorStorage(byteCount: channels * 4) : runningMean.storage.copy()
        let variance = training ? TensorStorage(byteCount: channels * 4) : runningVariance.storage.copy()
        if training {
            let statistics = BatchNormKernels.statistics(source.storage.pointer.assumingMemoryBound(to: Float.self), geometry)
            let m = mean.pointer.assumingMemoryBound(to: Float.self), v = variance.pointer.assumingMemoryBound(to: Float.self)
            for c in 0..<channels {
                m[c] = Float(statistics.mean[c])
                v[c] = Float(statistics.variance[c])
            }
        }
        let output = TensorStorage(byteCount: format.byteCount)
        try DNNLBatchNorm.forward(configuration, source: source.storage, scale: scale, shift: shift,
                                  mean: mean, variance: variance, destination: output)
        if training {
            let unbiasing = Float(valuesPerChannel) / Float(valuesPerChannel - 1)
            DNNLBatchNorm.updateRunning(runningMean.storage, with: mean, count: channels, momentum: momentum, factor: 1)
            DNNLBatchNorm.updateRunning(runningVariance.storage, with: variance, count: channels,
                                        momentum: momentum, factor: unbiasing)
        }

        let inputShape = shape
        let resultLayout: TensorLayout = rank == 2 ? .plain : .blocked(format)
        let result = Tensor(shape: inputShape, dtype: .float32, storage: output, layout: resultLayout)
        guard willRecord else { return result }

        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let (hasWeight, hasBias) = (weight != nil, bias != nil)
        return result.recorded(op, inputs) { g in
            // The gradient in the forward's layout; for rank 2 the plain
            // [N, C] buffer already is the nhwc [N, C, 1, 1] one.
            let diffOutput = inputShape.count == 2 ? g.plain() : DNNLReorder.toFormat(g, format)
            let diffInput = TensorStorage(byteCount: format.byteCount)
            if training {
                let floats = { (storage: TensorStorage) in Array(UnsafeBufferPointer(
                    start: storage.pointer.assumingMemoryBound(to: Float.self), count: channels)) }
                let (dGamma, dBeta) = BatchNormKernels.backward(
                    x: source.storage.pointer.assumingMemoryBound(to: Float.self),
                    dy: diffOutput.storage.pointer.assumingMemoryBound(to: Float.self),
                    dx: diffInput.pointer.assumingMemoryBound(to: Float.self), geometry: geometry,
                    mean: floats(mean), variance: floats(variance), gamma: floats(scale), epsilon: epsilon)
                var grads: [Tensor?] = [Tensor(shape: inputShape, dtype: .float32, storage: diffInput, layout: resultLayout)]
                if hasWeight { grads.append(try Tensor(shape: [channels], values: dGamma)) }
                if hasBias { grads.append(try Tensor(shape: [channels], values: dBeta)) }
                return grads
            }
            let diffScale = TensorStorage(byteCount: channels * 4), diffShift = TensorStorage(byteCount: channels * 4)
            try DNNLBatchNorm.backward(configuration, source: source.storage, mean: mean, variance: variance,
                                       scale: scale, shift: shift, diffDestination: diffOutput.storage,
                                       diffSource: diffInput, diffScale: diffScale, diffShift: diffShift)
            var grads: [Tensor?] = [Tensor(shape: inputShape, dtype: .float32, storage: diffInput, layout: resultLayout)]
            if hasWeight { grads.append(Tensor(shape: [channels], dtype: .float32, storage: diffScale)) }
            if hasBias { grads.append(Tensor(shape: [channels], dtype: .float32, storage: diffShift)) }
            return grads
        }
    }
}
