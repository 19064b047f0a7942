import Foundation
import GirdTensor

/// Weight initialisations with PyTorch's formulas (not its random streams:
/// GIRD draws from its own seeded Philox generator).
public enum Initialization {
    /// `kaiming_normal_(w, mode="fan_out", nonlinearity="relu")`: N(0, 2/fan_out),
    /// the zoo's convolutions.
    public static func kaimingNormalFanOut(_ shape: [Int], generator: RandomGenerator) throws -> Tensor {
        let fanOut = shape[0] * shape.dropFirst(2).reduce(1, *)
        return try Tensor.randn(shape, generator: generator) * Float((2.0 / Double(max(fanOut, 1))).squareRoot())
    }

    /// PyTorch's default for `nn.Conv2d` and `nn.Linear` weights,
    /// `kaiming_uniform_(w, a=sqrt(5))`: U(-b, b) with b = 1/sqrt(fan_in).
    public static func defaultWeight(_ shape: [Int], generator: RandomGenerator) throws -> Tensor {
        let fanIn = shape.dropFirst().reduce(1, *)
        return try uniform(shape, bound: 1 / Float(max(fanIn, 1)).squareRoot(), generator: generator)
    }

    /// PyTorch's default bias: U(-b, b) with b = 1/sqrt(fan_in).
    public static func defaultBias(_ count: Int, fanIn: Int, generator: RandomGenerator) throws -> Tensor {
        try uniform([count], bound: 1 / Float(max(fanIn, 1)).squareRoot(), generator: generator)
    }

    /// N(0, std²).
    public static func normal(_ shape: [Int], std: Float, generator: RandomGenerator) throws -> Tensor {
        try Tensor.randn(shape, generator: generator) * std
    }

    static func uniform(_ shape: [Int], bound: Float, generator: RandomGenerator) throws -> Tensor {
        try (Tensor.rand(shape, generator: generator) * (2 * bound)) - bound
    }
}
