import GirdNN
import GirdTensor

/// Peng et al., "Correlation Congruence for Knowledge Distillation" (ICCV
/// 2019), as RepDistiller runs it (`distiller_zoo/CC.py`, the authors' code,
/// with `train_student.py --distill correlation`): both embeddings go through
/// a trainable `LinearEmbed` to `featureDimension` (128), then
///
///     delta = |e_s - e_t|                         [B, d]
///     L = 1/(B-1) sum_{i<B-1} sum_j delta[i, j] * delta[i+1, j]
///
/// i.e. each instance's deviation correlated with the next one's in batch
/// order. This is RepDistiller's shipped loss, not the paper's kernelised
/// correlation matrix. The teacher's embed is trained too (RepDistiller puts
/// `embed_t` in its trainable list).
///
/// A batch of one has no pair: PyTorch's mean over nothing gives NaN; here
/// the loss is 0 (still on the tape), so a last batch of one image does not
/// poison a run.
public final class CorrelationCongruence: DistillationMethod {
    public let name = "cc"
    /// RepDistiller's `-b 0.02` for CC (`scripts/run_cifar_distill.sh`, with `-r 1 -a 0`).
    public static let publishedWeight: Float = 0.02

    public let featureDimension: Int
    public private(set) var studentTap: String?
    public private(set) var teacherTap: String?
    public private(set) var studentEmbed: CCLinearEmbed?
    public private(set) var teacherEmbed: CCLinearEmbed?

    /// `studentTap`/`teacherTap` default to `embedding` (RepDistiller's `feat[-1]`).
    public init(featureDimension: Int = 128, studentTap: String? = nil, teacherTap: String? = nil) throws {
        guard featureDimension > 0 else {
            throw DistillationError.invalidConfiguration("cc: feature dimension must be positive, got \(featureDimension)")
        }
        self.featureDimension = featureDimension
        self.studentTap = studentTap
        self.teacherTap = teacherTap
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        let studentTap = self.studentTap ?? "embedding", teacherTap = self.teacherTap ?? "embedding"
        self.studentTap = studentTap
        self.teacherTap = teacherTap
        return TapRequest(student: [studentTap], teacher: [teacherTap])
    }

    public func build(_ setup: DistillationSetup) throws {
        guard let studentTap, let teacherTap else {
            throw DistillationError.invalidConfiguration("cc: build before configure")
        }
        let studentSize = setup.studentShape(studentTap).reduce(1, *), teacherSize = setup.teacherShape(teacherTap).reduce(1, *)
        try MemoryLimit.check([studentSize + teacherSize, featureDimension],
                              what: "cc: embeddings of feat_dim \(featureDimension)")
        studentEmbed = try CCLinearEmbed(studentSize, featureDimension, generator: setup.generator)
        teacherEmbed = try CCLinearEmbed(teacherSize, featureDimension, generator: setup.generator)
    }

    public var trainableModules: [(name: String, module: Module)] {
        guard let studentEmbed, let teacherEmbed else { return [] }
        return [("embed_s", studentEmbed), ("embed_t", teacherEmbed)]
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        guard let studentTap, let teacherTap, let studentEmbed, let teacherEmbed else {
            throw DistillationError.invalidConfiguration("cc: loss before build")
        }
        return try Self.loss(student: try studentEmbed(try step.student(studentTap)),
                             teacher: try teacherEmbed(try step.teacher(teacherTap)))
    }

    /// RepDistiller's `Correlation.forward` on already embedded [B, d] features.
    public static func loss(student: Tensor, teacher: Tensor) throws -> Tensor {
        guard student.rank == 2, student.shape == teacher.shape else {
            throw DistillationError.invalidConfiguration(
                "cc: needs embeddings of one [batch, dimension] shape, got \(student.shape) and \(teacher.shape)")
        }
        let batch = student.shape[0]
        let delta = try (student - teacher).abs()
        guard batch >= 2 else { return try delta.sum() * 0 }
        let products = try delta.narrowed(axis: 0, start: 0, length: batch - 1) * delta.narrowed(axis: 0, start: 1, length: batch - 1)
        return try products.sum(axes: [1]).mean()
    }
}

extension CorrelationCongruence {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "cc", summary: "Peng et al. 2019: correlation congruence of embedded instances",
        parameters: [.init("feat_dim", .number(128), "embedding size", .positiveSize), .studentTap, .teacherTap],
        publishedWeight: publishedWeight) { arguments in
        try CorrelationCongruence(featureDimension: arguments.integer("feat_dim"),
                                  studentTap: arguments.singleTap("student_tap"),
                                  teacherTap: arguments.singleTap("teacher_tap"))
    }
}
