import GirdTensor

/// The cases `gird-bench` runs; `scripts/bench-vs-pytorch` mirrors them by name.
enum BenchCases {
    static func all(quick: Bool) -> [BenchCase] {
        let size = quick ? 256 : 1024
        let batch = quick ? 8 : 64
        return [
            BenchCase(name: "sgemm \(size)^3", flops: 2 * Double(size * size * size)) {
                let a = Tensor.full([size, size], value: 0.5), b = Tensor.full([size, size], value: 0.25)
                return { _ = try a.matmul(b) }
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
                    try values.batchNorm(weight: nil, bias: nil, runningMean: Tensor.zeros([64]),
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
                    let output = try input.batchNorm(weight: weight, bias: bias, runningMean: runningMean,
                                                     runningVariance: runningVariance, training: true)
                    try output.backward(seed)
                }
            },
        ]
    }
}
