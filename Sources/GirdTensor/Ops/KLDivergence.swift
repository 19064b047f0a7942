import Foundation

/// How `klDivergence` reduces its element-wise terms, as `F.kl_div`'s
/// `reduction=`. `batchMean` (the sum divided by the batch size) is the
/// mathematical KL divergence averaged over samples, and the default here;
/// PyTorch's default is `mean` (over every element), kept only for parity.
public enum KLReduction: String, Sendable, CaseIterable {
    case batchMean
    case sum
    case mean
    case none
}

/// The Kullback–Leibler divergence KL(target ‖ exp(input)), as
/// `F.kl_div(input, target, log_target=...)`: `input` holds
/// log-probabilities (a student's log-softmax), `target` probabilities (a
/// teacher's softmax), or log-probabilities when `logTarget` is true.
/// Element-wise,
///
///     t (log t − x)             (t = target, x = input), 0 where t = 0;
///     exp(t) (t − x)            with a log target, 0 where exp(t) = 0.
///
/// The zero case is 0 · log 0 = 0, and here it also makes a −inf input at
/// such a position contribute 0 (PyTorch gives NaN there): a masked logit
/// (−inf, zero probability on both sides) then drops out cleanly, which is
/// what a relation loss that excludes the diagonal needs. Gradients: −t with
/// respect to x; log t + 1 − x with respect to t (taken as 0 where t = 0,
/// where the true slope is −inf); with a log target, −exp(t) and
/// exp(t)(t − x + 1).
extension Tensor {
    public static func klDivergence(_ input: Tensor, target: Tensor, reduction: KLReduction = .batchMean,
                                    logTarget: Bool = false) throws -> Tensor {
        try checkSameShape(input, target, op: "klDivergence")
        guard input.dtype == .float32, target.dtype == .float32 else {
            throw TensorError.dtypeMismatch(op: "klDivergence", expected: .float32,
                                            got: input.dtype == .float32 ? target.dtype : input.dtype)
        }
        let (x, t) = (input.detach(), target.detach())
        let terms: Tensor
        if logTarget {
            terms = try t.zipped(with: x, op: "klDivergence") { t, x in
                let p = Foundation.exp(t)
                return p == 0 ? 0 : p * (t - x)
            }
            .recorded("klDivergence", [input, target]) { g in
                [input.requiresGrad ? try g.zipped(with: t, op: "klDivergence") { g, t in -g * Foundation.exp(t) } : nil,
                 target.requiresGrad ? try g * (try t.zipped(with: x, op: "klDivergence") { t, x in
                     let p = Foundation.exp(t)
                     return p == 0 ? 0 : p * (t - x + 1)
                 }) : nil]
            }
        } else {
            terms = try t.zipped(with: x, op: "klDivergence") { t, x in t == 0 ? 0 : t * (Foundation.log(t) - x) }
                .recorded("klDivergence", [input, target]) { g in
                    [input.requiresGrad ? try g.zipped(with: t, op: "klDivergence") { g, t in -g * t } : nil,
                     target.requiresGrad ? try g * (try t.zipped(with: x, op: "klDivergence") { t, x in
                         t == 0 ? 0 : Foundation.log(t) + 1 - x
                     }) : nil]
                }
        }
        switch reduction {
        case .batchMean: return try terms.sum() / Float(input.rank > 0 ? input.shape[0] : 1)
        case .sum: return try terms.sum()
        case .mean: return try terms.mean()
        case .none: return terms
        }
    }
}
