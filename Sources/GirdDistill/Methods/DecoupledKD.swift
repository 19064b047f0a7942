import GirdNN
import GirdTensor

/// Zhao, Cui, Song, Qiu, Liang, "Decoupled Knowledge Distillation" (CVPR
/// 2022); mdistiller's `DKD` (`mdistiller/distillers/DKD.py`):
///
///     b = (p_gt, 1 - p_gt)                       binary target/non-target split of softmax(z / T)
///     TCKD = T^2 (1/B) sum_i KL(b_t,i || b_s,i)
///     p^ = softmax(z / T - 1000 * onehot(y))       the non-target classes alone
///     NCKD = T^2 (1/B) sum_i KL(p^_t,i || p^_s,i)
///     L = min(epoch / warmup, 1) * (alpha * TCKD + beta * NCKD)
///
/// As mdistiller computes them, `b` sums the softmax over the masked classes
/// (not `1 - p_gt`) and the non-target distribution masks the label's logit
/// by subtracting 1000 instead of dropping it; both are kept, so that values
/// and gradients are the reference's.
///
/// Defaults are mdistiller's CIFAR-100 ones (`CFG.DKD`): alpha 1, beta 8,
/// T 4, warm-up 20 epochs (some of its pairs use beta 2, e.g. res56/res20).
public final class DecoupledKD: DistillationMethod {
    public let name = "dkd"
    /// The weight of the DKD term next to CE (`CFG.DKD.CE_WEIGHT` is 1 and
    /// the loss carries alpha and beta itself).
    public static let publishedWeight: Float = 1

    public let alpha: Float
    public let beta: Float
    public let temperature: Float
    /// Epochs over which the loss ramps up linearly from 0; 0 turns the ramp off.
    public let warmupEpochs: Int
    /// Overrides the epoch of the steps (counted from 1 as mdistiller's
    /// trainer does); nil follows `DistillationStep.epoch` + 1.
    public var epoch: Int?

    public init(alpha: Float = 1, beta: Float = 8, temperature: Float = 4, warmupEpochs: Int = 20) throws {
        try DistillationError.requireNonNegative(alpha, "alpha", method: "dkd")
        try DistillationError.requireNonNegative(beta, "beta", method: "dkd")
        try DistillationError.requirePositive(temperature, "temperature T", method: "dkd")
        guard warmupEpochs >= 0 else {
            throw DistillationError.invalidConfiguration("dkd: warm-up epochs must be zero or more, got \(warmupEpochs)")
        }
        self.alpha = alpha
        self.beta = beta
        self.temperature = temperature
        self.warmupEpochs = warmupEpochs
    }

    /// `min(epoch / warmup, 1)` with epochs counted from 1, mdistiller's
    /// ramp; 1 without a warm-up.
    public func warmupFactor(epoch stepEpoch: Int) -> Float {
        let epoch = self.epoch ?? stepEpoch + 1
        guard warmupEpochs > 0 else { return 1 }
        return min(Float(epoch) / Float(warmupEpochs), 1)
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest { TapRequest() }

    public func build(_ setup: DistillationSetup) throws {
        guard setup.studentShapes["logits"] == setup.teacherShapes["logits"] else {
            throw DistillationError.invalidConfiguration(
                "dkd: the student has \(setup.studentShape("logits")) logits and the teacher \(setup.teacherShape("logits")); they must match")
        }
        // With one class the non-target part is empty and log(0) makes the loss NaN.
        guard setup.classes >= 2 else {
            throw DistillationError.invalidConfiguration("dkd: needs at least 2 classes, got \(setup.classes)")
        }
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        let value = try Self.loss(student: step.student.logits, teacher: step.teacher.logits, labels: step.labels,
                                  alpha: alpha, beta: beta, temperature: temperature)
        let factor = warmupFactor(epoch: step.epoch)
        return factor == 1 ? value : try value * factor
    }

    /// `alpha * TCKD + beta * NCKD` without the warm-up (mdistiller's `dkd_loss`).
    public static func loss(student: Tensor, teacher: Tensor, labels: Tensor, alpha: Float, beta: Float,
                            temperature: Float) throws -> Tensor {
        guard student.rank == 2, student.shape == teacher.shape, labels.shape == [student.shape[0]] else {
            throw DistillationError.invalidConfiguration(
                "dkd: needs [batch, classes] logits of one shape and [batch] labels, got \(student.shape), \(teacher.shape) and \(labels.shape)")
        }
        let (batch, classes) = (student.shape[0], student.shape[1])
        var target = [Float](repeating: 0, count: batch * classes)
        for (row, label) in labels.toIndices().enumerated() {
            guard label >= 0, label < classes else {
                throw DistillationError.invalidConfiguration("dkd: label \(label) is out of range for \(classes) classes")
            }
            target[row * classes + Int(label)] = 1
        }
        let targetMask = try Tensor(shape: [batch, classes], values: target)
        let otherMask = try Tensor(shape: [batch, classes], values: target.map { 1 - $0 })
        let scale = 1 / temperature

        func binary(_ probabilities: Tensor) throws -> Tensor {
            try Tensor.concatenated([(probabilities * targetMask).sum(axes: [1], keepingDimensions: true),
                                     (probabilities * otherMask).sum(axes: [1], keepingDimensions: true)], axis: 1)
        }
        let studentBinary = try binary((student * scale).softmax(axis: 1))
        let teacherBinary = try binary((teacher * scale).softmax(axis: 1))
        let targetPart = try Tensor.klDivergence(studentBinary.log(), target: teacherBinary, reduction: .batchMean)

        let masked = try targetMask * 1000
        let studentOthers = try ((student * scale) - masked).logSoftmax(axis: 1)
        let teacherOthers = try ((teacher * scale) - masked).softmax(axis: 1)
        let otherPart = try Tensor.klDivergence(studentOthers, target: teacherOthers, reduction: .batchMean)

        return try (targetPart * alpha + otherPart * beta) * (temperature * temperature)
    }
}

extension DecoupledKD {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "dkd", summary: "Zhao et al. 2022: decoupled KD (target and non-target parts)",
        parameters: [.init("alpha", .number(1), "TCKD weight"), .init("beta", .number(8), "NCKD weight"),
                     .init("T", .number(4), "temperature"), .init("warmup", .number(20), "warm-up epochs", .size)],
        publishedWeight: publishedWeight) { arguments in
        try DecoupledKD(alpha: arguments.float("alpha"), beta: arguments.float("beta"),
                        temperature: arguments.float("T"), warmupEpochs: arguments.integer("warmup"))
    }
}
