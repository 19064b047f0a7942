import GirdNN
import GirdTensor

/// Park, Kim, Lu, Cho, "Relational Knowledge Distillation" (CVPR 2019), as
/// RepDistiller's `RKDLoss` computes it on the flattened embeddings e:
///
///     ψ_D(i, j) = ‖e_i − e_j‖ / μ,   μ = mean of the positive distances of the batch
///     ψ_A(i, j, k) = ⟨(e_j − e_i)/‖e_j − e_i‖, (e_k − e_i)/‖e_k − e_i‖⟩
///     L = w_d · smoothL1(ψ_D^s, ψ_D^t) + w_a · smoothL1(ψ_A^s, ψ_A^t)
///
/// with w_d = 25 and w_a = 50 (the paper's and RepDistiller's weights).
/// Distances are floored as RepDistiller's `pdist` floors them: the squared
/// distance is clamped at 1e-12 before the root, so a repeated image sits at
/// 1e-6 (and counts in μ), and the diagonal is 0.
public final class RelationalKD: DistillationMethod {
    public let name = "rkd"
    /// `-b 1` in RepDistiller's `scripts/run_cifar_distill.sh` (with `-a 0`).
    public static let publishedWeight: Float = 1
    public let distanceWeight: Float
    public let angleWeight: Float
    private let explicitTaps: (student: String, teacher: String)?
    public private(set) var taps: (student: String, teacher: String) = ("embedding", "embedding")

    /// `studentTap`/`teacherTap` default to the embedding (RepDistiller's
    /// `feat[-1]`); give both or neither.
    public init(distanceWeight: Float = 25, angleWeight: Float = 50, studentTap: String? = nil,
                teacherTap: String? = nil) throws {
        try DistillationError.requireNonNegative(distanceWeight, "distance weight", method: "rkd")
        try DistillationError.requireNonNegative(angleWeight, "angle weight", method: "rkd")
        switch (studentTap, teacherTap) {
        case let (student?, teacher?): explicitTaps = (student, teacher)
        case (nil, nil): explicitTaps = nil
        default: throw DistillationError.invalidConfiguration("rkd: give both a student and a teacher tap, or neither")
        }
        self.distanceWeight = distanceWeight
        self.angleWeight = angleWeight
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        taps = explicitTaps ?? ("embedding", "embedding")
        return TapRequest(student: [taps.student], teacher: [taps.teacher])
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        try Self.loss(student: try step.student(taps.student), teacher: try step.teacher(taps.teacher),
                      distanceWeight: distanceWeight, angleWeight: angleWeight)
    }

    /// The functional form on [B, ...] features (flattened per image).
    public static func loss(student: Tensor, teacher: Tensor, distanceWeight: Float = 25,
                            angleWeight: Float = 50) throws -> Tensor {
        guard student.rank >= 1, teacher.rank >= 1, student.shape[0] == teacher.shape[0] else {
            throw DistillationError.invalidConfiguration(
                "rkd: the student's batch \(student.shape) and the teacher's \(teacher.shape) differ")
        }
        let s = try student.flattened(from: 1), t = try teacher.detach().flattened(from: 1)
        let teacherDistances = try GradMode.withoutGradient { try normalizedDistances(t) }
        let distanceLoss = try Tensor.smoothL1Loss(try normalizedDistances(s), teacherDistances, beta: 1)
        let teacherAngles = try GradMode.withoutGradient { try angles(t) }
        let angleLoss = try Tensor.smoothL1Loss(try angles(s), teacherAngles, beta: 1)
        return try distanceLoss * distanceWeight + angleLoss * angleWeight
    }

    /// Distances divided by their mean over the positive entries. A batch of
    /// one has none (RepDistiller's mean of an empty set is NaN); the
    /// distances are then all zero and are left undivided, so the term is 0.
    static func normalizedDistances(_ e: Tensor) throws -> Tensor {
        let batch = e.shape[0]
        let squared = try Tensor.pairwiseDistances(e, e, squared: true)
        var offDiagonal = [Float](repeating: 1, count: batch * batch)
        for i in 0..<batch { offDiagonal[i * batch + i] = 0 }
        // Clamped then rooted, then the diagonal cut out: the clamp stops the
        // root's infinite slope at 0, so the gradient there is 0, not NaN.
        let distances = try squared.clamp(min: 1e-12).sqrt() * Tensor(shape: [batch, batch], values: offDiagonal)
        let positives = distances.toArray().filter { $0 > 0 }.count
        guard positives > 0 else { return distances }
        return try distances / (try distances.sum() / Float(positives))
    }

    /// The [B·B·B] cosines of the angle at each e_i between e_j and e_k.
    static func angles(_ e: Tensor) throws -> Tensor {
        let batch = e.shape[0]
        let differences = try (try e.unsqueezed(axis: 0) - e.unsqueezed(axis: 1)).l2Normalized(axis: 2)
        return try Tensor.matmul(differences, try differences.transposed(1, 2)).reshaped([batch * batch * batch])
    }
}

extension RelationalKD {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "rkd", summary: "Park et al. 2019: relational KD (distance and angle)",
        parameters: [.init("w_d", .number(25), "distance weight"), .init("w_a", .number(50), "angle weight"),
                     .studentTap, .teacherTap],
        publishedWeight: publishedWeight) { arguments in
        try RelationalKD(distanceWeight: arguments.float("w_d"), angleWeight: arguments.float("w_a"),
                         studentTap: arguments.singleTap("student_tap"), teacherTap: arguments.singleTap("teacher_tap"))
    }
}
