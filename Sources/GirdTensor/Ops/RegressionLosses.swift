/// Losses between a prediction and a target of the same shape, as
/// `F.mse_loss`, `F.huber_loss` and `F.smooth_l1_loss`. The target may
/// require a gradient too (mutual learning, relation matching).
extension Tensor {
    /// (input − target)², reduced.
    public static func mseLoss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
        try checkSameShape(input, target, op: "mseLoss")
        return try (input - target).square().reduced(reduction)
    }

    /// With x = input − target: 0.5 x² where |x| ≤ δ, δ (|x| − 0.5 δ)
    /// elsewhere, reduced. Quadratic near 0, linear in the tails, with a
    /// continuous slope: x inside, δ·sign(x) outside.
    public static func huberLoss(_ input: Tensor, _ target: Tensor, delta: Float = 1,
                                 reduction: LossReduction = .mean) throws -> Tensor {
        try checkSameShape(input, target, op: "huberLoss")
        guard delta > 0 else {
            throw TensorError.invalidArgument(op: "huberLoss", message: "delta must be positive, got \(delta)")
        }
        let difference = try input - target
        let x = difference.detach()
        return try difference.mapped(op: "huberLoss", preservesZero: true) { v in
            let size = Swift.abs(v)
            return size <= delta ? 0.5 * v * v : delta * (size - 0.5 * delta)
        }
        .recorded("huberLoss", [difference]) { g in
            [try g.zipped(with: x, op: "huberLoss") { g, v in g * Swift.min(Swift.max(v, -delta), delta) }]
        }
        .reduced(reduction)
    }

    /// The Huber loss divided by β: 0.5 x²/β where |x| < β, |x| − 0.5 β
    /// elsewhere; β = 0 is the L1 loss. Equal to `huberLoss` when β = 1.
    public static func smoothL1Loss(_ input: Tensor, _ target: Tensor, beta: Float = 1,
                                    reduction: LossReduction = .mean) throws -> Tensor {
        guard beta >= 0 else {
            throw TensorError.invalidArgument(op: "smoothL1Loss", message: "beta must not be negative, got \(beta)")
        }
        if beta == 0 {
            try checkSameShape(input, target, op: "smoothL1Loss")
            return try (input - target).abs().reduced(reduction)
        }
        return try (huberLoss(input, target, delta: beta, reduction: .none) / beta).reduced(reduction)
    }
}
