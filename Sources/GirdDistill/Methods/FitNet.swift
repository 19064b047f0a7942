import GirdNN
import GirdTensor

/// Romero et al., "FitNets: Hints for Thin Deep Nets" (ICLR 2015), as
/// RepDistiller trains it (`HintLoss` with a `ConvReg` connector, trained
/// jointly with the student, no separate hint stage):
///
///     L = mean((r(F_s) − F_t)²),   r = ReLU ∘ BN ∘ conv   (`ConvRegressor`)
///
/// on the hint layer `feat[2]` (RepDistiller's `--hint_layer 2`: the
/// second stage's output, counting the stem as `feat[0]`).
public final class FitNet: DistillationMethod {
    public let name = "fitnet"
    /// `-b 100` in RepDistiller's `scripts/run_cifar_distill.sh` (with `-a 0`).
    public static let publishedWeight: Float = 100
    /// RepDistiller's `--hint_layer` default: the index into its `feat` list.
    public static let defaultHintLayer = 2
    private let explicitTaps: (student: String, teacher: String)?
    public private(set) var taps: (student: String, teacher: String) = ("", "")
    public private(set) var regressor: ConvRegressor?

    /// `studentTap`/`teacherTap` default to `feat[2]` of each network (the
    /// stem, then the stages); give both or neither.
    public init(studentTap: String? = nil, teacherTap: String? = nil) throws {
        switch (studentTap, teacherTap) {
        case let (student?, teacher?): explicitTaps = (student, teacher)
        case (nil, nil): explicitTaps = nil
        default: throw DistillationError.invalidConfiguration("fitnet: give both a student and a teacher tap, or neither")
        }
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        if let explicitTaps {
            taps = explicitTaps
        } else {
            let studentLayers = DefaultTaps.stemAndStages(of: student), teacherLayers = DefaultTaps.stemAndStages(of: teacher)
            let layer = Self.defaultHintLayer
            guard studentLayers.count > layer, teacherLayers.count > layer else {
                throw DistillationError.invalidConfiguration(
                    "fitnet: hint layer \(layer) needs \(layer + 1) feature maps; \(student.name) has \(studentLayers.count) and \(teacher.name) \(teacherLayers.count)")
            }
            taps = (studentLayers[layer], teacherLayers[layer])
        }
        return TapRequest(student: [taps.student], teacher: [taps.teacher])
    }

    public func build(_ setup: DistillationSetup) throws {
        let studentShape = setup.studentShape(taps.student), teacherShape = setup.teacherShape(taps.teacher)
        guard let regressor = try ConvRegressor(studentShape: studentShape, teacherShape: teacherShape,
                                                generator: setup.generator) else {
            throw DistillationError.invalidConfiguration(
                "fitnet: no regressor maps the student's '\(taps.student)' \(studentShape) to the teacher's '\(taps.teacher)' \(teacherShape) (the student's map must be twice, half, or at least the teacher's size)")
        }
        let regressed = regressor.outputShape(for: studentShape)
        guard regressed == teacherShape else {
            throw DistillationError.invalidConfiguration(
                "fitnet: the regressor maps the student's '\(taps.student)' \(studentShape) to \(regressed), not to the teacher's '\(taps.teacher)' \(teacherShape)")
        }
        self.regressor = regressor
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        guard let regressor else { throw DistillationError.invalidConfiguration("fitnet: build(_:) was not called") }
        return try Self.loss(student: try step.student(taps.student), teacher: try step.teacher(taps.teacher),
                             regressor: regressor)
    }

    /// The functional form: the MSE between the regressed student map and the teacher's.
    public static func loss(student: Tensor, teacher: Tensor, regressor: ConvRegressor) throws -> Tensor {
        let regressed = try regressor(student)
        guard regressed.shape == teacher.shape else {
            throw DistillationError.invalidConfiguration(
                "fitnet: the regressed student map \(regressed.shape) does not match the teacher's \(teacher.shape)")
        }
        return try Tensor.mseLoss(regressed, teacher.detach())
    }

    public var trainableModules: [(name: String, module: Module)] {
        regressor.map { [("regressor", $0)] } ?? []
    }
}

extension FitNet {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "fitnet", summary: "Romero et al. 2015 (FitNets): MSE between a regressed student hint and the teacher's",
        parameters: [.studentTap, .teacherTap],
        publishedWeight: publishedWeight) { arguments in
        try FitNet(studentTap: arguments.singleTap("student_tap"), teacherTap: arguments.singleTap("teacher_tap"))
    }
}
