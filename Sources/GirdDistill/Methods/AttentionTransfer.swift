import GirdNN
import GirdTensor

/// Zagoruyko and Komodakis, "Paying More Attention to Attention: Improving
/// the Performance of Convolutional Neural Networks via Attention Transfer"
/// (ICLR 2017), as RepDistiller's `Attention`: for each pair of layers,
///
///     a(F) = normalize(mean_c F^p, flattened per image)     (F.normalize, ε = 1e-12)
///     L = Σ_layers mean((a(F_s) − a(F_t))²)
///
/// with p = 2. When the maps differ in size the larger is first
/// adaptive-average-pooled to the smaller's height, as a square (as
/// RepDistiller does; the zoo's maps are square). RepDistiller's
/// `train_student` reads `feat[1:-1]`, every stage's output (after its
/// ReLU), which is the default here.
public final class AttentionTransfer: DistillationMethod {
    public let name = "at"
    /// `-b 1000` in RepDistiller's `scripts/run_cifar_distill.sh` (with `-a 0`).
    public static let publishedWeight: Float = 1000
    public let p: Float
    private let explicitTaps: (student: [String], teacher: [String])?
    public private(set) var taps: (student: [String], teacher: [String]) = ([], [])

    /// Explicit layer pairs: `studentTaps[k]` is compared with `teacherTaps[k]`.
    public init(p: Float = 2, studentTaps: [String]? = nil, teacherTaps: [String]? = nil) throws {
        try DistillationError.requirePositive(p, "p", method: "at")
        self.p = p
        explicitTaps = try DistillationError.pairedTaps(studentTaps, teacherTaps, method: "at")
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        if let explicitTaps {
            taps = explicitTaps
        } else {
            let studentStages = DefaultTaps.stages(of: student), teacherStages = DefaultTaps.stages(of: teacher)
            guard !studentStages.isEmpty, studentStages.count == teacherStages.count else {
                throw DistillationError.invalidConfiguration(
                    "at: the student \(student.name) has \(studentStages.count) stages and the teacher \(teacher.name) \(teacherStages.count); give the layer pairs explicitly")
            }
            taps = (studentStages, teacherStages)
        }
        return TapRequest(student: taps.student, teacher: taps.teacher)
    }

    public func build(_ setup: DistillationSetup) throws {
        for (s, t) in zip(taps.student, taps.teacher) {
            let studentShape = setup.studentShape(s), teacherShape = setup.teacherShape(t)
            guard studentShape.count == 3, teacherShape.count == 3 else {
                throw DistillationError.invalidConfiguration(
                    "at: '\(s)' \(studentShape) and '\(t)' \(teacherShape) must both be [C, H, W] feature maps")
            }
        }
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        try Self.loss(student: try taps.student.map(step.student), teacher: try taps.teacher.map(step.teacher), p: p)
    }

    /// The functional form: the sum over pairs of [B, C, H, W] maps.
    public static func loss(student: [Tensor], teacher: [Tensor], p: Float = 2) throws -> Tensor {
        guard !student.isEmpty, student.count == teacher.count else {
            throw DistillationError.invalidConfiguration(
                "at: needs as many student as teacher features (at least one), got \(student.count) and \(teacher.count)")
        }
        var total: Tensor?
        for (s, t) in zip(student, teacher) {
            guard s.rank == 4, t.rank == 4, s.shape[0] == t.shape[0] else {
                throw DistillationError.invalidConfiguration(
                    "at: needs [B, C, H, W] maps of one batch, got \(s.shape) and \(t.shape)")
            }
            var (s, t) = (s, t.detach())
            if s.shape[2] > t.shape[2] {
                s = try s.adaptiveAvgPool2d(outputSize: (t.shape[2], t.shape[2]))
            } else if s.shape[2] < t.shape[2] {
                t = try t.adaptiveAvgPool2d(outputSize: (s.shape[2], s.shape[2]))
            }
            let teacherMap = try GradMode.withoutGradient { try attention(t, p: p) }
            let term = try (try attention(s, p: p) - teacherMap).square().mean()
            total = try total.map { try $0 + term } ?? term
        }
        return total!
    }

    /// The attention map of each image, [B, H·W], of unit length.
    static func attention(_ feature: Tensor, p: Float) throws -> Tensor {
        let powered = p == 2 ? try feature.square() : try feature.pow(p)
        return try powered.mean(axes: [1]).flattened(from: 1).l2Normalized(axis: 1)
    }
}

extension AttentionTransfer {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "at", summary: "Zagoruyko & Komodakis 2017: attention transfer of stage attention maps",
        parameters: [.init("p", .number(2), "power of the attention map"), .studentTaps, .teacherTaps],
        publishedWeight: publishedWeight) { arguments in
        try AttentionTransfer(p: arguments.float("p"), studentTaps: arguments.taps("student_taps"),
                              teacherTaps: arguments.taps("teacher_taps"))
    }
}
