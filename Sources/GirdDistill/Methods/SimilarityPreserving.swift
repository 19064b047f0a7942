import GirdNN
import GirdTensor

/// Tung and Mori, "Similarity-Preserving Knowledge Distillation" (ICCV
/// 2019), as RepDistiller's `Similarity`: for each pair of layers, with F
/// the [B, −1] flattened feature map,
///
///     G = row_normalize(F Fᵀ)          (F.normalize, ε = 1e-12)
///     L = Σ_layers ‖G_t − G_s‖²_F / B²
///
/// RepDistiller's `train_student` gives it one pair, `feat[-2]` (the last
/// stage's output), which is the default here.
public final class SimilarityPreserving: DistillationMethod {
    public let name = "sp"
    /// `-b 3000` in RepDistiller's `scripts/run_cifar_distill.sh` (with `-a 0`).
    public static let publishedWeight: Float = 3000
    private let explicitTaps: (student: [String], teacher: [String])?
    public private(set) var taps: (student: [String], teacher: [String]) = ([], [])

    /// Explicit layer pairs: `studentTaps[k]` is compared with `teacherTaps[k]`.
    public init(studentTaps: [String]? = nil, teacherTaps: [String]? = nil) throws {
        explicitTaps = try DistillationError.pairedTaps(studentTaps, teacherTaps, method: "sp")
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        taps = explicitTaps ?? ([DefaultTaps.lastStage(of: student)], [DefaultTaps.lastStage(of: teacher)])
        return TapRequest(student: taps.student, teacher: taps.teacher)
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        try Self.loss(student: try taps.student.map(step.student), teacher: try taps.teacher.map(step.teacher))
    }

    /// The functional form: the sum over pairs of layers.
    public static func loss(student: [Tensor], teacher: [Tensor]) throws -> Tensor {
        guard !student.isEmpty, student.count == teacher.count else {
            throw DistillationError.invalidConfiguration(
                "sp: needs as many student as teacher features (at least one), got \(student.count) and \(teacher.count)")
        }
        var total: Tensor?
        for (s, t) in zip(student, teacher) {
            guard s.rank >= 1, t.rank >= 1, s.shape[0] == t.shape[0] else {
                throw DistillationError.invalidConfiguration("sp: the student's batch \(s.shape) and the teacher's \(t.shape) differ")
            }
            let batch = s.shape[0]
            let teacherGram = try GradMode.withoutGradient { try gram(t.detach()) }
            let difference = try teacherGram - gram(s)
            let term = try (difference * difference).sum() * (1 / Float(batch * batch))
            total = try total.map { try $0 + term } ?? term
        }
        return total!
    }

    static func gram(_ feature: Tensor) throws -> Tensor {
        let flat = try feature.flattened(from: 1)
        return try Tensor.matmul(flat, flat.transposed(0, 1)).l2Normalized(axis: 1)
    }
}

extension DistillationError {
    /// Explicit layer pairs of a method that compares layers pairwise (SP,
    /// AT): both lists or neither, of one non-zero length.
    static func pairedTaps(_ student: [String]?, _ teacher: [String]?, method: String) throws -> (student: [String], teacher: [String])? {
        switch (student, teacher) {
        case (nil, nil):
            return nil
        case let (student?, teacher?):
            guard !student.isEmpty, student.count == teacher.count else {
                throw DistillationError.invalidConfiguration(
                    "\(method): the student and teacher tap lists must have the same non-zero length, got \(student.count) and \(teacher.count)")
            }
            return (student, teacher)
        default:
            throw DistillationError.invalidConfiguration("\(method): give both a student and a teacher tap list, or neither")
        }
    }
}

extension SimilarityPreserving {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "sp", summary: "Tung & Mori 2019: similarity-preserving batch Gram matrices",
        parameters: [.studentTaps, .teacherTaps],
        publishedWeight: publishedWeight) { arguments in
        try SimilarityPreserving(studentTaps: arguments.taps("student_taps"), teacherTaps: arguments.taps("teacher_taps"))
    }
}
