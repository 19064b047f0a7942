import Foundation

/// Cross-entropy of logits against integer class labels, as
/// `F.cross_entropy(logits, labels, label_smoothing=ε)`: log-softmax and
/// negative log-likelihood in one pass. For a row x with label y, C classes
/// and lse = log Σ_c exp(x_c) (taken stably, around the row maximum),
///
///     loss = (1 − ε)(lse − x_y) + (ε / C) Σ_c (lse − x_c),
///
/// and its gradient is softmax(x) − q, where q is the smoothed target
/// (1 − ε) onehot(y) + ε / C: no log-softmax tensor is ever stored.
extension Tensor {
    /// `logits` is [N, C] float32, `labels` [N] int64 with every label in
    /// 0..<C. The mean reduction divides by N.
    public static func crossEntropy(_ logits: Tensor, labels: Tensor, labelSmoothing: Float = 0,
                                    reduction: LossReduction = .mean) throws -> Tensor {
        guard logits.dtype == .float32 else {
            throw TensorError.dtypeMismatch(op: "crossEntropy", expected: .float32, got: logits.dtype)
        }
        guard labels.dtype == .int64 else {
            throw TensorError.dtypeMismatch(op: "crossEntropy", expected: .int64, got: labels.dtype)
        }
        guard logits.rank == 2, labels.shape == [logits.shape[0]] else {
            throw TensorError.shapeMismatch(op: "crossEntropy", lhs: logits.shape, rhs: labels.shape)
        }
        guard labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw TensorError.invalidArgument(op: "crossEntropy", message: "label smoothing must be in [0, 1], got \(labelSmoothing)")
        }
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        if let bad = labels.indices.first(where: { $0 < 0 || $0 >= classes }) {
            throw TensorError.invalidArgument(
                op: "crossEntropy", message: "label \(bad) is out of range for \(classes) classes")
        }

        let x = logits.plain().floats, targets = labels.indices
        let losses = Tensor.uninitialized([rows]), logSumExps = Tensor.uninitialized([rows])
        let loss = losses.mutableFloats, lse = logSumExps.mutableFloats
        let (hit, spread) = (1 - labelSmoothing, labelSmoothing / Float(classes))
        for row in 0..<rows {
            let values = UnsafeBufferPointer(rebasing: x[(row * classes)..<((row + 1) * classes)])
            var maximum = -Float.infinity
            for v in values where !(v <= maximum) { maximum = v }
            var total: Float = 0, sum: Float = 0
            for v in values {
                total += Foundation.exp(v - maximum)
                sum += v
            }
            lse[row] = maximum + Foundation.log(total)
            let label = Int(targets[row])
            loss[row] = hit * (lse[row] - values[label]) + (spread == 0 ? 0 : spread * (Float(classes) * lse[row] - sum))
        }

        let (savedLogits, savedLogSumExps) = (logits.plain().detach(), logSumExps)
        let perSample = losses.recorded("crossEntropy", [logits]) { g in
            let gradient = Tensor.uninitialized([rows, classes])
            let dx = gradient.mutableFloats, dy = g.plain().floats
            let x = savedLogits.plain().floats, lse = savedLogSumExps.floats, targets = labels.indices
            for row in 0..<rows {
                let base = row * classes
                for c in 0..<classes { dx[base + c] = dy[row] * (Foundation.exp(x[base + c] - lse[row]) - spread) }
                dx[base + Int(targets[row])] -= dy[row] * hit
            }
            return [gradient]
        }
        return try perSample.reduced(reduction)
    }
}
