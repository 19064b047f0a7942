import GirdNN
import GirdTensor

/// Passalis and Tefas, "Learning Deep Representations with Probabilistic
/// Knowledge Transfer" (ECCV 2018), as RepDistiller's `PKT` (the authors'
/// code) computes it on the embeddings, with ε = 1e-7:
///
///     x̂_i = x_i / (‖x_i‖ + ε)
///     K_ij = (⟨x̂_i, x̂_j⟩ + 1) / 2,   P_ij = K_ij / Σ_j K_ij      (each side)
///     L = mean_ij P^t_ij · log((P^t_ij + ε) / (P^s_ij + ε))
///
/// The cosine kernel moved to [0, 1] turns each row into a distribution
/// over the batch; L is the KL divergence between the teacher's and the
/// student's, averaged over all B² entries.
public final class ProbabilisticKnowledgeTransfer: DistillationMethod {
    public let name = "pkt"
    /// `-b 30000` in RepDistiller's `scripts/run_cifar_distill.sh` (with `-a 0`).
    public static let publishedWeight: Float = 30000
    static let epsilon: Float = 1e-7
    private let explicitTaps: (student: String, teacher: String)?
    public private(set) var taps: (student: String, teacher: String) = ("embedding", "embedding")

    /// `studentTap`/`teacherTap` default to the embedding (`feat[-1]`); give both or neither.
    public init(studentTap: String? = nil, teacherTap: String? = nil) throws {
        switch (studentTap, teacherTap) {
        case let (student?, teacher?): explicitTaps = (student, teacher)
        case (nil, nil): explicitTaps = nil
        default: throw DistillationError.invalidConfiguration("pkt: give both a student and a teacher tap, or neither")
        }
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        taps = explicitTaps ?? ("embedding", "embedding")
        return TapRequest(student: [taps.student], teacher: [taps.teacher])
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        try Self.loss(student: try step.student(taps.student), teacher: try step.teacher(taps.teacher))
    }

    /// The functional form on [B, ...] features (flattened per image).
    public static func loss(student: Tensor, teacher: Tensor) throws -> Tensor {
        guard student.rank >= 1, teacher.rank >= 1, student.shape[0] == teacher.shape[0] else {
            throw DistillationError.invalidConfiguration(
                "pkt: the student's batch \(student.shape) and the teacher's \(teacher.shape) differ")
        }
        let target = try GradMode.withoutGradient { try probabilities(teacher.detach().flattened(from: 1)) }
        let model = try probabilities(student.flattened(from: 1))
        return try (target * ((target + epsilon) / (model + epsilon)).log()).mean()
    }

    static func probabilities(_ x: Tensor) throws -> Tensor {
        // The squared norm is floored far below any real feature's before the
        // root: the root's slope is infinite at 0, and a dead feature vector
        // would otherwise get a NaN gradient (RepDistiller's does).
        let norms = try x.square().sum(axes: [1], keepingDimensions: true).clamp(min: 1e-30).sqrt()
        let unit = try x / (norms + epsilon)
        let kernel = try (Tensor.matmul(unit, unit.transposed(0, 1)) + 1) * 0.5
        return try kernel / kernel.sum(axes: [1], keepingDimensions: true)
    }
}

extension ProbabilisticKnowledgeTransfer {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "pkt", summary: "Passalis & Tefas 2018: probabilistic knowledge transfer",
        parameters: [.studentTap, .teacherTap],
        publishedWeight: publishedWeight) { arguments in
        try ProbabilisticKnowledgeTransfer(studentTap: arguments.singleTap("student_tap"),
                                           teacherTap: arguments.singleTap("teacher_tap"))
    }
}
