import GirdNN
import GirdTensor

/// Hinton, Vinyals, Dean, "Distilling the Knowledge in a Neural Network"
/// (2015); RepDistiller's `DistillKL`:
///
///     L = T^2 * (1/B) sum_i KL(softmax(t_i / T) || softmax(s_i / T))
///
/// T = 4 by default (RepDistiller's CIFAR-100 setting). The T^2 factor
/// keeps the gradient's scale independent of T.
public final class KnowledgeDistillation: DistillationMethod {
    public let name = "kd"
    public let temperature: Float

    public init(temperature: Float = 4) throws {
        try DistillationError.requirePositive(temperature, "temperature T", method: "kd")
        self.temperature = temperature
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest { TapRequest() }

    public func build(_ setup: DistillationSetup) throws {
        guard setup.studentShapes["logits"] == setup.teacherShapes["logits"] else {
            throw DistillationError.invalidConfiguration(
                "kd: the student has \(setup.studentShape("logits")) logits and the teacher \(setup.teacherShape("logits")); they must match")
        }
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        try Self.loss(student: step.student.logits, teacher: step.teacher.logits, temperature: temperature)
    }

    /// The functional form (recipes' `kd_loss`): batch-mean KL times T^2.
    public static func loss(student: Tensor, teacher: Tensor, temperature: Float) throws -> Tensor {
        let studentLog = try (student * (1 / temperature)).logSoftmax(axis: 1)
        let teacherProbabilities = try (teacher * (1 / temperature)).softmax(axis: 1)
        return try Tensor.klDivergence(studentLog, target: teacherProbabilities, reduction: .batchMean)
            * (temperature * temperature)
    }
}

extension KnowledgeDistillation {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "kd", summary: "Hinton et al. 2015: KL divergence of softened logits, times T^2",
        parameters: [.init("T", .number(4), "temperature")],
        publishedWeight: 0.9) { arguments in
        try KnowledgeDistillation(temperature: arguments.float("T"))
    }
}
