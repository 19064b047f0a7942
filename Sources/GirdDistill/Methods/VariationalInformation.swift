import GirdNN
import GirdTensor

/// Ahn, Hu, Damianou, Lawrence, Dai, "Variational Information Distillation
/// for Knowledge Transfer" (CVPR 2019); RepDistiller's `VIDLoss`
/// (`distiller_zoo/VID.py`, the authors' code) on every stage pair
/// (`feat[1:-1]`), summed:
///
///     (s, t) pooled to the smaller square size (adaptive average pooling)
///     mu = regressor(s)                          three 1x1 convs, ReLU between
///     sigma^2_c = softplus(log_scale_c) + eps    learned per teacher channel
///     L_pair = mean over (n, c, h, w) of 1/2 ((mu - t)^2 / sigma^2_c + log sigma^2_c)
///     L = sum over pairs of L_pair
///
/// The negative log-likelihood of the teacher's feature under a Gaussian
/// whose mean the student predicts: a variational lower bound on their
/// mutual information. Defaults are RepDistiller's: mid channels = teacher
/// channels (`VIDLoss(s, t, t)`), initial variance 5, eps 1e-5; published
/// weight 1 (`-b 1`).
public final class VariationalInformation: DistillationMethod {
    public let name = "vid"
    public static let publishedWeight: Float = 1

    public let initialVariance: Float
    public let epsilon: Float
    public private(set) var studentTaps: [String]?
    public private(set) var teacherTaps: [String]?
    public private(set) var regressors: [VIDRegressor] = []

    /// Taps default to every stage of each network (`DefaultTaps.stages`,
    /// RepDistiller's `feat[1:-1]`), the first stages paired as its `zip`
    /// pairs them when the counts differ; given ones pair up in order and
    /// must be as many on each side.
    public init(studentTaps: [String]? = nil, teacherTaps: [String]? = nil, initialVariance: Float = 5,
                epsilon: Float = 1e-5) throws {
        try DistillationError.requirePositive(epsilon, "eps", method: "vid")
        guard initialVariance > epsilon, initialVariance.isFinite else {
            throw DistillationError.invalidConfiguration(
                "vid: initial variance must be finite and above eps (\(epsilon)), got \(initialVariance)")
        }
        self.initialVariance = initialVariance
        self.epsilon = epsilon
        self.studentTaps = studentTaps
        self.teacherTaps = teacherTaps
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        var studentTaps = self.studentTaps ?? DefaultTaps.stages(of: student)
        var teacherTaps = self.teacherTaps ?? DefaultTaps.stages(of: teacher)
        if self.studentTaps == nil && self.teacherTaps == nil {
            // RepDistiller zips the two `feat[1:-1]` lists: the first stages
            // pair up and the deeper network's extra ones are left out.
            let count = min(studentTaps.count, teacherTaps.count)
            studentTaps = Array(studentTaps.prefix(count))
            teacherTaps = Array(teacherTaps.prefix(count))
        }
        try Self.checkPairing(studentTaps, teacherTaps)
        self.studentTaps = studentTaps
        self.teacherTaps = teacherTaps
        return TapRequest(student: studentTaps, teacher: teacherTaps)
    }

    public func build(_ setup: DistillationSetup) throws {
        guard let studentTaps, let teacherTaps else { throw DistillationError.invalidConfiguration("vid: build before configure") }
        try Self.checkPairing(studentTaps, teacherTaps)
        regressors = try zip(studentTaps, teacherTaps).map { studentTap, teacherTap in
            let s = setup.studentShape(studentTap), t = setup.teacherShape(teacherTap)
            guard s.count == 3, t.count == 3 else {
                throw DistillationError.invalidConfiguration(
                    "vid: taps must be feature maps [C, H, W]; '\(studentTap)' is \(s) and '\(teacherTap)' is \(t)")
            }
            return try VIDRegressor(inChannels: s[0], midChannels: t[0], targetChannels: t[0], initialVariance: initialVariance,
                                    epsilon: epsilon, generator: setup.generator)
        }
    }

    static func checkPairing(_ studentTaps: [String], _ teacherTaps: [String]) throws {
        guard !studentTaps.isEmpty, studentTaps.count == teacherTaps.count else {
            throw DistillationError.invalidConfiguration(
                "vid: needs as many student taps as teacher taps (at least one), got \(studentTaps) and \(teacherTaps)")
        }
    }

    /// One module per pair, named after the student tap.
    public var trainableModules: [(name: String, module: Module)] {
        zip(studentTaps ?? [], regressors).map { ($0, $1) }
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        guard let studentTaps, let teacherTaps, regressors.count == studentTaps.count else {
            throw DistillationError.invalidConfiguration("vid: loss before build")
        }
        var total: Tensor?
        for (index, regressor) in regressors.enumerated() {
            let pair = try Self.loss(student: try step.student(studentTaps[index]), teacher: try step.teacher(teacherTaps[index]),
                                     regressor: regressor)
            total = try total.map { try $0 + pair } ?? pair
        }
        return total!
    }

    /// `VIDLoss.forward` for one pair.
    public static func loss(student: Tensor, teacher: Tensor, regressor: VIDRegressor) throws -> Tensor {
        var student = student, teacher = teacher
        let (studentSize, teacherSize) = (student.shape[2], teacher.shape[2])
        if studentSize > teacherSize {
            student = try student.adaptiveAvgPool2d(outputSize: teacherSize)
        } else if studentSize < teacherSize {
            teacher = try teacher.adaptiveAvgPool2d(outputSize: studentSize)
        }
        let mean = try regressor.regressor(student)
        let variance = try regressor.variance()
        let negativeLogLikelihood = try (((mean - teacher).square() / variance) + variance.log()) * 0.5
        return try negativeLogLikelihood.mean()
    }
}

extension VariationalInformation {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "vid", summary: "Ahn et al. 2019: variational information distillation",
        parameters: [.studentTaps, .teacherTaps,
                     .init("init_pred_var", .number(5), "initial predicted variance"),
                     .init("eps", .number(1e-5), "variance floor")],
        publishedWeight: publishedWeight) { arguments in
        try VariationalInformation(studentTaps: arguments.taps("student_taps"), teacherTaps: arguments.taps("teacher_taps"),
                                   initialVariance: arguments.float("init_pred_var"), epsilon: arguments.float("eps"))
    }
}
