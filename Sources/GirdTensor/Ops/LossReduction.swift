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
}
