@_spi(Benchmarks) import GirdTensor

/// The cases `gird-bench` runs; `scripts/bench-vs-pytorch` mirrors them by name.
enum BenchCases {
    static func all(quick: Bool) -> [BenchCase] {
        let size = quick ? 256 : 1024
        let batch = quick ? 8 : 64
        return [
            BenchCase(name: "sgemm \(size)^3", flops: 2 * Double(size * size * size), dependsOnLayout: false) {
                let a = Tensor.full([size, size], value: 0.5), b = Tensor.full([size, size], value: 0.25)
                return { _ = try Tensor.matmul(a, b) }
            },
            BenchCase(name: "batchnorm fwd+bwd", flops: 0) {
                // ResNet-CIFAR's BN after a 64-channel 3x3 conv: training
                // forward with running statistics, then backward. The input
                // and the seed gradient are in nChw16c as a convolution would
                // leave them; a BN in evaluation mode (public API) puts them
                // there. Weight and bias want gradients, so backward runs the
                // full oneDNN pass (input gradient included).
                let shape = [batch, 64, 32, 32]
                let toBlocked = { (values: Tensor) in
                    try Tensor.batchNorm(values, weight: nil, bias: nil, runningMean: Tensor.zeros([64]),
                                         runningVariance: Tensor.ones([64]), training: false)
                }
                let values = (0..<shape.reduce(1, *)).map { Float($0 % 17) - 8 }
                let input = try toBlocked(Tensor(shape: shape, values: values))
                let seed = try toBlocked(Tensor.full(shape, value: 0.001))
                let weight = try Tensor.ones([64]).requiringGrad(), bias = try Tensor.zeros([64]).requiringGrad()
                let runningMean = Tensor.zeros([64]), runningVariance = Tensor.ones([64])
                return {
                    weight.clearGrad()
                    bias.clearGrad()
                    let output = try Tensor.batchNorm(input, weight: weight, bias: bias, runningMean: runningMean,
                                                     runningVariance: runningVariance, training: true)
                    try output.backward(seed)
                }
            },
        ] + convolutions(batch: batch) + TrainingStepCases.all(quick: quick) + DistillationStepCases.all(quick: quick)
            + ReIDStepCases.all(quick: quick)
            + LoaderCases.all(quick: quick)
    }

    /// A ResNet-CIFAR middle layer (64 -> 64 channels, 3x3, 32x32) and a
    /// MobileNet-style depthwise layer. Each pass is timed by itself, on
    /// activations already in the layout a previous convolution leaves them
    /// in, as they are inside a network: what is timed is the primitive plus
    /// the engine's per-call work (weight reorder, output allocation).
    static func convolutions(batch: Int) -> [BenchCase] {
        let flops = 2 * Double(batch * 64 * 32 * 32 * 64 * 9)
        let depthwiseFlops = 3 * 2 * Double(batch * 128 * 32 * 32 * 9)
        return [
            BenchCase(name: "conv3x3 64->64 fwd", flops: flops) {
                let (x, w) = try layerInputs(batch: batch, channels: 64)
                return { _ = try Tensor.conv2d(x, weight: w, padding: 1) }
            },
            BenchCase(name: "conv3x3 64->64 bwd-data", flops: flops) {
                let (x, w) = try layerInputs(batch: batch, channels: 64)
                let gradOutput = try Tensor.conv2d(x, weight: w, padding: 1)
                return { _ = try Tensor.conv2dBackwardData(gradOutput, weight: w, inputShape: x.shape, padding: 1) }
            },
            BenchCase(name: "conv3x3 64->64 bwd-weights", flops: flops) {
                let (x, w) = try layerInputs(batch: batch, channels: 64)
                let gradOutput = try Tensor.conv2d(x, weight: w, padding: 1)
                return { _ = try Tensor.conv2dBackwardWeights(gradOutput, input: x, weightShape: w.shape, padding: 1) }
            },
            BenchCase(name: "depthwise3x3 fwd+bwd", flops: depthwiseFlops) {
                let x = try layerInputs(batch: batch, channels: 128).input
                let w = try uniform([128, 1, 3, 3], scale: 0.3).requiringGrad()
                let gradOutput = try Tensor.conv2d(x, weight: w, padding: 1, groups: 128)
                return {
                    _ = try Tensor.conv2d(x, weight: w, padding: 1, groups: 128)
                    _ = try Tensor.conv2dBackwardData(gradOutput, weight: w, inputShape: x.shape, padding: 1, groups: 128)
                    _ = try Tensor.conv2dBackwardWeights(gradOutput, input: x, weightShape: w.shape, padding: 1, groups: 128)
                }
            },
        ]
    }

    /// An activation [batch, channels, 32, 32] as a previous 3x3 convolution
    /// leaves it (blocked), and a 3x3 weight for the next one, a parameter
    /// wanting a gradient (so that the timed forward records its tape, as in
    /// a training step).
    private static func layerInputs(batch: Int, channels: Int) throws -> (input: Tensor, weight: Tensor) {
        let image = try uniform([batch, channels, 32, 32], scale: 1)
        let previous = try Tensor.conv2d(image, weight: uniform([channels, channels, 3, 3], scale: 0.05), padding: 1)
        return (previous, try uniform([channels, channels, 3, 3], scale: 0.05).requiringGrad())
    }

    /// Values spread over [-scale, scale] without a random generator: the
    /// timings do not depend on them, only denormals would, and these have none.
    private static func uniform(_ shape: [Int], scale: Float) throws -> Tensor {
        let count = shape.reduce(1, *)
        return try Tensor(shape: shape, values: (0..<count).map { Float(($0 * 7919) % 2001 - 1000) / 1000 * scale })
    }
}
