/// How a loss turns its per-element (or per-sample) values into what it
/// returns, as PyTorch's `reduction=` argument.
public enum LossReduction: String, Sendable, CaseIterable {
    /// The mean over every value (over the samples for cross-entropy).
    case mean
    /// The sum of every value.
    case sum
    /// The values themselves, unreduced.
    case none
}

extension Tensor {
    /// Per-element losses reduced as asked. The mean of nothing is NaN, as
    /// in PyTorch.
    func reduced(_ reduction: LossReduction) throws -> Tensor {
        switch reduction {
        case .mean: return try mean()
        case .sum: return try sum()
        case .none: return self
        }
    }

    /// Losses compare tensors of one shape. PyTorch broadcasts here with a
    /// warning; a loss between tensors of different shapes is almost always
    /// a bug, so it is an error.
    static func checkSameShape(_ a: Tensor, _ b: Tensor, op: String) throws {
        guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: op, lhs: a.shape, rhs: b.shape) }
    }
}
